package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
)

const allowFile = "../../drift-allow.yaml"

func runDriftCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCmd(t, nil, append([]string{"drift"}, args...)...)
}

// TestDriftSeedCapsuleIsClean is the CI job: the mock against the seed capsule with the committed
// allow file exits 0, with every reported difference acknowledged.
func TestDriftSeedCapsuleIsClean(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "drift.json")
	_, stderr, err := runDriftCmd(t, "--target", seedCapsuleFile, "--allow", allowFile, "--format", "json", "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "json drift report written to "+out)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var r drift.Report
	require.NoError(t, json.Unmarshal(data, &r))
	assert.Equal(t, drift.TargetCapsule, r.TargetKind)
	assert.Zero(t, r.Summary.Breaking+r.Summary.Warnings+r.Summary.Info, "every difference is fixed or acknowledged")
	assert.Positive(t, r.Summary.Allowed)
}

// drifting serves the mock with order totals sent as strings in create answers: breaking.
func drifting(t *testing.T) string {
	return upstreamMock(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/orders-storage/marker/tickets/orders") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var order map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &order) == nil && order["totalSum"] != nil {
				order["totalSum"] = "100"
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(order)
		})
	})
}

func TestDriftExitCodes(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	badAllow := filepath.Join(t.TempDir(), "allow.yaml")
	require.NoError(t, os.WriteFile(badAllow, []byte("allow:\n  - {step: a/b, pointer: /x, kind: value, expires: 2030-01-01}\n"), 0o644))
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"clean":            {[]string{"--target", upstreamMock(t, nil), "--only", "ticket-purchase"}, 0, "no breaking drift"},
		"breaking":         {[]string{"--target", drifting(t), "--only", "ticket-purchase"}, 1, "/totalSum"},
		"unreachable":      {[]string{"--target", closed.URL}, 2, ""},
		"missing capsule":  {[]string{"--target", "no-such.capsule.json"}, 2, ""},
		"bad allow file":   {[]string{"--target", seedCapsuleFile, "--allow", badAllow}, 2, ""},
		"no target":        {nil, 2, ""},
		"bad format":       {[]string{"--target", seedCapsuleFile, "--format", "html"}, 2, ""},
		"bad ignore":       {[]string{"--target", seedCapsuleFile, "--ignore", "items"}, 2, ""},
		"unknown flow":     {[]string{"--target", seedCapsuleFile, "--only", "checkout"}, 2, ""},
		"live, no env set": {[]string{"--target", "live"}, 2, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, _, err := runDriftCmd(t, tc.args...)
			assert.Equal(t, tc.code, exitCode(t, err), "%v", err)
			assert.Contains(t, stdout, tc.want)
		})
	}
}

func TestDriftReportFormats(t *testing.T) {
	t.Parallel()
	target := drifting(t)
	dir := t.TempDir()
	xmlOut := filepath.Join(dir, "drift.xml")
	_, _, err := runDriftCmd(t, "--target", target, "--only", "ticket-purchase", "--format", "junit", "--out", xmlOut)
	assert.Equal(t, 1, exitCode(t, err))
	data, err := os.ReadFile(xmlOut)
	require.NoError(t, err)
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	require.Len(t, doc.Suites, 1)
	assert.Equal(t, 1, doc.Failures)
	for _, c := range doc.Suites[0].Cases {
		assert.Equal(t, c.Name == "create-order", c.Failure != nil, c.Name)
	}

	md, _, err := runDriftCmd(t, "--target", target, "--only", "ticket-purchase", "--format", "markdown", "--ignore", "/totalSum")
	assert.Equal(t, 1, exitCode(t, err), "an ignored pointer is not compared, but the answer still breaks the contract")
	assert.True(t, strings.HasPrefix(md, "## Contract drift: `mock vs "+target+" (url)`"), md)
	assert.Contains(t, md, "| breaking | `ticket-purchase/create-order` | `/totalSum` | contract |")
	assert.NotContains(t, md, "| type |")
}

func TestDriftHelpDocumentsExitCodes(t *testing.T) {
	t.Parallel()
	stdout, _, err := runDriftCmd(t, "--help")
	require.NoError(t, err)
	for _, want := range []string{"Exit codes:", "0  no breaking drift", "1  breaking drift", "2  the run itself failed", "--target live|URL|CAPSULE_FILE"} {
		assert.Contains(t, stdout, want)
	}
}
