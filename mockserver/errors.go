package mockserver

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

var statusByCode = map[store.Code]int{
	store.CodeInvalid:      http.StatusBadRequest,
	store.CodeUnauthorized: http.StatusUnauthorized,
	store.CodeForbidden:    http.StatusForbidden,
	store.CodeNotFound:     http.StatusNotFound,
	store.CodeConflict:     http.StatusConflict,
	store.CodeTooLarge:     http.StatusRequestEntityTooLarge,
	store.CodeUnsupported:  http.StatusUnsupportedMediaType,
	store.CodeTooMany:      http.StatusTooManyRequests,
	store.CodeMemoryFull:   http.StatusConflict,
	store.CodeIDsUsedUp:    http.StatusConflict,
}

// mockLimits names, for the X-Mock-Limit header, the codes of the mock's own limits.
var mockLimits = map[store.Code]string{store.CodeMemoryFull: "memory", store.CodeIDsUsedUp: "ids"}

// mockLimitHeader marks a refusal by one of the mock's own limits, which the live API never
// answers; the response check lets such answers through.
const mockLimitHeader = "X-Mock-Limit"

// statusOf is the status that answers err, for the API and the dashboard alike: a store
// error's by its code (400 for a code without one), 500 for anything else, which is the
// mock's own fault.
func statusOf(err error) int {
	var e *store.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	if status, ok := statusByCode[e.Code]; ok {
		return status
	}
	return http.StatusBadRequest
}

// writeError answers with the live error body. Errors that are not *store.Error are the
// mock's own faults: logged, and answered 500 without details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, message := statusOf(err), any("Internal server error")
	var e *store.Error
	if errors.As(err, &e) {
		message = e.Message
		if limit, ok := mockLimits[e.Code]; ok {
			// Marks an answer the live API never gives, so that the response check and a
			// front end's developer can tell it from the API's own 409s.
			w.Header().Set(mockLimitHeader, limit)
		}
		if len(e.Messages) > 0 {
			message = e.Messages
		}
	} else {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.writeErrorStatus(w, r, status, message)
}

func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, message any) {
	sb := sandboxFrom(r.Context())
	if sb == nil {
		sb = s.sandboxes.Default()
	}
	s.writeJSON(w, status, exchange.NewErrorBody(status, message, sb.Store().Now()))
}

// writeJSON encodes v as the response body.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		status = http.StatusInternalServerError
		data = []byte(`{"statusCode":500,"message":"Internal server error","error":"Internal Server Error","pageData":null,"timestamp":""}`)
	}
	s.writeRaw(w, status, data)
}

// writeRaw sends bytes that are already JSON (fixtures encoded once at start-up).
func (s *Server) writeRaw(w http.ResponseWriter, status int, data []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
