package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

var healthcheckCommand = &command{
	name:     "healthcheck",
	synopsis: "exit 0 when a running sandbox answers /healthz (for container health checks)",
	help: `Asks the health endpoint of a running sandbox and exits 0 when it answers 200, 1 otherwise.
Without --url it probes the port of ONEENTRY_MOCK_ADDR on 127.0.0.1, as the container image runs it
(8080 when the variable is unset; a value with no port to read is a usage error).

Example:
  oneentry-mock healthcheck --url http://127.0.0.1:8080/healthz --timeout 2s`,
	flags: func(f *flags, getenv func(string) string) runFunc {
		var timeout time.Duration
		addr := getenv(envName("addr"))
		probe, addrErr := healthURL(addr)
		f.url(&probe, "url", "URL", "health endpoint to probe")
		f.duration(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
		f.check(func() error {
			if probe == nil { // no --url, and the variable names no port to probe
				return fmt.Errorf("%s=%q: %w (or give --url)", envName("addr"), addr, addrErr)
			}
			return nil
		})
		return func(ctx context.Context, _ []string, _ stdio) error { return healthcheck(ctx, probe.String(), timeout) }
	},
}

// healthURL is the health endpoint on 127.0.0.1 at the port of the listen address addr, the
// container's ONEENTRY_MOCK_ADDR (8080 when empty): its host is one the server listens on,
// which need not be one to connect to (0.0.0.0).
func healthURL(addr string) (*url.URL, error) {
	if addr == "" {
		addr = ":8080"
	}
	if err := checkListenAddr(addr); err != nil {
		return nil, err
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", port), Path: "/healthz"}, nil
}

func healthcheck(ctx context.Context, url string, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, url, nil)
	if err != nil {
		return exitError{code: 1, msg: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exitError{code: 1, msg: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return exitError{code: 1, msg: fmt.Sprintf("%s answered %d", url, resp.StatusCode)}
	}
	return nil
}
