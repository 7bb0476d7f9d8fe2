package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/internal/graceful"
)

// roleEnv selects what the harness binary does when it runs itself: with roleBare it is the bare
// server. An environment variable rather than a flag, so that a test binary re-executed the same
// way can tell from TestMain, before the testing package parses its own flags.
const (
	roleEnv  = "ONEENTRY_BENCH_ROLE"
	roleBare = "bare"
)

// canned is one recorded answer of the mock.
type canned struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"`
}

// cannedSet holds the mock's own answers to every request the scenarios make, recorded once
// before the load starts, so the bare server sends the very bytes the mock sends.
type cannedSet struct {
	Login           canned `json:"login"`
	Form            canned `json:"form"`
	OrderCreate     canned `json:"orderCreate"`
	SessionCreate   canned `json:"sessionCreate"`
	SessionsByOrder canned `json:"sessionsByOrder"`
	Order           canned `json:"order"`
}

// bareHandler is the ceiling of the machine: a net/http handler that does nothing but pick a
// canned answer by method and path and write it, as a hand-written fixed-response stub would.
type bareHandler struct {
	set     *cannedSet
	healthz canned
}

func (h *bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	var c *canned
	switch r.Method {
	case http.MethodGet:
		switch {
		case p == "/healthz":
			c = &h.healthz
		case strings.HasPrefix(p, "/api/content/forms/marker/"):
			c = &h.set.Form
		case strings.HasPrefix(p, "/api/content/payments/sessions/order/"):
			c = &h.set.SessionsByOrder
		case strings.HasPrefix(p, "/api/content/orders-storage/"):
			c = &h.set.Order
		}
	case http.MethodPost:
		switch {
		case strings.HasSuffix(p, "/users/auth"):
			c = &h.set.Login
		case p == "/api/content/payments/sessions":
			c = &h.set.SessionCreate
		case strings.HasPrefix(p, "/api/content/orders-storage/"):
			c = &h.set.OrderCreate
		}
		// A real handler reads what it is sent; net/http would otherwise drain it after the reply.
		_, _ = io.Copy(io.Discard, r.Body)
	}
	if c == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(c.Body)))
	w.WriteHeader(c.Status)
	_, _ = w.Write(c.Body)
}

// runBare serves the canned answers in the file named by -responses on 127.0.0.1 until ctx ends.
// Its first line of output is the address, as oneentry-mock's is.
func runBare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("responses", "", "JSON file of canned answers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("bare: -responses is required")
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return fmt.Errorf("bare: %w", err)
	}
	var set cannedSet
	if err := json.Unmarshal(data, &set); err != nil {
		return fmt.Errorf("bare: %s: %w", *path, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bare net/http listening on http://%s\n", ln.Addr())
	srv := &http.Server{
		Handler:           &bareHandler{set: &set, healthz: canned{Status: http.StatusOK, Body: []byte(`{"status":"ok"}`)}},
		ReadHeaderTimeout: 5 * time.Second,
	}
	return graceful.Serve(ctx, srv, ln, stopTimeout, graceful.Drain{})
}
