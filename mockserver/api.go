package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// access says what a route needs besides the app token.
type access int

const (
	public access = iota
	user
	// userOrGuest takes a user's bearer token when the request has one (a bad one is a 401),
	// and lets the request through without one: the guest cart's routes.
	userOrGuest
)

// scope is what the API wrapper establishes for a handler.
type scope struct {
	sandbox *sandbox.Sandbox
	store   *store.Store
	claims  store.Claims
	body    []byte
	// device is what x-device-metadata says, on the routes that read it.
	device store.DeviceInfo
}

// guards are the checks a route makes before its handler runs.
type guards struct {
	level   access
	maxBody int64
	// device: the route reads x-device-metadata, which the live API's guard checks.
	device bool
}

// api wraps a content-API handler with the checks the live API makes, in its order: the body
// parsers, which Express runs before anything of NestJS (for a JSON or URL-encoded body:
// charset 415, size 413, JSON syntax 400); then the guards (app token 403, user bearer 401);
// then what the route reads itself (any other body, a multipart upload, with its size 413;
// x-device-metadata 400); then the pipes (contract 400).
func (s *Server) api(g guards, op *contracts.Operation, h func(http.ResponseWriter, *http.Request, *scope)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
		var body []byte
		parsedFirst := readByBodyParser(r)
		if parsedFirst {
			var err error
			if body, err = s.parseBody(w, r, g.maxBody); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := undecodableParam(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		if sb == nil {
			s.writeErrorStatus(w, r, http.StatusForbidden, "Resource is closed")
			return
		}
		st := sb.Store()
		sc := &scope{sandbox: sb, store: st, body: body}
		if g.level == user || g.level == userOrGuest && r.Header.Get("Authorization") != "" {
			claims, err := s.bearer(r, st)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			sc.claims = claims
		}
		if !parsedFirst {
			var err error
			if sc.body, err = s.parseBody(w, r, g.maxBody); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if g.device {
			device, err := s.device(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			sc.device = device
		}
		if err := s.validateRequest(r, op, sc.body); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, sc)
	}
}

func (s *Server) bearer(r *http.Request, st *store.Store) (store.Claims, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return store.Claims{}, store.Errorf(store.CodeUnauthorized, "Unauthorized")
	}
	return st.VerifyAccessToken(r.Context(), strings.TrimSpace(token))
}

// undecodableParam refuses a path parameter whose percent-escapes decode to bytes that are not
// UTF-8 (`%FF`), as Express's router does when it matches the route, before any guard:
// decodeURIComponent throws, and the router answers 400 naming the parameter as it was sent.
// A parameter is one segment, and a literal segment with such escapes matches no route.
func undecodableParam(r *http.Request) error {
	for _, v := range mux.Vars(r) {
		if utf8.ValidString(v) {
			continue
		}
		for _, seg := range strings.Split(r.URL.EscapedPath(), "/") {
			if u, err := url.PathUnescape(seg); err == nil && !utf8.ValidString(u) {
				return store.Invalid(fmt.Sprintf("Failed to decode param '%s'", seg))
			}
		}
		return store.Invalid(fmt.Sprintf("Failed to decode param '%s'", url.PathEscape(v)))
	}
	return nil
}

// validateRequest checks the request against the contract; a body broken in a way the body
// parser let through (sent with no Content-Type) gets the parser's wording.
func (s *Server) validateRequest(r *http.Request, op *contracts.Operation, body []byte) error {
	if queryLangCode(r.URL.RawQuery) == store.AllLanguages {
		// The store's own name for "every language at once", which no client may ask for.
		return store.Invalid("langCode: " + store.AllLanguages + " is not a locale")
	}
	err := op.ValidateRequest(r.Context(), r, mux.Vars(r))
	if err == nil {
		return nil
	}
	if isJSONBody(r) && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		return store.Errorf(store.CodeInvalid, "%s", jsonSyntaxMessage(body))
	}
	msgs := contracts.Messages(contracts.Violations(err), contracts.PhaseRequest)
	if len(msgs) == 0 {
		msgs = []string{"request does not match the API contract"}
	}
	return store.Invalid(msgs...)
}

// queryLangCode is the first langCode of a raw query, unescaped, as url.Values.Get would read
// it, without parsing the query into a map on every request.
func queryLangCode(rawQuery string) string {
	for rawQuery != "" {
		var param string
		param, rawQuery, _ = strings.Cut(rawQuery, "&")
		key, v, _ := strings.Cut(param, "=")
		if strings.ContainsAny(key, "%+") {
			// lang%43ode is langCode to the query parser the handlers read it with.
			if u, err := url.QueryUnescape(key); err == nil {
				key = u
			}
		}
		if key == "langCode" {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	return ""
}
