package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/internal/graceful"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/mockserver/ui"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	Addr            string
	FixturesDir     string
	Profile         sandbox.Profile
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	serverOptions
	MaxBodyBytes   int64
	MaxStateBytes  int64
	CheckResponses bool
	SMTPURL        string
	SMTPAllow      mail.AllowList
	AdminToken     string
	// AdminAllowOrigins and AllowedHosts open the admin API and the checkout to browser
	// origins and Host names besides the loopback ones (mockserver.Options).
	AdminAllowOrigins []string
	AllowedHosts      []string
	JournalSize       int64
	DataDir           string
	MaxSandboxes      int64
	MaxMemoryBytes    int64
	// WatchInterval is how often a --fixtures folder is checked for edits; 0 never.
	WatchInterval time.Duration
	// CheckoutReturnURL is where checkout pages send the buyer back after Pay or Cancel, for
	// accounts whose fixture names no successUrl or cancelUrl.
	CheckoutReturnURL *url.URL
	// ExitWithParent shuts the server down when the process that started it ends.
	ExitWithParent bool
	// DrainDelay keeps accepting requests that long after SIGTERM, /readyz answering 503.
	DrainDelay time.Duration
}

var serveCommand = &command{
	name:     "serve",
	synopsis: "run the sandbox (default fixtures embedded)",
	env:      true,
	help: `Serves the OneEntry content API from fixtures (the embedded seed project unless --fixtures
names a folder), keeping orders, sessions, users and form data as a live project would. The
admin API (/__admin) resets state, reads the journal, moves the clock and injects faults.
Every flag also reads its ONEENTRY_MOCK_* variable; a flag given on the command line wins.

Example:
  oneentry-mock serve --addr 127.0.0.1:8080 --compat sdk-1.0.115 --data-dir ./state`,
	flags: configFlags(serveFlags, runServe),
}

// defaultAddr is where serve, replay and proxy listen without --addr: loopback only, since
// the admin API hands out test credentials and reshapes state for anyone who reaches it. The
// container image sets ONEENTRY_MOCK_ADDR=0.0.0.0:8080, as a published port needs.
const defaultAddr = "127.0.0.1:8080"

// serveFlags defines the flags of serve on f, parsing into cfg.
func serveFlags(f *flags, cfg *serveConfig) {
	f.addr(&cfg.Addr, defaultAddr, "listen address; 0.0.0.0:8080 opens the sandbox to the network (the container image does)")
	f.string(&cfg.FixturesDir, "fixtures", "", "DIR", "folder of fixture files replacing the embedded default; edits are applied as they are saved")
	f.intervalOrOff(&cfg.WatchInterval, "watch-interval", time.Second, "how often the --fixtures folder is checked for edits; 0 turns the check off (POST /__admin/reload still works)")
	f.profile(&cfg.Profile, "compat", sandbox.ProfileDefault.Name, "live API generation to imitate")
	addServerFlags(f, &cfg.serverOptions)
	f.intervalOrOff(&cfg.DrainDelay, "drain-delay", 0, "how long to keep accepting requests after SIGINT/SIGTERM, /readyz answering 503, before new connections are refused; give a load balancer's probe period (0: refuse at once)")
	f.lifetime(&cfg.AccessTokenTTL, "access-token-ttl", store.DefaultAccessTokenTTL, "lifetime of user access tokens; a bare number is seconds")
	f.lifetime(&cfg.RefreshTokenTTL, "refresh-token-ttl", store.DefaultRefreshTokenTTL, "lifetime of refresh tokens; a bare number is seconds")
	f.positive(&cfg.MaxBodyBytes, "max-body-bytes", mockserver.DefaultMaxBodyBytes, "BYTES", "largest request body accepted")
	f.positive(&cfg.MaxStateBytes, "max-state-bytes", mockserver.DefaultMaxStateBytes, "BYTES", "largest state document PUT /__admin/state accepts")
	f.checked(&cfg.SMTPURL, "smtp-url", "", "URL", "also deliver every e-mail to this SMTP server, e.g. smtp://127.0.0.1:1025 for Mailpit", checkRelayURL)
	f.value(&cfg.SMTPAllow, "smtp-allow", "LIST", "comma-separated recipient domains (with subdomains) and addresses --smtp-url may deliver to, * for anyone; default the fixture users' domains and example.com/.org/.net and the TLD example")
	f.string(&cfg.DataDir, "data-dir", "", "DIR", "keep the state in this folder: every change is on disk before its response, and restored at start; empty keeps it in memory")
	f.string(&cfg.AdminToken, "admin-token", "", "TOKEN", "require this value in x-admin-token on every /__admin call")
	f.checkedList(&cfg.AdminAllowOrigins, "admin-allow-origin", "ORIGINS", "browser origins (scheme://host[:port], comma-separated or repeated) allowed to call /__admin and the checkout cross-origin; none by default", mockserver.CheckAllowedOrigin)
	f.checkedList(&cfg.AllowedHosts, "allowed-hosts", "HOSTS", "Host names (comma-separated or repeated, optionally with :port) that the checkout and the OAuth consent page, and /__admin while no --admin-token is set, answer besides loopback ones, e.g. a compose service name", mockserver.CheckAllowedHost)
	f.positive(&cfg.JournalSize, "journal-size", sandbox.DefaultJournalSize, "N", "requests kept in each sandbox's journal")
	f.positive(&cfg.MaxSandboxes, "max-sandboxes", sandbox.DefaultMaxSandboxes, "N", "sandboxes POST /__admin/sandboxes may bring to exist, the default one included; beyond it answers 409")
	f.positive(&cfg.MaxMemoryBytes, "max-memory-bytes", sandbox.DefaultMemoryLimit(), "BYTES", "live heap, every sandbox's state included, above which requests that add state and new sandboxes answer 409 until a reset or deletion makes room; the default is 1 GiB, or half the container's memory when that is less")
	f.url(&cfg.CheckoutReturnURL, "checkout-return-url", "URL", "where the checkout page sends the buyer after Pay or Cancel (with session_id, order_id and status added), for accounts whose settings name no successUrl or cancelUrl; e.g. http://localhost:3000/checkout/return")
	f.bool(&cfg.CheckResponses, "check-responses", false, "answer 500 instead of any response that breaks the contract; for checking custom fixtures")
	f.bool(&cfg.ExitWithParent, "exit-with-parent", false, "shut down, as on SIGTERM, once the process that started the server has ended (the npm package's npx and startMock set it, so a test runner killed by a signal leaves no server behind)")
}

