package client_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// seen is one request as the fake API received it.
type seen struct {
	Method string
	Path   string
	// EscapedPath is the path as sent, before percent-decoding.
	EscapedPath string
	RawQuery    string
	Header      http.Header
	Body        string
}

// fakeAPI is an httptest server that records every request and answers through handler.
type fakeAPI struct {
	srv  *httptest.Server
	reqs syncList[seen]
}

// syncList is a list that handlers and hooks append to from other goroutines.
type syncList[T any] struct {
	mu    sync.Mutex
	items []T
}

func (l *syncList[T]) add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, v)
}

// all returns a copy of the list so far.
func (l *syncList[T]) all() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.items...)
}

func newFakeAPI(t *testing.T, handler http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.reqs.add(seen{
			Method:      r.Method,
			Path:        r.URL.Path,
			EscapedPath: r.URL.EscapedPath(),
			RawQuery:    r.URL.RawQuery,
			Header:      r.Header.Clone(),
			Body:        string(body),
		})
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) requests() []seen { return f.reqs.all() }

// countPath returns how many requests went to path.
func (f *fakeAPI) countPath(path string) int {
	n := 0
	for _, r := range f.requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

func (f *fakeAPI) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.URL, append([]client.Option{client.WithHTTPClient(f.srv.Client())}, opts...)...)
	require.NoError(t, err)
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// answer is a fake route that answers every request with body and the status the API gives a
// success: 201 to a POST, 200 otherwise.
func answer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		writeJSON(w, status, body)
	}
}

// issuesPair answers requests to path (an auth or refresh endpoint) with authAnswer, the pair
// access-2/refresh-2, and passes every other request to next.
func issuesPair(path string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			writeJSON(w, http.StatusCreated, authAnswer)
			return
		}
		next(w, r)
	}
}

// onlyBearer answers 401 to requests that do not carry the access token and passes the others
// to next.
func onlyBearer(token string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if bearer(r) != token {
			writeJSON(w, http.StatusUnauthorized, unauthorized)
			return
		}
		next(w, r)
	}
}

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) < len(prefix) || h[:len(prefix)] != prefix {
		return ""
	}
	return h[len(prefix):]
}

const (
	refreshPath  = "/api/content/users-auth-providers/marker/email/users/refresh"
	unauthorized = `{"statusCode":401,"message":"Unauthorized","error":"Unauthorized","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
)

// mustField returns one top-level field of a JSON object.
func mustField(t *testing.T, body, field string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	v, ok := m[field]
	require.True(t, ok, "field %s missing in %s", field, body)
	return v
}

func decodeBody(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}

func tokenName(kind string, gen int) string {
	return kind + "-" + strconv.Itoa(gen)
}
