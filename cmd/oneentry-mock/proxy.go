package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/internal/graceful"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// proxyConfig is the configuration of the proxy command.
type proxyConfig struct {
	Upstream      *url.URL
	RecordDir     string
	Addr          string
	Profile       sandbox.Profile
	FlushInterval time.Duration
	serverOptions
}

var proxyCommand = &command{
	name:     "proxy",
	synopsis: "record a front end's traffic with a project into a capsule, secrets redacted",
	env:      true,
	help: `Sits between a front end and a OneEntry project: point the front end (or the SDK's project URL)
at the proxy. Every request is forwarded unchanged, every answer checked against the contract
(breaches are logged as they happen) and recorded, secrets and personal data redacted, into a
capsule file in DIR (written atomically every --flush-interval and on shutdown). CORS preflights
are answered by the proxy itself. An upstream that has not answered shortly before --write-timeout
gets the client a 504. Replay the capsule with "oneentry-mock replay FILE".

Example:
  oneentry-mock proxy --upstream https://my-project.oneentry.cloud --record ./capsules --addr :8081`,
	flags: configFlags(proxyFlags, runProxy),
}

// proxyFlags defines the flags of proxy on f, parsing into cfg.
func proxyFlags(f *flags, cfg *proxyConfig) {
	f.url(&cfg.Upstream, "upstream", "URL", "the project to forward to, e.g. https://<project>.oneentry.cloud")
	f.string(&cfg.RecordDir, "record", "", "DIR", "folder the capsule file is written to")
	f.addr(&cfg.Addr, defaultAddr, "listen address")
	f.profile(&cfg.Profile, "compat", sandbox.ProfileDefault.Name, "compat profile the recording is marked with")
	f.duration(&cfg.FlushInterval, "flush-interval", 5*time.Second, "how often the capsule file is rewritten while recording")
	addServerFlags(f, &cfg.serverOptions)
	f.check(func() error {
		if cfg.Upstream == nil {
			return errors.New("--upstream is required: an http(s) URL such as https://<project>.oneentry.cloud")
		}
		return nil
	})
	f.required("record", &cfg.RecordDir, "a folder for the capsule")
}

// contractCheck validates proxied API traffic against the contract, for the proxy's log.
func contractCheck() (capsule.CheckFunc, error) {
	v, err := contracts.Default(context.Background())
	if err != nil {
		return nil, err
	}
	return capsule.ContractCheck(v), nil
}

// upstreamTimeout is how long the proxy waits for the upstream's answer: the write timeout less a
// tenth of it (five seconds at most), so the client hears the proxy's 504 before the server's
// write deadline would cut the connection without a word.
func upstreamTimeout(writeTimeout time.Duration) time.Duration {
	return writeTimeout - min(writeTimeout/10, 5*time.Second)
}

// capsulePath claims a file name in dir for a recording that starts at now, and returns it.
// The name is claimed by creating the file exclusively, trying the next suffix while one exists,
// so proxies started in the same second on the same folder (parallel CI jobs) never share a file.
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
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("record: %w", err)
		}
		if err := f.Close(); err != nil {
			return "", fmt.Errorf("record: %w", err)
		}
		return p, nil
	}
}

func runProxy(ctx context.Context, cfg proxyConfig, sio stdio) error {
	stdout := sio.stdout
	logger, flushLog := newLogger(cfg.serverOptions, sio.stderr)
	defer flushLog()
	check, err := contractCheck()
	if err != nil {
		return err
	}
	// Bound before the capsule is made: a start that fails on a taken port leaves no file.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	rec, h, err := newRecordingProxy(cfg, check, logger)
	if err != nil {
		ln.Close()
		return err
	}
	path := rec.Path()
	announce(stdout, "oneentry-mock proxy", ln)
	fmt.Fprintf(stdout, "  upstream:  %s\n", cfg.Upstream)
	fmt.Fprintf(stdout, "  recording: %s\n", path)

	flushCtx, stopFlush := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { flushEvery(flushCtx, rec, cfg.FlushInterval, logger) })
	srv, ln := newHTTPServer(h, ln, cfg.serverOptions, logger)
	serveErr := graceful.Serve(ctx, srv, ln, cfg.ShutdownTimeout, graceful.Drain{})
	stopFlush()
	wg.Wait()
	if err := rec.Flush(); err != nil {
		return errors.Join(serveErr, fmt.Errorf("record: %w", err))
	}
	fmt.Fprintf(stdout, "recorded %d exchanges to %s\n", rec.Len(), path)
	return serveErr
}

// newRecordingProxy claims the capsule file in cfg.RecordDir and returns its recorder and the
// proxy that records into it.
func newRecordingProxy(cfg proxyConfig, check capsule.CheckFunc, logger *slog.Logger) (*capsule.Recorder, http.Handler, error) {
	now := time.Now()
	path, err := capsulePath(cfg.RecordDir, now)
	if err != nil {
		return nil, nil, err
	}
	rec := capsule.NewRecorder(path, capsule.Capsule{
		Contract:   capsule.ContractVersion(contracts.Spec()),
		Profile:    cfg.Profile.Name,
		RecordedAt: now.UTC().Format(time.RFC3339),
		Source:     "oneentry-mock proxy",
	})
	// An empty but valid capsule from the start: a crash before the first flush leaves a file
	// that loads.
	if err := rec.Flush(); err != nil {
		return nil, nil, fmt.Errorf("record: %w", err)
	}
	h, err := capsule.NewProxy(capsule.ProxyOptions{
		Upstream: cfg.Upstream, Recorder: rec, Check: check, Logger: logger,
		UpstreamTimeout: upstreamTimeout(cfg.WriteTimeout),
	})
	if err != nil {
		return nil, nil, err
	}
	return rec, h, nil
}

// flushEvery writes the capsule every interval until ctx ends, so a killed proxy loses at most
// one interval of exchanges.
func flushEvery(ctx context.Context, rec *capsule.Recorder, interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, func() {
		if err := rec.Flush(); err != nil {
			logger.Error("writing the capsule failed", "path", rec.Path(), "err", err)
		}
	})
}
