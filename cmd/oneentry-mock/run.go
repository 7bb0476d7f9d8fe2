package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// exitError ends the process with a specific code (scenario and drift runs use 1 and 2).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

const usage = `usage: oneentry-mock <command> [flags]

commands:
  serve        run the sandbox (default fixtures embedded; see --help)
  healthcheck  exit 0 when a running sandbox answers /healthz (for container health checks)
  scenarios    run the user flows against the mock, a URL or a live project and report per step
  drift        compare the mock with a live project, a URL or a capsule, step by step (exit 1: breaking)
  proxy        record a front end's traffic with a project into a capsule, secrets redacted
  replay       serve a capsule as the API, to reproduce a recorded bug offline
  fixtures     derive a fixture set from a capsule: fixtures from-capsule CAPSULE --out DIR

Run "oneentry-mock <command> --help" for a command's flags.
`

// run is main without the process: arguments, environment and output are parameters, so
// tests drive it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{code: 2}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stderr)
	case "scenarios":
		return runScenarios(ctx, args[1:], getenv, stdout, stderr)
	case "drift":
		return runDrift(ctx, args[1:], getenv, stdout, stderr)
	case "proxy":
		return runProxy(ctx, args[1:], getenv, stdout, stderr)
	case "replay":
		return runReplay(ctx, args[1:], getenv, stdout, stderr)
	case "fixtures":
		return runFixtures(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return exitError{code: 2, msg: fmt.Sprintf("unknown command %q", args[0])}
	}
}

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	Addr            string
	FixturesDir     string
	Compat          string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	serverOptions
	MaxBodyBytes   int64
	CheckResponses bool
	SMTPURL        string
	AdminToken     string
	JournalSize    int
	DataDir        string
}

// envLookup gives flags their ONEENTRY_MOCK_* environment defaults: an explicit flag wins over
// the variable, the variable over the built-in default.
type envLookup func(string) string

func (e envLookup) get(name, def string) string {
	if v := e("ONEENTRY_MOCK_" + name); v != "" {
		return v
	}
	return def
}

func parseServeConfig(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	env := envLookup(getenv)
	var cfg serveConfig
	fs := flag.NewFlagSet("oneentry-mock serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env.get("ADDR", ":8080"), "listen address (env ONEENTRY_MOCK_ADDR)")
	fs.StringVar(&cfg.FixturesDir, "fixtures", env.get("FIXTURES", ""), "folder of fixture files replacing the embedded default (env ONEENTRY_MOCK_FIXTURES)")
	fs.StringVar(&cfg.Compat, "compat", env.get("COMPAT", sandbox.ProfileSDK115.Name), "live API generation to imitate: "+strings.Join(sandbox.ProfileNames(), " or ")+" (env ONEENTRY_MOCK_COMPAT)")
	finishServerFlags := addServerFlags(fs, env, &cfg.serverOptions)
	accessTTL := fs.String("access-token-ttl", env.get("ACCESS_TOKEN_TTL", store.DefaultAccessTokenTTL.String()), "lifetime of user access tokens (env ONEENTRY_MOCK_ACCESS_TOKEN_TTL)")
	refreshTTL := fs.String("refresh-token-ttl", env.get("REFRESH_TOKEN_TTL", store.DefaultRefreshTokenTTL.String()), "lifetime of refresh tokens (env ONEENTRY_MOCK_REFRESH_TOKEN_TTL)")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", mustInt64(env.get("MAX_BODY_BYTES", ""), mockserver.DefaultMaxBodyBytes), "largest request body accepted (env ONEENTRY_MOCK_MAX_BODY_BYTES)")
	fs.StringVar(&cfg.SMTPURL, "smtp-url", env.get("SMTP_URL", ""), "also deliver every e-mail to this SMTP server, e.g. smtp://127.0.0.1:1025 for Mailpit (env ONEENTRY_MOCK_SMTP_URL)")
	fs.StringVar(&cfg.DataDir, "data-dir", env.get("DATA_DIR", ""), "keep the state in this folder: every change is on disk before its response, and restored at start; empty keeps it in memory (env ONEENTRY_MOCK_DATA_DIR)")
	fs.StringVar(&cfg.AdminToken, "admin-token", env.get("ADMIN_TOKEN", ""), "require this value in x-admin-token on every /__admin call (env ONEENTRY_MOCK_ADMIN_TOKEN)")
	fs.IntVar(&cfg.JournalSize, "journal-size", int(mustInt64(env.get("JOURNAL_SIZE", ""), sandbox.DefaultJournalSize)), "requests kept in each sandbox's journal (env ONEENTRY_MOCK_JOURNAL_SIZE)")
	fs.BoolVar(&cfg.CheckResponses, "check-responses", env.get("CHECK_RESPONSES", "") == "true", "answer 500 instead of any response that breaks the contract; for checking custom fixtures (env ONEENTRY_MOCK_CHECK_RESPONSES=true)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.AccessTokenTTL, err = positiveDuration("access-token-ttl", *accessTTL); err != nil {
		return cfg, err
	}
	if cfg.RefreshTokenTTL, err = positiveDuration("refresh-token-ttl", *refreshTTL); err != nil {
		return cfg, err
	}
	if err := finishServerFlags(); err != nil {
		return cfg, err
	}
	if _, err := sandbox.ParseProfile(cfg.Compat); err != nil {
		return cfg, fmt.Errorf("compat: %w", err)
	}
	if cfg.MaxBodyBytes <= 0 {
		return cfg, errors.New("max-body-bytes: must be positive")
	}
	if cfg.JournalSize <= 0 {
		return cfg, errors.New("journal-size: must be positive")
	}
	return cfg, nil
}

func mustInt64(s string, def int64) int64 {
	var n int64
	if s == "" {
		return def
	}
	if _, err := fmt.Sscan(s, &n); err != nil {
		return -1 // rejected by the positivity check with the flag's name
	}
	return n
}

// positiveDuration parses a Go duration ("1s", "10h"); a bare number means seconds, as the live
// provider config states its lifetimes.
func positiveDuration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		var secs int64
		if _, serr := fmt.Sscan(v, &secs); serr != nil || fmt.Sprint(secs) != v {
			return 0, fmt.Errorf("%s: %q is not a duration such as 30s, 10h or 36000", name, v)
		}
		d = time.Duration(secs) * time.Second
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: must be positive", name)
	}
	return d, nil
}

