package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/webhook"
)

func ExampleSign() {
	at := time.Date(2025, 4, 26, 16, 30, 0, 0, time.UTC)
	fmt.Println(webhook.Sign([]byte("whsec_test"), at, []byte(`{"id":"ps_1","status":"completed"}`)))
	// Output: t=1745685000,v1=ca90fa8006ead79eacce9e505e4414d0c43dc3e37ee4e7a3aa1d4223601898d2
}

// A receiver verifies the raw body before decoding it.
func ExampleVerify() {
	secret := []byte("whsec_test")
	receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	send := func(signed, sent string) {
		req := httptest.NewRequest(http.MethodPost, "/hooks/payments", strings.NewReader(sent))
		req.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, time.Now(), []byte(signed)))
		rec := httptest.NewRecorder()
		receiver.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(rec.Code, " ", rec.Body.String())))
	}
	send(`{"status":"completed"}`, `{"status":"completed"}`)
	send(`{"status":"completed"}`, `{"status":"canceled"}`)
	// Output:
	// 204
	// 400 webhook: no signature matches the body
}