// checkRelayURL refuses an --smtp-url the mail relay would refuse; empty is no relay.
func checkRelayURL(s string) error {
	if s == "" {
		return nil
	}
	return mail.CheckRelayURL(s)
}

// serverOptions are the settings every command that serves HTTP shares.
type serverOptions struct {
	LogFormat       string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	MaxConnections  int64
}

// addServerFlags defines the logging, shutdown, timeout and connection flags, filling o.
func addServerFlags(f *flags, o *serverOptions) {
	f.oneOf(&o.LogFormat, "log-format", "text", []string{"text", "json"}, "log format")
	f.value(levelValue{&o.LogLevel}, "log-level", "debug|info|warn|error", "log level")
	f.duration(&o.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to let requests finish on SIGTERM")
	f.duration(&o.ReadTimeout, "read-timeout", defaultReadTimeout, "longest time to read one request, body included; a slower client is disconnected")
	f.duration(&o.WriteTimeout, "write-timeout", defaultWriteTimeout, "longest time from a request's headers to the end of its answer")
	f.duration(&o.IdleTimeout, "idle-timeout", defaultIdleTimeout, "how long a keep-alive connection may wait for its next request")
	f.positive(&o.MaxConnections, "max-connections", defaultMaxConnections, "N", "open connections at most; at the cap the longest-idle one is closed to admit a new one")
}

// levelValue is a slog.Level flag; the flag package's TextVar would print its default as INFO.
type levelValue struct{ p *slog.Level }

func (l levelValue) Set(s string) error { return l.p.UnmarshalText([]byte(s)) }

func (l levelValue) String() string {
	if l.p == nil {
		return ""
	}
	return strings.ToLower(l.p.String())
}

// newLogger logs to w; flush writes what waits, as lines written to a file go in batches
// (logBatch). The command calls it before it returns.
func newLogger(cfg serverOptions, w io.Writer) (logger *slog.Logger, flush func()) {
	flush = func() {}
	if f, ok := w.(*os.File); ok {
		batch := &logBatch{out: f}
		w, flush = batch, batch.Flush
	}
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), flush
	}
	return slog.New(slog.NewTextHandler(w, opts)), flush
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
		if fsys, err = store.FixtureFolder(dir); err != nil {
			return nil, fmt.Errorf("fixtures: %w", err)
		}
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

// fixturesLoader reads a fixtures folder again for POST /__admin/reload; nil for the
// embedded fixtures, which cannot change.
func fixturesLoader(dir string) func() (*store.Fixtures, error) {
	if dir == "" {
		return nil
	}
	return func() (*store.Fixtures, error) { return loadFixtures(dir) }
}

