package contracts

import (
	"errors"
	"net/http"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/exchange"
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
	reqBody, err := exchange.ReadRequestBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := base.RoundTrip(exchange.WithBody(req.Context(), req, reqBody))
	if err != nil {
		return nil, err
	}
	limit := t.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	respBody, complete, err := exchange.BufferResponse(resp, limit)
	if err != nil {
		return nil, err
	}
	if !complete {
		return resp, nil // too large to judge; the caller reads it whole
	}

	if t.checked(req) {
		verr := t.Validator.ValidateExchange(req.Context(), exchange.WithBody(req.Context(), req, reqBody), resp.StatusCode, resp.Header, respBody)
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
