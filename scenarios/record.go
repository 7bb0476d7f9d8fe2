package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
)

// MaxRecordedBody bounds each body kept in an Exchange; longer bodies are kept as truncated
// text.
const MaxRecordedBody = 256 << 10

// recorder is the outermost RoundTripper of a flow's clients: it keeps a redacted copy of every
// exchange, with the violations the contract transport beneath it reported, in the current step.
type recorder struct {
	next    http.RoundTripper
	env     *Env
	secrets []string
}

var _ http.RoundTripper = (*recorder)(nil)

// violationSink collects the violations of one exchange. It travels in the request's context,
// because contracts.Transport reports with the request and nothing else.
type violationSink struct {
	mu sync.Mutex
	vs []contracts.Violation
}

type sinkKey struct{}

// reportViolation is the contracts.Transport Report function of scenario clients.
func reportViolation(req *http.Request, v contracts.Violation) {
	if sink, ok := req.Context().Value(sinkKey{}).(*violationSink); ok {
		sink.mu.Lock()
		sink.vs = append(sink.vs, v)
		sink.mu.Unlock()
	}
}

func (s *violationSink) take() []contracts.Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vs
}

// RoundTrip sends req on and records it with its answer.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
	}
	sink := &violationSink{}
	out := req.Clone(context.WithValue(req.Context(), sinkKey{}, sink))
	if reqBody != nil {
		out.Body = io.NopCloser(bytes.NewReader(reqBody))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
		out.ContentLength = int64(len(reqBody))
	}

	ex := Exchange{
		Method:         req.Method,
		Path:           req.URL.Path,
		Query:          req.URL.RawQuery,
		RequestHeaders: requestHeaders(req.Header),
	}
	ex.RequestBody, ex.RequestText, ex.Truncated = r.body(reqBody)

	start := time.Now()
	resp, err := r.next.RoundTrip(out)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.Error = err.Error()
		r.env.record(ex, sink.take())
		return nil, err
	}
	respBody, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	ex.Duration = time.Since(start)
	ex.Status = resp.StatusCode
	ex.ResponseHeaders = responseHeaders(resp.Header)
	var cut bool
	ex.ResponseBody, ex.ResponseText, cut = r.body(respBody)
	ex.Truncated = ex.Truncated || cut
	if rerr != nil {
		ex.Error = rerr.Error()
		r.env.record(ex, sink.take())
		return nil, rerr
	}
	r.env.record(ex, sink.take())
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	return resp, nil
}

// body turns a body into its recorded, redacted form: compact JSON, or text for anything else.
func (r *recorder) body(b []byte) (js json.RawMessage, text string, truncated bool) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, "", false
	}
	if len(b) > MaxRecordedBody {
		return nil, redactText(string(b[:MaxRecordedBody]), r.secrets), true
	}
	if json.Valid(b) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err == nil {
			return json.RawMessage(redactJSON(buf.Bytes(), r.secrets)), "", false
		}
	}
	return nil, redactText(string(b), r.secrets), false
}

// redacted replaces secret values in recordings.
const redacted = "[redacted]"

var (
	// secretMembers matches "key":"value" members whose value is a credential, in compact JSON.
	secretMembers = regexp.MustCompile(`"(accessToken|refreshToken|clientSecret|password|tokenSecret|tokenSecretKey|signingSecretKey)":"(?:[^"\\]|\\.)*"`)
	// passwordAuthData matches authData entries of password fields as the client writes them
	// (marker before value).
	passwordAuthData = regexp.MustCompile(`("marker":"[^"]*(?i:pass)[^"]*","value":)"(?:[^"\\]|\\.)*"`)
)

// redactJSON blanks credentials in a compact JSON document without reordering it.
func redactJSON(b []byte, secrets []string) []byte {
	b = secretMembers.ReplaceAll(b, []byte(`"$1":"`+redacted+`"`))
	b = passwordAuthData.ReplaceAll(b, []byte(`$1"`+redacted+`"`))
	for _, s := range secrets {
		if s == "" {
			continue
		}
		b = bytes.ReplaceAll(b, jsonString(s), []byte(`"`+redacted+`"`))
	}
	return b
}

func redactText(s string, secrets []string) string {
	s = string(redactJSON([]byte(s), nil))
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}

// jsonString encodes s as a JSON string the way encoding/json writes it in request bodies.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// requestHeaders keeps the request headers that matter for comparing runs, with credentials
// reduced to their presence.
func requestHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	if v := h.Get("Content-Type"); v != "" {
		out["content-type"] = v
	}
	if v := h.Get("Accept"); v != "" {
		out["accept"] = v
	}
	if h.Get("x-app-token") != "" {
		out["x-app-token"] = "[present]"
	}
	if v := h.Get("Authorization"); v != "" {
		if scheme, _, ok := strings.Cut(v, " "); ok {
			out["authorization"] = scheme + " " + redacted
		} else {
			out["authorization"] = redacted
		}
	}
	if v := h.Get("x-device-metadata"); v != "" {
		out["x-device-metadata"] = v
	}
	return out
}

// responseHeaders keeps the content type and the CORS headers.
func responseHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for name, vs := range h {
		lower := strings.ToLower(name)
		if lower == "content-type" || strings.HasPrefix(lower, "access-control-") {
			out[lower] = strings.Join(vs, ", ")
		}
	}
	return out
}
