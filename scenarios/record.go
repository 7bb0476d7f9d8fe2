package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
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
	// appToken is masked wherever it appears, inside strings too: the mock's checkout URLs
	// carry it in their path.
	appToken string
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
	reqBody, err := exchange.ReadRequestBody(req)
	if err != nil {
		return nil, err
	}
	sink := &violationSink{}
	out := exchange.WithBody(context.WithValue(req.Context(), sinkKey{}, sink), req, reqBody)

	ex := exchange.Exchange{
		Method:         req.Method,
		Path:           req.URL.Path,
		Query:          req.URL.RawQuery,
		RequestHeaders: requestHeaders(req.Header),
	}
	ex.RequestBody, ex.RequestText, ex.Truncated = r.body(reqBody)

	start := time.Now()
	resp, err := r.next.RoundTrip(out)
	if err != nil {
		ex.DurationMs = exchange.Millis(time.Since(start))
		ex.Error = err.Error()
		r.env.record(ex, sink.take())
		return nil, err
	}
	// Only what the record keeps is held here: the client reads the rest under its own limit.
	respBody, complete, rerr := exchange.BufferResponse(resp, MaxRecordedBody)
	ex.DurationMs = exchange.Millis(time.Since(start))
	ex.Status = resp.StatusCode
	ex.ResponseHeaders = exchange.ResponseHeaders(resp.Header)
	var cut bool
	ex.ResponseBody, ex.ResponseText, cut = r.body(respBody)
	ex.Truncated = ex.Truncated || cut || !complete && rerr == nil
	if rerr != nil {
		ex.Error = rerr.Error()
		r.env.record(ex, sink.take())
		return nil, rerr
	}
	r.env.record(ex, sink.take())
	return resp, nil
}

// body turns a body into its recorded, masked form: compact JSON, or text for anything else.
func (r *recorder) body(b []byte) (json.RawMessage, string, bool) {
	js, text, cut := exchange.Mask(b, MaxRecordedBody, r.secrets)
	// Short tokens would mask unrelated text; JSON-escaped ones would not match.
	if len(r.appToken) >= 8 && !strings.ContainsAny(r.appToken, "\"\\") {
		js = bytes.ReplaceAll(js, []byte(r.appToken), []byte(exchange.Redacted))
		text = strings.ReplaceAll(text, r.appToken, exchange.Redacted)
	}
	return js, text, cut
}

// requestHeaders keeps the request headers that matter for comparing runs, with credentials
// reduced to their presence: a report may be published from a run against a live project.
func requestHeaders(h http.Header) map[string]string {
	out := exchange.MaskHeaders(h, "content-type", "accept", "x-app-token", "authorization", "x-device-metadata")
	if _, ok := out["x-app-token"]; ok {
		out["x-app-token"] = "[present]"
	}
	return out
}
