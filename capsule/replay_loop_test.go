package capsule_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
)

// sessionCapsule records one payment session whose paymentUrl, like the mock's checkout URL,
// holds the app token's placeholder.
func sessionCapsule() *capsule.Capsule {
	return &capsule.Capsule{
		Format: capsule.Format, Version: capsule.Version, Profile: "live-2026",
		Redactions: map[string]string{"<app-token>": capsule.KindAppToken},
		Exchanges: []capsule.Exchange{{
			Method: http.MethodPost, Path: "/api/content/payments/sessions",
			RequestBody: json.RawMessage(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`),
			Status:      http.StatusCreated,
			ResponseBody: json.RawMessage(`{"id":49,"status":"waiting",` +
				`"paymentUrl":"http://127.0.0.1:8080/checkout/\u003capp-token\u003e/cs_test_0123"}`),
		}},
	}
}

func postSession(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+"/api/content/payments/sessions", "application/json",
		strings.NewReader(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// Without --loop an exchange answers once; with it, a request that finds nothing left starts
// the capsule over, so a front end can run against it again and again.
func TestReplayLoopStartsOver(t *testing.T) {
	t.Parallel()
	for _, loop := range []bool{false, true} {
		rp, err := capsule.NewReplay(sessionCapsule(), capsule.ReplayOptions{Loop: loop})
		require.NoError(t, err)
		ts := httptest.NewServer(rp)
		t.Cleanup(ts.Close)
		status, _ := postSession(t, ts.URL)
		require.Equal(t, http.StatusCreated, status)
		status, _ = postSession(t, ts.URL)
		if loop {
			assert.Equal(t, http.StatusCreated, status, "with Loop the second run is served too")
		} else {
			assert.Equal(t, http.StatusNotFound, status, "without Loop each exchange answers once")
		}
	}
}

// A recorded URL with a placeholder is served as a link to the replay itself, which opens a
// page naming the recorded URL.
func TestReplayRewritesRedactedURLs(t *testing.T) {
	t.Parallel()
	rp, err := capsule.NewReplay(sessionCapsule(), capsule.ReplayOptions{})
	require.NoError(t, err)
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	_, body := postSession(t, ts.URL)
	var session struct {
		PaymentURL string `json:"paymentUrl"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &session))
	assert.Equal(t, ts.URL+"/__replay/link/1", session.PaymentURL)

	resp, err := http.Get(session.PaymentURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "http://127.0.0.1:8080/checkout/&lt;app-token&gt;/cs_test_0123")
}
