package mockserver

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/contracts"
)

// bufferedResponse holds a handler's answer until it has been checked.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// responseOperation is the operation the answers of route ("METHOD template", as the request
// was routed) are checked against, nil for a route the contract does not have. GET
// /products/all is answered by the route GET /products/{id}, while the contract's own router
// would find the path of POST /products/all first and call any answer to it off the contract.
func (s *Server) responseOperation(route string) *contracts.Operation {
	method, template, _ := strings.Cut(route, " ")
	op, err := s.contract.Operation(method, template)
	if err != nil {
		return nil
	}
	return op
}

// checkResponses validates each content-API response against the contract, against op when
// the route has one; an off-contract response becomes a 500 whose message lists the breaches.
func (s *Server) checkResponses(op *contracts.Operation, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The socket's handshake is Engine.IO's, which an OpenAPI document cannot describe, and
		// it needs the connection itself.
		if !strings.HasPrefix(r.URL.Path, APIPrefix+"/") || contracts.RoutedPath(r.URL.Path) == socketPath {
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{header: http.Header{}}
		next.ServeHTTP(buf, r)
		checked := r
		if r.Method == http.MethodHead {
			// The contract has the GET; the answer is the GET's, whose body net/http drops.
			checked = r.Clone(r.Context())
			checked.Method = http.MethodGet
		}
		var err error
		if op != nil {
			err = op.ValidateResponse(r.Context(), checked, mux.Vars(r), buf.status, buf.header, buf.body.Bytes())
		} else {
			err = s.contract.ValidateResponse(r.Context(), checked, buf.status, buf.header, buf.body.Bytes())
		}
		if err != nil && !isUnrouted(err, buf.status) && buf.header.Get(mockLimitHeader) == "" {
			msgs := contracts.Messages(contracts.Violations(err), contracts.PhaseResponse)
			s.log.ErrorContext(r.Context(), "response breaks the contract", "method", r.Method, "path", r.URL.Path, "status", buf.status, "violations", strings.Join(msgs, "; "))
			s.writeErrorStatus(w, r, http.StatusInternalServerError, append([]string{fmt.Sprintf("response %d breaks the contract", buf.status)}, msgs...))
			return
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// isUnrouted is the answer to a path the contract does not know, its 404 or the body parser's
// refusal (handleUnrouted): nothing to check.
func isUnrouted(err error, status int) bool {
	return status >= 400 && status < 500 && errors.Is(err, contracts.ErrNoRoute)
}
