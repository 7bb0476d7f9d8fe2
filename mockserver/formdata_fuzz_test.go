package mockserver_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzFormDataBody sends arbitrary submission bodies to POST /form-data and, as updates, to
// PUT /form-data/{id}: never a 5xx, and a refused body stores nothing.
func FuzzFormDataBody(f *testing.F) {
	h, token := handlerWithUser(f)
	rec := serveAPI(h, http.MethodPost, formDataPath, token, bytes.NewReader([]byte(mustJSON(f, contactBody()))))
	require.Equal(f, http.StatusCreated, rec.Code, rec.Body.String())
	updatePath := formDataPath + "/1"
	for _, seed := range []string{
		`{"formIdentifier":"contact_us","formModuleConfigId":2,"moduleEntityIdentifier":"contacts","formData":{"en_US":[{"marker":"name","type":"string","value":"Ann"},{"marker":"message","type":"text","value":[{"plainValue":"Hi"}]}]}}`,
		`{"formIdentifier":"contact_us","formModuleConfigId":2,"moduleEntityIdentifier":"contacts","formData":{"en_US":[{"marker":"message","value":[{"htmlValue":"<p>x</p>","mdValue":"x"}]}]}}`,
		`{"formIdentifier":"tickets_form","formModuleConfigId":1,"moduleEntityIdentifier":"8","formData":{"en_US":[null,{"marker":"tickets","value":[{"id":{}}]}]}}`,
		`{"formData":{"en_US":[{"marker":"name","value":"Ann"}]}}`,
		`{"formIdentifier":"contact_us","formModuleConfigId":99999999999999999999,"moduleEntityIdentifier":"","formData":{}}`,
		`{`, `[]`, `null`, `""`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, update bool) {
		before := serveAPI(h, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2&limit=1", token, nil).Body.String()
		method, path := http.MethodPost, formDataPath
		if update {
			method, path = http.MethodPut, updatePath
		}
		rec := serveAPI(h, method, path, token, bytes.NewReader(body))
		checkFuzzResponse(t, rec)
		if rec.Code >= 400 {
			after := serveAPI(h, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2&limit=1", token, nil).Body.String()
			if after != before {
				t.Fatalf("a refused body (%d) changed the submissions:\n%s\n%s", rec.Code, before, after)
			}
		}
	})
}