// serverOptions are the settings every command that serves HTTP shares.
type serverOptions struct {
	LogFormat       string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
}

// addServerFlags defines --log-format, --log-level and --shutdown-timeout on fs; the returned
// func, called after fs.Parse, checks them and fills o.
func addServerFlags(fs *flag.FlagSet, env envLookup, o *serverOptions) func() error {
	fs.StringVar(&o.LogFormat, "log-format", env.get("LOG_FORMAT", "text"), "log format: text or json (env ONEENTRY_MOCK_LOG_FORMAT)")
	level := fs.String("log-level", env.get("LOG_LEVEL", "info"), "log level: debug, info, warn or error (env ONEENTRY_MOCK_LOG_LEVEL)")
	shutdown := fs.String("shutdown-timeout", env.get("SHUTDOWN_TIMEOUT", "10s"), "how long to let requests finish on SIGTERM (env ONEENTRY_MOCK_SHUTDOWN_TIMEOUT)")
	return func() error {
		var err error
		if o.ShutdownTimeout, err = positiveDuration("shutdown-timeout", *shutdown); err != nil {
			return err
		}
		if err := o.LogLevel.UnmarshalText([]byte(*level)); err != nil {
			return fmt.Errorf("log-level: %w", err)
		}
		if o.LogFormat != "text" && o.LogFormat != "json" {
			return fmt.Errorf("log-format: want text or json, got %q", o.LogFormat)
		}
		return nil
	}
}

