package capsule_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
)

var update = flag.Bool("update", false, "rewrite fixtures/recorded/seed.capsule.json")

const (
	seedCapsulePath = "../fixtures/recorded/seed.capsule.json"
	recordedDir     = "../fixtures/recorded"
)

// seedRequest is one request of the seed scenario as SDK 1.0.115 sends it, with the file of its
// recorded answer. The seed's PUT of the payment session has no recorded answer (the final
// printout was captured without it), so it is not in the capsule.
type seedRequest struct {
	method, path, query string
	user                bool
	body                string
	status              int
	answer              string
}

var seedRequests = []seedRequest{
	{"POST", "/api/content/users-auth-providers/marker/email/users/auth", "", false,
		`{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`, 201, "auth.json"},
	{"GET", "/api/content/forms/marker/tickets_form", "langCode=en_US", true, "", 200, "form-tickets_form.json"},
	{"POST", "/api/content/orders-storage/marker/tickets/orders", "", true,
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`, 201, "order-create.json"},
	{"POST", "/api/content/payments/sessions", "", true, `{"orderId":92,"type":"session","automaticTaxEnabled":false}`, 201, "payment-session-create.json"},
	{"GET", "/api/content/payments/sessions/order/92", "", true, "", 200, "payment-session-by-order.json"},
}

// buildSeedCapsule assembles the seed capsule from the recorded answers, redacted like any
// recording.
func buildSeedCapsule(t *testing.T) *capsule.Capsule {
	t.Helper()
	var auth struct{ AccessToken string }
	authJSON, err := os.ReadFile(filepath.Join(recordedDir, "auth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(authJSON, &auth))

	red := capsule.NewRedactor()
	c := capsule.New(capsule.ContractVersion(contracts.Spec()), "sdk-1.0.115")
	c.Source = "seed scenario (ticket ordering, SDK 1.0.115, April 2025): the recorded live answers of fixtures/recorded/*.json, with the requests SDK 1.0.115 sends for them; response headers were not recorded"
	for _, r := range seedRequests {
		answer, err := os.ReadFile(filepath.Join(recordedDir, r.answer))
		require.NoError(t, err)
		h := http.Header{"Content-Type": {"application/json"}, "X-App-Token": {seedAppToken}}
		if r.user {
			h.Set("Authorization", "Bearer "+auth.AccessToken)
		}
		c.Exchanges = append(c.Exchanges, red.Exchange(capsule.RawExchange{
			Method: r.method, Path: r.path, RawQuery: r.query, RequestHeader: h, RequestBody: []byte(r.body),
			Status: r.status, ResponseHeader: http.Header{}, ResponseBody: answer,
		}))
	}
	c.Redactions = red.Redactions()
	return c
}

// TestSeedCapsuleIsCurrent checks fixtures/recorded/seed.capsule.json against the recorded answers;
// `go test ./capsule -run TestSeedCapsule -update` rewrites it. The contract field records the
// contract the file was generated against and is not compared: editing the contract must not
// invalidate the recording.
func TestSeedCapsuleIsCurrent(t *testing.T) {
	t.Parallel()
	want := buildSeedCapsule(t)
	if *update {
		require.NoError(t, capsule.WriteFile(seedCapsulePath, want))
	}
	got, err := capsule.Load(seedCapsulePath)
	require.NoError(t, err, "run: go test ./capsule -run TestSeedCapsule -update")
	assert.True(t, strings.HasPrefix(got.Contract, "sha256:"))
	got.Contract = want.Contract
	gotJSON, err := got.Marshal()
	require.NoError(t, err)
	wantJSON, err := want.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(wantJSON), string(gotJSON), "seed.capsule.json is out of date: go test ./capsule -run TestSeedCapsule -update")
}

func TestSeedCapsuleHoldsNoSecretAndKeepsTheContract(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(seedCapsulePath)
	require.NoError(t, err)
	var auth struct{ AccessToken, RefreshToken string }
	authJSON, err := os.ReadFile(filepath.Join(recordedDir, "auth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(authJSON, &auth))
	for _, secret := range []string{seedAppToken, seedLogin, `"` + seedPassword + `"`, auth.AccessToken, auth.RefreshToken} {
		assert.NotContains(t, string(data), secret)
	}

	c, err := capsule.Load(seedCapsulePath)
	require.NoError(t, err)
	require.Len(t, c.Exchanges, len(seedRequests))
	reissuer := capsule.NewReissuer(c.Redactions)
	v := mocktest.Contract(t)
	for i, e := range c.Exchanges {
		req := httptest.NewRequest(e.Method, e.Path+"?"+e.Query, bytes.NewReader(reissuer.Issue(e.RequestPayload())))
		for k, val := range e.RequestHeaders {
			req.Header.Set(k, reissuer.IssueString(val))
		}
		err := v.ValidateExchange(t.Context(), req, e.Status, http.Header{"Content-Type": {"application/json"}}, reissuer.Issue(e.Body()))
		assert.Empty(t, contracts.Violations(err), "exchange %d: %s", i+1, e.String())
	}
}
