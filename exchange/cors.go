package exchange

import "net/http"

// ExposedHeaders are the response headers browser code may read across origins: the request
// id and the mock's own headers, so a front end can tell an injected fault from a real one, and
// the replay's X-Capsule-Exchange (which recorded exchange answered). The mock, the proxy and the
// replay expose the same list.
const ExposedHeaders = "X-Request-Id, X-Mock-Fault, X-Mock-Limit, X-Mock-Nearest-Route, X-Capsule-Exchange"

// defaultAllowHeaders are the request headers a preflight that names none is granted: those
// the SDK, the mock's admin clients and a request id send.
const defaultAllowHeaders = "Content-Type, Authorization, x-app-token, x-device-metadata, x-guest-id, x-admin-token, x-request-id, Accept"

// SetCORS sets the CORS headers that let a page on origin ("" when the request named none)
// read an answer of the content API, which front ends on any origin call: the origin itself
// with credentials, or "*" without, and ExposedHeaders.
func SetCORS(h http.Header, origin string) {
	if origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Expose-Headers", ExposedHeaders)
}

// IsPreflight reports whether r is a CORS preflight.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// AnswerPreflight answers r when it is a CORS preflight, with the grants the origin's headers
// (set before) come with, and reports whether it did.
func AnswerPreflight(w http.ResponseWriter, r *http.Request) bool {
	if !IsPreflight(r) {
		return false
	}
	AnswerOptions(w, r)
	return true
}

// AnswerOptions answers an OPTIONS request as a CORS preflight, as the cors middleware behind
// NestJS's enableCors answers every OPTIONS, whether or not it names the method to come.
func AnswerOptions(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
	// The headers the browser asks for, as the cors middleware of NestJS's enableCors grants
	// by default: a front end's own headers (Sentry's sentry-trace and baggage, say) pass as
	// they pass the live API.
	h.Add("Vary", "Access-Control-Request-Headers")
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	} else {
		h.Set("Access-Control-Allow-Headers", defaultAllowHeaders)
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}
