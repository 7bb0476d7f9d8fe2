package contracts

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Transport is an http.RoundTripper that validates every exchange passing through it against the
// contract and reports each violation, without ever failing the call: the caller always receives
// the response exactly as the server sent it. Scenario clients use it so mock and live traffic
// are both checked on every run.
//
// Requests outside the contract's base path (such as /__admin/*) and CORS preflights are passed
// through unchecked; a request under the base path that matches no operation is reported with
// Kind KindRoute.
type Transport struct {
	Base      http.RoundTripper // nil = http.DefaultTransport
	Validator *Validator
	Report    func(req *http.Request, v Violation) // may be nil
	// MaxBody bounds the answer held for validation (0: DefaultMaxBody). A longer one is
	// passed on unvalidated, streaming, for the caller's own limit to judge.
	MaxBody int64
}

// DefaultMaxBody is the largest answer Transport validates unless told otherwise.
const DefaultMaxBody = 32 << 20

var _ http.RoundTripper = (*Transport)(nil)

// RoundTrip sends req through Base, buffering both bodies so they can be validated and still
// read by the caller.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Validator == nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errors.New("contracts: Transport has no Validator")
	}

	// A RoundTripper must not modify req, so the request sent and the one validated are clones
	// that share the buffered body bytes.
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		reqBody, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	resp, err := base.RoundTrip(withBody(req, reqBody))
	if err != nil {
		return nil, err
	}
	limit := t.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	if int64(len(respBody)) > limit {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(respBody), resp.Body), resp.Body}
		return resp, nil
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	if t.checked(req) {
		verr := t.Validator.ValidateExchange(req.Context(), withBody(req, reqBody), resp.StatusCode, resp.Header, respBody)
		if t.Report != nil {
			for _, v := range Violations(verr) {
				t.Report(req, v)
			}
		}
	}
	return resp, nil
}

// checked reports whether req is contract traffic.
func (t *Transport) checked(req *http.Request) bool {
	if req.Method == http.MethodOptions {
		return false
	}
	base := t.Validator.base
	if base == "" {
		return true
	}
	p := RoutedPath(req.URL.Path)
	return p == base || strings.HasPrefix(p, base+"/")
}

// withBody returns a clone of req whose body reads data. A nil data means req had no body
// (nil or http.NoBody), which the clone keeps.
func withBody(req *http.Request, data []byte) *http.Request {
	r := req.Clone(req.Context())
	if data == nil {
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r.ContentLength = int64(len(data))
	return r
}
