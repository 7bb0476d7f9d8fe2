package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
)

// FuzzCartItemBody sends cart item bodies as a guest and as the user: never a 5xx, and a
// refused body leaves every cart as it was.
func FuzzCartItemBody(f *testing.F) {
	h, token := handlerWithUser(f)
	st := h.(*mockserver.Server).Store()
	for _, seed := range []string{
		`{"productId":10,"qty":2}`, `{"productId":10,"qty":0}`, `{"productId":99,"qty":1}`, `{"qty":3}`,
		`{"productId":10,"qty":1000001}`, `{"productId":1e3,"qty":1}`, `{"productId":"10","qty":1}`,
		`{"productId":99999999999999999999,"qty":1}`, `{`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed), uint8(0), guestUUID)
		f.Add([]byte(seed), uint8(3), "shop-visitor-0001")
	}
	methods := []struct{ method, path string }{
		{http.MethodPost, cartPath + "/items"}, {http.MethodPut, cartPath + "/items/10"},
		{http.MethodDelete, cartPath + "/items/11"}, {http.MethodGet, cartPath},
	}
	f.Fuzz(func(t *testing.T, body []byte, how uint8, guest string) {
		m := methods[int(how)%len(methods)]
		bearer := ""
		if how >= 4 {
			bearer = token
		}
		before, _ := json.Marshal(st.Export(t.Context()).Carts)
		rec := serveAPI(h, m.method, m.path, bearer, bytes.NewReader(body), func(req *http.Request) {
			req.Header.Set("x-guest-id", guest)
		})
		checkFuzzResponse(t, rec)
		after, _ := json.Marshal(st.Export(t.Context()).Carts)
		if rec.Code >= 400 && !bytes.Equal(before, after) {
			t.Fatalf("a refused %s %s (%d) changed the carts:\n%s\n%s", m.method, m.path, rec.Code, before, after)
		}
	})
}

// FuzzAccountPatch sends admin PATCH bodies for the stripe account: never a 5xx, and the
// account answers the content API's schema afterwards whatever was accepted.
func FuzzAccountPatch(f *testing.F) {
	h, token := handlerWithUser(f)
	for _, seed := range []string{
		`{"testSettings":{"successUrl":"http://localhost:3000/thanks","cancelUrl":null}}`,
		`{"settings":{"status":"not_connected"}}`, `{"settings":{"sessionTimeout":-1}}`,
		`{"testSettings":{"successUrl":"/x"}}`, `{"settings":null}`, `{"x":1}`, `{`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPatch, "/__admin/payments/accounts/2", bytes.NewReader(body))
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkFuzzResponse(t, rec)
		checkFuzzResponse(t, serveAPI(h, http.MethodGet, "/api/content/payments/accounts/2", token, nil))
	})
}