func runServe(ctx context.Context, cfg serveConfig, sio stdio) error {
	stdout := sio.stdout
	logger, flushLog := newLogger(cfg.serverOptions, sio.stderr)
	defer flushLog()
	if cfg.ExitWithParent {
		var stop context.CancelFunc
		ctx, stop = untilParentEnds(ctx, logger)
		defer stop()
	}
	if limit, ok := containerMemoryLimit(sio.getenv, sandbox.ContainerMemory); ok {
		debug.SetMemoryLimit(limit)
	}
	resumeGC := pauseGC()
	defer resumeGC()
	// Parsing the contract takes about as long as loading the fixtures; on a second core it
	// happens meanwhile, and mockserver.New picks up the shared result.
	go func() { _, _ = contracts.Default(ctx) }()
	fx, err := loadFixtures(cfg.FixturesDir)
	if err != nil {
		return err
	}
	srv, dataDir, closeAll, err := newServer(ctx, cfg, fx, logger)
	if err != nil {
		return err
	}
	defer closeAll()
	tasks := []func(context.Context){func(ctx context.Context) { sweepEverySecond(ctx, srv) }}
	if cfg.FixturesDir != "" && cfg.WatchInterval > 0 {
		watch := newFixturesWatch(cfg.FixturesDir, srv.Reload, logger)
		tasks = append(tasks, func(ctx context.Context) { watch.run(ctx, cfg.WatchInterval) })
	}
	stopBackground := startBackground(ctx, tasks...)
	defer stopBackground() // deferred after closeAll, so it runs first
	// Hand the garbage of loading back now, so an idle sandbox is as small as it looks.
	resumeGC()
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.AdminToken == "" && !isLoopback(ln.Addr()) {
		logger.Warn("the admin API (/__admin) is open to the network: anyone who reaches this port can reset state, read the journal and inject faults; set --admin-token", "addr", ln.Addr().String())
	}
	url := announce(stdout, "oneentry-mock", ln)
	fmt.Fprintf(stdout, "  dashboard: %s%s/\n", url, ui.Prefix)
	fmt.Fprintf(stdout, "  app token: %s\n", fx.Project.AppToken)
	// The default sandbox's, which a data dir may have kept with a password changed since.
	logins, err := srv.Store().FixtureLogins(ctx)
	if err != nil {
		return err
	}
	for _, u := range logins {
		fmt.Fprintf(stdout, "  login:     %s / %s (auth provider %q)\n", u.Identifier, u.Password, u.AuthProviderIdentifier)
	}
	fmt.Fprintf(stdout, "  compat:    %s\n", cfg.Profile.Name)
	if dataDir != "" {
		fmt.Fprintf(stdout, "  data dir:  %s\n", dataDir)
	}
	logger.Info("serving", "url", url, "compat", cfg.Profile.Name, "fixtures", fixturesName(cfg.FixturesDir))
	httpSrv, ln := newHTTPServer(srv, ln, cfg.serverOptions, logger)
	return graceful.Serve(ctx, httpSrv, ln, cfg.ShutdownTimeout, graceful.Drain{Start: srv.Drain, Delay: cfg.DrainDelay})
}

// containerMemoryLimit is the soft memory limit serve sets for the runtime in a container:
// nine tenths of the container's memory, so the collector works harder near its edge rather
// than the kernel ending the process there. A GOMEMLIMIT the user set wins; the runtime has
// applied it already.
func containerMemoryLimit(getenv func(string) string, containerMemory func() (int64, bool)) (int64, bool) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	n, ok := containerMemory()
	if !ok {
		return 0, false
	}
	return n / 10 * 9, true
}

// startupGC pauses garbage collection while a server loads. Loading the contract and the
// fixtures leaves garbage several times the size of what stays, all of it short-lived:
// collecting it once at the end costs less than collecting it as it grows. The memory limit
// still starts a collection should a large fixtures folder come near it. Tests start several
// servers in one process, so the last load to finish resumes.
var startupGC struct {
	sync.Mutex
	loads   int
	percent int
	limit   int64
}

// startupMemoryLimit is the heap a paused load may grow to before a collection runs anyway,
// unless the runtime's limit (a container's) is lower already.
const startupMemoryLimit = 256 << 20

// pauseGC pauses collection until the returned function, which may be called more than once,
// resumes it.
func pauseGC() (resume func()) {
	startupGC.Lock()
	if startupGC.loads == 0 {
		startupGC.limit = debug.SetMemoryLimit(-1) // reads the limit without changing it
		debug.SetMemoryLimit(min(startupGC.limit, startupMemoryLimit))
		startupGC.percent = debug.SetGCPercent(-1)
	}
	startupGC.loads++
	startupGC.Unlock()
	return sync.OnceFunc(func() {
		startupGC.Lock()
		defer startupGC.Unlock()
		if startupGC.loads--; startupGC.loads == 0 {
			debug.SetGCPercent(startupGC.percent)
			debug.SetMemoryLimit(startupGC.limit)
		}
	})
}

