package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// proxyConfig is the configuration of the proxy command.
type proxyConfig struct {
	Upstream      *url.URL
	RecordDir     string
	Addr          string
	Compat        string
	FlushInterval time.Duration
	serverOptions
}

const proxyHelp = `usage: oneentry-mock proxy --upstream URL --record DIR [flags]

Sits between a front end and a OneEntry project: point the front end (or the SDK's project URL)
at the proxy. Every request is forwarded unchanged, every answer checked against the contract
(breaches are logged as they happen) and recorded, secrets and personal data redacted, into a
capsule file in DIR (written atomically every --flush-interval and on shutdown). CORS preflights
are answered by the proxy itself. Replay the capsule with "oneentry-mock replay FILE".

flags:
`

func parseProxyConfig(args []string, getenv func(string) string, stderr io.Writer) (proxyConfig, error) {
	env := envLookup(getenv)
	var cfg proxyConfig
	fs := flag.NewFlagSet("oneentry-mock proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), proxyHelp)
		fs.PrintDefaults()
	}
	upstream := fs.String("upstream", env.get("UPSTREAM", ""), "the project to forward to, e.g. https://<project>.oneentry.cloud (env ONEENTRY_MOCK_UPSTREAM)")
	fs.StringVar(&cfg.RecordDir, "record", env.get("RECORD", ""), "folder the capsule file is written to (env ONEENTRY_MOCK_RECORD)")
	fs.StringVar(&cfg.Addr, "addr", env.get("ADDR", ":8080"), "listen address (env ONEENTRY_MOCK_ADDR)")
	fs.StringVar(&cfg.Compat, "compat", env.get("COMPAT", sandbox.ProfileLive2026.Name), "compat profile the recording is marked with: "+strings.Join(sandbox.ProfileNames(), " or ")+" (env ONEENTRY_MOCK_COMPAT)")
	flush := fs.String("flush-interval", env.get("FLUSH_INTERVAL", "5s"), "how often the capsule file is rewritten while recording (env ONEENTRY_MOCK_FLUSH_INTERVAL)")
	finishServerFlags := addServerFlags(fs, env, &cfg.serverOptions)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("proxy: unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(*upstream)
	if *upstream == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("upstream: want an http(s) URL such as https://<project>.oneentry.cloud, got %q", *upstream)
	}
	cfg.Upstream = u
	if cfg.RecordDir == "" {
		return cfg, errors.New("record: a folder for the capsule is required")
	}
	if _, err := sandbox.ParseProfile(cfg.Compat); err != nil {
		return cfg, fmt.Errorf("compat: %w", err)
	}
	if cfg.FlushInterval, err = positiveDuration("flush-interval", *flush); err != nil {
		return cfg, err
	}
	if err := finishServerFlags(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// contractCheck validates proxied API traffic against the contract, for the proxy's log.
func contractCheck() (capsule.CheckFunc, error) {
	v, err := contracts.Default(context.Background())
	if err != nil {
		return nil, err
	}
	return capsule.ContractCheck(v), nil
}

// capsulePath picks a file name in dir that does not exist yet.
func capsulePath(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	base := "capsule-" + now.UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		name := base + ".json"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.json", base, i)
		}
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return p, nil
		}
	}
}

func runProxy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseProxyConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.serverOptions, stderr)
	check, err := contractCheck()
	if err != nil {
		return err
	}
	now := time.Now()
	path, err := capsulePath(cfg.RecordDir, now)
	if err != nil {
		return err
	}
	rec := capsule.NewRecorder(path, capsule.Capsule{
		Contract:   capsule.ContractVersion(contracts.Spec()),
		Profile:    cfg.Compat,
		RecordedAt: now.UTC().Format(time.RFC3339),
		Source:     "oneentry-mock proxy",
	})
	// An empty but valid capsule from the start: a crash before the first flush leaves a file
	// that loads.
	if err := rec.Flush(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	h, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: cfg.Upstream, Recorder: rec, Check: check, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "oneentry-mock proxy listening on http://%s\n", displayAddr(ln.Addr()))
	fmt.Fprintf(stdout, "  upstream:  %s\n", cfg.Upstream)
	fmt.Fprintf(stdout, "  recording: %s\n", path)

	flushCtx, stopFlush := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { flushEvery(flushCtx, rec, cfg.FlushInterval, logger) })
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	serveErr := serve(ctx, srv, ln, cfg.ShutdownTimeout)
	stopFlush()
	wg.Wait()
	if err := rec.Flush(); err != nil {
		return errors.Join(serveErr, fmt.Errorf("record: %w", err))
	}
	fmt.Fprintf(stdout, "recorded %d exchanges to %s\n", rec.Len(), path)
	return serveErr
}

// flushEvery writes the capsule every interval until ctx ends, so a killed proxy loses at most
// one interval of exchanges.
func flushEvery(ctx context.Context, rec *capsule.Recorder, interval time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := rec.Flush(); err != nil {
				logger.Error("writing the capsule failed", "path", rec.Path(), "err", err)
			}
		}
	}
}