func newLogger(cfg serverOptions, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadFixtures returns the fixture set to serve: the folder when one is given, else the embedded one.
func loadFixtures(dir string) (*store.Fixtures, error) {
	var fsys fs.FS = fixtures.FS
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("fixtures: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("fixtures: %s is not a folder", dir)
		}
		fsys = os.DirFS(dir)
	}
	fx, err := store.LoadFixtures(fsys)
	if err != nil {
		if dir != "" {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		return nil, err
	}
	return fx, nil
}

// sandboxOptions builds the sandboxes the serve command serves: db (when set) keeps their
// state, relay (when set) also delivers their e-mail.
func sandboxOptions(cfg serveConfig, fx *store.Fixtures, db *bolt.DB, relay *mail.Relay) sandbox.Options {
	profile, _ := sandbox.ParseProfile(cfg.Compat) // checked in parseServeConfig
	opts := sandbox.Options{Fixtures: fx, Profile: profile, AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL,
		Relay: relay, JournalSize: cfg.JournalSize}
	if db != nil { // a nil *bolt.DB would make a non-nil Persistence
		opts.Persistence = db
	}
	return opts
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServeConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.serverOptions, stderr)
	fx, err := loadFixtures(cfg.FixturesDir)
	if err != nil {
		return err
	}
	var db *bolt.DB
	if cfg.DataDir != "" {
		if db, err = bolt.Open(cfg.DataDir); err != nil {
			return err
		}
		defer func() {
			if err := db.Close(); err != nil {
				logger.Warn("data dir close", "dir", cfg.DataDir, "err", err)
			}
		}()
	}
	var relay *mail.Relay
	if cfg.SMTPURL != "" {
		if relay, err = mail.NewRelay(mail.RelayOptions{URL: cfg.SMTPURL, Logger: logger}); err != nil {
			return fmt.Errorf("smtp-url: %w", err)
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
			defer cancel()
			_ = relay.Close(cctx)
		}()
	}
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandboxOptions(cfg, fx, db, relay), Logger: logger, MaxBodyBytes: cfg.MaxBodyBytes,
		CheckResponses: cfg.CheckResponses, AdminToken: cfg.AdminToken})
	if err != nil {
		if cfg.DataDir != "" {
			return fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
		}
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		_ = srv.Close(cctx)
	}()
	go sweepEverySecond(ctx, srv)
	// Loading the contract and fixtures leaves garbage several times the size of what stays;
	// hand it back now, so an idle sandbox is as small as it looks.
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.AdminToken == "" && !isLoopback(ln.Addr()) {
		logger.Warn("the admin API (/__admin) is open to the network: anyone who reaches this port can reset state, read the journal and inject faults; set --admin-token", "addr", ln.Addr().String())
	}
	url := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "oneentry-mock listening on %s\n", url)
	fmt.Fprintf(stdout, "  app token: %s\n", fx.Project.AppToken)
	for _, u := range fx.Users {
		fmt.Fprintf(stdout, "  login:     %s / %s (auth provider %q)\n", u.Identifier, u.Password, u.AuthProviderIdentifier)
	}
	fmt.Fprintf(stdout, "  compat:    %s\n", cfg.Compat)
	if db != nil {
		fmt.Fprintf(stdout, "  data dir:  %s\n", db.Dir())
	}
	logger.Info("serving", "url", url, "compat", cfg.Compat, "fixtures", fixturesName(cfg.FixturesDir))
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return serve(ctx, httpSrv, ln, cfg.ShutdownTimeout, srv.Drain)
}

// sweepEverySecond expires overdue payment sessions even when nobody reads them, so their
// webhooks fire on time.
func sweepEverySecond(ctx context.Context, srv *mockserver.Server) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			srv.SweepExpired(ctx)
		}
	}
}

func fixturesName(dir string) string {
	if dir == "" {
		return "embedded"
	}
	return dir
}

// isLoopback reports whether a listener only accepts connections from this machine.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP != nil && tcp.IP.IsLoopback()
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// serve runs srv on ln until ctx ends, then shuts down gracefully within timeout; drain, if
// given, runs first so readiness probes fail before the listener closes.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, drain ...func()) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	for _, f := range drain {
		f()
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	env := envLookup(getenv)
	fs := flag.NewFlagSet("oneentry-mock healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := "http://127.0.0.1" + portOf(env.get("ADDR", ":8080")) + "/healthz"
	url := fs.String("url", def, "health endpoint to probe")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, *url, nil)
	if err != nil {
		return exitError{code: 1, msg: err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exitError{code: 1, msg: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return exitError{code: 1, msg: fmt.Sprintf("%s answered %d", *url, resp.StatusCode)}
	}
	return nil
}

// portOf returns ":PORT" of a listen address such as ":8080" or "0.0.0.0:9000".
func portOf(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return ":8080"
	}
	return ":" + port
}