// newServer builds the store (with its persister when --data-dir is set), the mail relay and
// the server; closeAll releases them in reverse order. dataDir is the folder the state is kept
// in, "" in memory.
func newServer(ctx context.Context, cfg serveConfig, fx *store.Fixtures, logger *slog.Logger) (srv *mockserver.Server, dataDir string, closeAll func(), err error) {
	var closers []func()
	release := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	withTimeout := func(close func(context.Context) error) func() {
		return func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
			defer cancel()
			_ = close(cctx)
		}
	}
	var db *bolt.DB
	if cfg.DataDir != "" {
		if db, err = bolt.Open(cfg.DataDir); err != nil {
			return nil, "", nil, err
		}
		closers = append(closers, func() {
			if err := db.Close(); err != nil {
				logger.Warn("data dir close", "dir", cfg.DataDir, "err", err)
			}
		})
		dataDir = db.Dir()
	}
	var relay *mail.Relay
	if cfg.SMTPURL != "" {
		if relay, err = mail.NewRelay(mail.RelayOptions{URL: cfg.SMTPURL, Logger: logger}); err != nil {
			return nil, "", nil, fmt.Errorf("smtp-url: %w", err)
		}
		closers = append(closers, withTimeout(relay.Close))
	}
	srv, err = mockserver.New(mockserver.Options{Sandbox: sandboxOptions(cfg, fx, db, relay), Logger: logger, MaxBodyBytes: cfg.MaxBodyBytes,
		MaxStateBytes: cfg.MaxStateBytes, CheckResponses: cfg.CheckResponses, AdminToken: cfg.AdminToken,
		AdminAllowOrigins: cfg.AdminAllowOrigins, AllowedHosts: cfg.AllowedHosts, LoadFixtures: fixturesLoader(cfg.FixturesDir)})
	if err != nil {
		if cfg.DataDir != "" {
			return nil, "", nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
		}
		return nil, "", nil, err
	}
	closers = append(closers, withTimeout(srv.Close))
	return srv, dataDir, release, nil
}

func returnURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

// sandboxOptions builds the sandboxes the serve command serves: db (when set) keeps their
// state, relay (when set) also delivers their e-mail.
func sandboxOptions(cfg serveConfig, fx *store.Fixtures, db *bolt.DB, relay *mail.Relay) sandbox.Options {
	opts := sandbox.Options{Fixtures: fx, Profile: cfg.Profile, AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL,
		Relay: relay, RelayAllow: &cfg.SMTPAllow, JournalSize: int(cfg.JournalSize), MaxSandboxes: int(cfg.MaxSandboxes),
		MaxMemoryBytes:    cfg.MaxMemoryBytes,
		CheckoutReturnURL: returnURL(cfg.CheckoutReturnURL)}
	if db != nil { // a nil *bolt.DB would make a non-nil Persistence
		opts.Persistence = db
	}
	return opts
}

// startBackground runs each task in its own goroutine until ctx ends or stop is called; stop
// ends them and returns once every one has returned. serve stops its sweep and fixtures watch
// this way before it closes the server and the data dir: a sweep or reload under way when the
// server shuts down would otherwise write to a store or a bolt DB being closed.
func startBackground(ctx context.Context, tasks ...func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
	for _, task := range tasks {
		running.Go(func() { task(ctx) })
	}
	return func() {
		cancel()
		running.Wait()
	}
}

// sweepEverySecond expires overdue payment sessions even when nobody reads them, so their
// webhooks fire on time.
func sweepEverySecond(ctx context.Context, srv *mockserver.Server) {
	every(ctx, time.Second, func() { srv.SweepExpired(ctx) })
}

// every calls f every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f()
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

// logBatch gathers the log lines written to a file and writes them in one go, at most
// logBatchDelay after the first of them or as soon as logBatchSize bytes wait. A write per
// request line cost the server more than the request itself: a pipe or a terminal wakes its
// reader on every write.
type logBatch struct {
	out io.Writer

	mu      sync.Mutex
	buf     []byte
	pending *time.Timer // set while lines wait
}

const (
	logBatchDelay = 100 * time.Millisecond
	logBatchSize  = 32 << 10
)

func (b *logBatch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case len(b.buf) >= logBatchSize:
		b.flushLocked()
	case b.pending == nil:
		b.pending = time.AfterFunc(logBatchDelay, b.Flush)
	}
	return len(p), nil
}

// Flush writes what waits now; a command calls it before it returns.
func (b *logBatch) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBatch) flushLocked() {
	if b.pending != nil {
		b.pending.Stop()
		b.pending = nil
	}
	if len(b.buf) == 0 {
		return
	}
	// A log that cannot be written has nowhere to say so; slog drops such errors too.
	_, _ = b.out.Write(b.buf)
	if cap(b.buf) > 2*logBatchSize {
		b.buf = nil // one huge line does not keep its buffer
	} else {
		b.buf = b.buf[:0]
	}
}
