// Package sandbox is the mock's application layer, below HTTP: the registry of sandboxes and,
// per sandbox, its store (with its clock), request journal, fault rules, outbox and webhook
// dispatcher. Everything is built complete at construction; nothing is set afterwards.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/socketio"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// Persistence keeps the state of sandboxes beyond the process (bolt.DB is the one
// implementation); it makes one store.Persister per sandbox.
type Persistence interface {
	// Sandbox returns the persister of the sandbox with the app token, recording its secret
	// and, for a sandbox it does not keep yet, when it was made: the time the registry shows,
	// so that a restart shows the same.
	Sandbox(appToken, tokenSecret string, created time.Time) (store.Persister, error)
	// ListSandboxes returns the sandboxes kept, oldest first.
	ListSandboxes() ([]store.SandboxInfo, error)
	// DeleteSandbox forgets a sandbox and its state.
	DeleteSandbox(appToken string) error
}

// Options configures a Registry. Fixtures is required; zero values mean the defaults.
type Options struct {
	// Fixtures seed every sandbox; the default sandbox opens with their app token.
	Fixtures *store.Fixtures
	// Profile selects the live API generation to imitate; ProfileDefault when zero.
	Profile Profile
	// Clock is the default sandbox's clock; every other sandbox gets its own.
	Clock           *store.Clock
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// Persistence keeps every sandbox's state; nil keeps it in memory.
	Persistence Persistence
	// OnEvent hears of every store event of every sandbox, after the sandbox's own handling
	// (the ticket e-mail). It must not block for long.
	OnEvent func(*Sandbox, store.Event)
	// Relay, when set, also delivers every e-mail of every sandbox to an SMTP server.
	Relay *mail.Relay
	// RelayAllow lists the recipients Relay may deliver to; mail to anyone else stays in the
	// outbox only. When empty: the fixture users' domains and mail.DefaultAllowDomains.
	RelayAllow *mail.AllowList
	// WebhookClient sends payment callbacks; a client with a 10 s timeout when nil.
	WebhookClient *http.Client
	// JournalSize is how many requests each sandbox's journal keeps; DefaultJournalSize when zero.
	JournalSize int
	// MaxSandboxes bounds the sandboxes Create makes, the default one included;
	// DefaultMaxSandboxes when zero. Sandboxes restored from Persistence are never refused.
	MaxSandboxes int
	// MaxMemoryBytes bounds the live heap, every sandbox's state included: above it, writes
	// and new sandboxes are refused with a conflict. DefaultMemoryLimit() when zero.
	MaxMemoryBytes int64
	// LiveHeapBytes reads the live heap for MaxMemoryBytes; the runtime's figure when nil.
	LiveHeapBytes func() uint64
	// CheckoutReturnURL is where checkout pages send the buyer back for accounts whose
	// settings name no return URL (serve --checkout-return-url).
	CheckoutReturnURL string
	// Logger receives what goes wrong in the background; discarded when nil.
	Logger *slog.Logger
}

// DefaultMaxSandboxes is the MaxSandboxes of zero Options: each sandbox costs a store and a
// journal, and creation is one unauthenticated call when no admin token is set.
const DefaultMaxSandboxes = 1000

// Registry holds the live sandboxes, by app token; the default one is never removed.
type Registry struct {
	opts Options
	// fixtures seed new sandboxes and every reset: Options.Fixtures until Reload replaces them.
	fixtures atomic.Pointer[store.Fixtures]
	// usersRelayAllow is the relay's allow list when Options.RelayAllow is not set: the domains
	// of the users of fixtures, made again when Reload replaces them.
	usersRelayAllow atomic.Pointer[mail.AllowList]
	lookups         atomic.Uint64
	mu              sync.RWMutex
	byToken         map[string]*Sandbox
	fallback        *Sandbox
	// opening counts the Create calls between their slot check and their insertion, so
	// concurrent calls cannot overshoot MaxSandboxes.
	opening int
	// uploads bounds the bytes the uploads of every sandbox hold together.
	uploads *store.ByteBudget
	// memory refuses writes while the heap is above Options.MaxMemoryBytes.
	memory *memoryGuard
	// journals bounds what the request journals hold together: a quarter of the memory limit.
	journals *JournalShare
	// importing admits one state import at a time over every sandbox (see ImportState).
	importing chan struct{}
}

// Sandbox is one isolated project: its own store (ids, users, orders, sessions, clock),
// journal, fault rules, outbox, webhook deliveries and its users' sockets. Requests reach it
// by its app token.
type Sandbox struct {
	reg    *Registry
	token  string
	secret string // signs user tokens and ticket codes
	// store is replaced (not changed) when a reset applies reloaded fixtures.
	store   atomic.Pointer[store.Store]
	outbox  *mail.Outbox
	journal *Journal
	faults  *Faults
	sockets *socketio.Room
	created time.Time
	// changes counts what Changes cannot see in the journal and the delivery log: store
	// events, resets, imports, clock and fault changes.
	changes atomic.Uint64

	mu       sync.Mutex
	dispatch *webhook.Dispatcher // made on the first callback: most sandboxes send none
	closed   bool

	lifecycle sync.Mutex // held by Reset and Registry.Remove, which both replace saved state
	removed   bool       // under lifecycle
}

// New opens the default sandbox, restored from opts.Persistence when it holds a saved state,
// and every other sandbox kept there.
func New(ctx context.Context, opts Options) (*Registry, error) {
	if opts.Fixtures == nil {
		return nil, errors.New("sandbox: Options.Fixtures is required")
	}
	if opts.CheckoutReturnURL != "" && !store.ValidReturnURL(opts.CheckoutReturnURL) {
		return nil, fmt.Errorf("sandbox: checkout return URL %q is not an absolute http(s) URL", opts.CheckoutReturnURL)
	}
	if opts.Profile.Name == "" {
		opts.Profile = ProfileDefault
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxSandboxes <= 0 {
		opts.MaxSandboxes = DefaultMaxSandboxes
	}
	r := &Registry{opts: opts, byToken: map[string]*Sandbox{}, uploads: store.NewByteBudget(store.DefaultUploadBudget),
		memory: newMemoryGuard(opts.MaxMemoryBytes, opts.LiveHeapBytes), importing: make(chan struct{}, 1)}
	r.journals = NewJournalShare(int64(r.memory.limit / 4))
	r.storeFixtures(opts.Fixtures)
	fx := opts.Fixtures
	var saved []store.SandboxInfo
	if opts.Persistence != nil {
		var err error
		if saved, err = opts.Persistence.ListSandboxes(); err != nil {
			return nil, err
		}
	}
	def, err := r.open(ctx, fx.Project.AppToken, defaultSecret(fx, saved), opts.Clock)
	if err != nil {
		return nil, err
	}
	r.fallback = def
	r.byToken[def.token] = def
	for _, info := range saved {
		if info.AppToken == def.token {
			if !info.Created.IsZero() {
				def.created = info.Created
			}
			continue
		}
		sb, err := r.open(ctx, info.AppToken, info.TokenSecret, nil)
		if err != nil {
			return nil, fmt.Errorf("restore sandbox %s: %w", exchange.MaskToken(info.AppToken), err)
		}
		sb.created = info.Created
		r.byToken[sb.token] = sb
	}
	return r, nil
}

// defaultSecret is the token secret of the default sandbox: the fixtures' when they set one;
// else the one the data dir recorded for it, so tokens survive a restart; else a new random one
// (recorded with the sandbox), so nobody can mint tokens from the public default fixtures.
func defaultSecret(fx *store.Fixtures, saved []store.SandboxInfo) string {
	if fx.Project.TokenSecret != "" {
		return fx.Project.TokenSecret
	}
	for _, info := range saved {
		if info.AppToken == fx.Project.AppToken && info.TokenSecret != "" {
			return info.TokenSecret
		}
	}
	return store.RandomSecret()
}

// open builds a sandbox seeded from the fixtures (or restored from its saved state).
func (r *Registry) open(ctx context.Context, token, secret string, clock *store.Clock) (*Sandbox, error) {
	sb := &Sandbox{reg: r, token: token, secret: secret, created: time.Now(), journal: NewJournal(r.opts.JournalSize, r.journals), faults: &Faults{}}
	sb.sockets = socketio.NewRoom(sb.socketBelongs)
	sb.outbox = mail.NewOutbox(mail.OutboxOptions{OnAdd: r.relayMail})
	st, err := sb.openStore(ctx, r.fixtures.Load(), clock)
	if err != nil {
		sb.journal.Close() // or the share would weigh it for good
		return nil, err
	}
	sb.store.Store(st)
	return sb, nil
}

// openStore opens the sandbox's store over fx (restored from its saved state, if any).
func (sb *Sandbox) openStore(ctx context.Context, fx *store.Fixtures, clock *store.Clock) (*store.Store, error) {
	so := sb.storeOptions(fx, clock)
	if p := sb.reg.opts.Persistence; p != nil {
		persister, err := p.Sandbox(sb.token, sb.secret, sb.created)
		if err != nil {
			return nil, err
		}
		so.Persist = persister
	}
	return store.Open(ctx, so)
}

// storeOptions are the options of every store of the sandbox, but for its persister.
func (sb *Sandbox) storeOptions(fx *store.Fixtures, clock *store.Clock) store.Options {
	o := sb.reg.opts
	return store.Options{
		Fixtures: fx, Clock: clock, AccessTokenTTL: o.AccessTokenTTL, RefreshTokenTTL: o.RefreshTokenTTL,
		AppToken: sb.token, TokenSecret: sb.secret, OnEvent: sb.handleEvent, ValidateSlots: o.Profile.ValidateSlots,
		ConfigFreeSubmissions: o.Profile.RequestBodies2025,
		CheckoutReturnURL:     o.CheckoutReturnURL,
		CodeLimits:            o.Profile.CodeLimits, LiveAuthBodies: o.Profile.LiveAuthBodies,
		UploadBudget: sb.reg.uploads, Admit: sb.reg.memory.check,
	}
}

// Fixtures returns the fixtures new sandboxes and resets start from.
func (r *Registry) Fixtures() *store.Fixtures { return r.fixtures.Load() }

// Reload makes fx the fixtures of sandboxes created from now on and of every later reset;
// sandboxes keep their state until then. The app token of the default sandbox cannot change
// while it runs, so fixtures with another one are refused.
func (r *Registry) Reload(fx *store.Fixtures) error {
	if fx.Project.AppToken != r.fallback.token {
		return store.Errorf(store.CodeInvalid, "fixtures %s: appToken changed from %q: a new app token needs a restart",
			store.FileProject, exchange.MaskToken(r.fallback.token))
	}
	r.storeFixtures(fx)
	return nil
}

// storeFixtures makes fx the fixtures of new sandboxes and resets, and of the relay's default
// allow list.
func (r *Registry) storeFixtures(fx *store.Fixtures) {
	logins := make([]string, 0, len(fx.Users))
	for _, u := range fx.Users {
		logins = append(logins, u.Identifier)
	}
	r.usersRelayAllow.Store(mail.NewDefaultAllowList(logins))
	r.fixtures.Store(fx)
}

// relayAllow is the allow list in force: --smtp-allow's, or the fixture users' default.
func (r *Registry) relayAllow() *mail.AllowList {
	if r.opts.RelayAllow.IsSet() {
		return r.opts.RelayAllow
	}
	return r.usersRelayAllow.Load()
}

// relayMail hands a message to the SMTP relay when one is configured and every recipient is
// on the allow list; otherwise it stays in the outbox only, and the log says why.
func (r *Registry) relayMail(m mail.Message) {
	if r.opts.Relay != nil {
		allow := r.relayAllow()
		if refused := allow.Refused(m); len(refused) > 0 {
			r.opts.Logger.Warn("mail relay: not sent, recipient not on the allow list (--smtp-allow); the message stays in the outbox",
				"message", m.ID, "refused", refused, "allowed", allow.String())
			return
		}
		if err := r.opts.Relay.Enqueue(m); err != nil {
			r.opts.Logger.Warn("mail relay", "message", m.ID, "err", err)
		}
	}
}

// Profile returns the live API generation the sandboxes imitate.
func (r *Registry) Profile() Profile { return r.opts.Profile }

// Lookup returns the sandbox of an app token, or nil.
func (r *Registry) Lookup(token string) *Sandbox {
	r.lookups.Add(1)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byToken[token]
}

// Lookups counts the calls of Lookup, so tests can tell how often a request resolves its
// sandbox.
func (r *Registry) Lookups() uint64 { return r.lookups.Load() }

// Default returns the sandbox the fixtures' app token opens.
func (r *Registry) Default() *Sandbox { return r.fallback }

// Create opens a new sandbox seeded from the fixtures, with its own app token, token secret,
// ids, outbox and clock. At MaxSandboxes it refuses with a conflict: one must be removed first.
func (r *Registry) Create(ctx context.Context) (*Sandbox, error) {
	if err := r.memory.check(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.byToken)+r.opening >= r.opts.MaxSandboxes {
		r.mu.Unlock()
		return nil, store.Errorf(store.CodeConflict, "At most %d sandboxes may exist; delete one first", r.opts.MaxSandboxes)
	}
	r.opening++
	r.mu.Unlock()
	token := randomToken("sbx_")
	sb, err := r.open(ctx, token, store.RandomSecret(), nil)
	if err != nil && r.opts.Persistence != nil {
		// The sandbox is recorded before its first state is saved; when that save fails, a
		// sandbox whose token nobody was given would come back at the next start.
		err = errors.Join(err, r.opts.Persistence.DeleteSandbox(token))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opening--
	if err != nil {
		return nil, err
	}
	r.byToken[sb.token] = sb
	return sb, nil
}

// Memory returns the live heap as the last collection measured it, every sandbox's state
// included, and the limit above which writes are refused.
func (r *Registry) Memory() (live, limit uint64) { return r.memory.read(), r.memory.limit }

// CheckMemory returns a conflict while the process holds more than Options.MaxMemoryBytes:
// requests that add state are refused then, those that read or remove it are not.
func (r *Registry) CheckMemory() error { return r.memory.check() }

// Remove deletes a sandbox other than the default one, with its saved state. It reports
// whether there was such a sandbox.
func (r *Registry) Remove(ctx context.Context, token string) (bool, error) {
	r.mu.Lock()
	sb, ok := r.byToken[token]
	if ok && sb != r.fallback {
		delete(r.byToken, token)
	}
	r.mu.Unlock()
	if !ok || sb == r.fallback {
		return false, nil
	}
	_ = sb.closeWebhooks(true)
	sb.sockets.Close()
	sb.lifecycle.Lock()
	defer sb.lifecycle.Unlock()
	sb.removed = true
	sb.Store().Retire()
	sb.journal.Close()
	r.memory.freed()
	if p := r.opts.Persistence; p != nil {
		if err := p.DeleteSandbox(token); err != nil {
			return true, err
		}
	}
	return true, nil
}

// All returns every sandbox: the default one first, then the others oldest first. The default
// one need not be the oldest: after the fixtures' app token changes, a data dir brings back the
// sandbox of the earlier one, made before it.
func (r *Registry) All() []*Sandbox {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Sandbox, 1, len(r.byToken))
	out[0] = r.fallback
	for _, sb := range r.byToken {
		if sb != r.fallback {
			out = append(out, sb)
		}
	}
	others := out[1:]
	sort.Slice(others, func(i, j int) bool { return others[i].created.Before(others[j].created) })
	return out
}

// SweepExpired expires overdue payment sessions in every sandbox, so a session left waiting
// expires (and its webhook fires) even when nobody looks at it.
func (r *Registry) SweepExpired(ctx context.Context) {
	for _, sb := range r.All() {
		if err := sb.Store().SweepExpired(ctx); err != nil {
			r.opts.Logger.ErrorContext(ctx, "expire payment sessions", "err", err)
		}
	}
}

// Close stops the webhook deliveries of every sandbox (those in flight finish or are marked
// failed when ctx ends); callbacks after it are dropped. The SMTP relay and the persistence
// belong to the caller.
func (r *Registry) Close(ctx context.Context) error {
	var errs []error
	for _, sb := range r.All() {
		errs = append(errs, sb.stopWebhooks(ctx, true))
	}
	return errors.Join(errs...)
}

// Token returns the app token that opens the sandbox.
func (sb *Sandbox) Token() string { return sb.token }

// Store returns the sandbox's state.
func (sb *Sandbox) Store() *store.Store { return sb.store.Load() }

// Outbox returns the e-mails the sandbox has sent.
func (sb *Sandbox) Outbox() *mail.Outbox { return sb.outbox }

// Journal returns the sandbox's request log.
func (sb *Sandbox) Journal() *Journal { return sb.journal }

// Sockets returns the WebSocket connections of the sandbox's users.
func (sb *Sandbox) Sockets() *socketio.Room { return sb.sockets }

// SocketMember is the membership of a socket opened with a token of claims through origin
// (scheme and host): it hears the events of that person only, their media links absolute
// against origin as the API's answers are.
func (sb *Sandbox) SocketMember(claims store.Claims, origin string) socketio.Member {
	return socketio.Member{Room: sb.sockets, User: claims.ID, Identity: claims.Login(), Allowed: true,
		Adapt: func(data json.RawMessage) json.RawMessage { return store.AbsoluteMedia(data, origin) }}
}

// socketBelongs says whether a socket's person is still the sandbox's: not one removed, nor
// one whose id now names another person after a reset or an import. Events already reach
// only their own person; the room lets in and keeps only those that belong, so that the count
// of open sockets stays true.
func (sb *Sandbox) socketBelongs(m socketio.Member) bool {
	login, ok := sb.Store().LoginOf(m.User)
	return ok && m.Identity == any(login)
}

// Faults returns the sandbox's fault rules.
func (sb *Sandbox) Faults() *Faults { return sb.faults }

// Created returns when the sandbox was first made.
func (sb *Sandbox) Created() time.Time { return sb.created }

// IsDefault reports whether this is the sandbox of the fixtures' app token.
func (sb *Sandbox) IsDefault() bool { return sb == sb.reg.fallback }

// Reset returns the sandbox to the fixtures, with its clock at real time and an empty outbox,
// journal, fault list and delivery log. After a Reload it starts from the reloaded fixtures.
func (sb *Sandbox) Reset(ctx context.Context) error {
	// One reset or removal at a time, so that a removal retires the store the sandbox ends
	// with and a removed sandbox is not reset: a removal between the hand-over below and the
	// swap would retire the old store and leave the new one, whose saves then find no
	// sandbox on disk, to the requests still running.
	sb.lifecycle.Lock()
	defer sb.lifecycle.Unlock()
	if sb.removed {
		return store.Errorf(store.CodeNotFound, "sandbox %s was removed", exchange.MaskToken(sb.token))
	}
	st := sb.Store()
	if fx := sb.reg.fixtures.Load(); fx != st.Fixtures() {
		// A store's fixtures never change under it (its readers take no lock for them), so the
		// sandbox gets a new store, seeded afresh, whose state replaces the saved one. The old
		// store saves nothing from then on, or a request still holding it would write into the
		// new store's state.
		fresh := store.New(sb.storeOptions(fx, st.Clock()))
		if err := st.ResetInto(ctx, fresh); err != nil {
			return fmt.Errorf("reset to the reloaded fixtures: %w", err)
		}
		sb.store.Store(fresh)
	} else if err := st.Reset(ctx); err != nil {
		return err
	}
	defer sb.changed()
	sb.sockets.DropStrangers()
	sb.outbox.Clear()
	sb.journal.Clear()
	sb.faults.Clear()
	_ = sb.closeWebhooks(false)
	sb.reg.memory.freed()
	return nil
}

// WebhookSenders bounds the callbacks a sandbox sends at once; a delivery waiting to be
// retried holds none. A sandbox that has sent callbacks keeps this many goroutines, so it is
// not larger.
const WebhookSenders = 8

// SendWebhook queues a signed callback.
func (sb *Sandbox) SendWebhook(d webhook.Delivery) {
	sb.mu.Lock()
	if sb.dispatch == nil && !sb.closed {
		sb.dispatch = webhook.New(webhook.Options{Client: sb.reg.opts.WebhookClient, Logger: sb.reg.opts.Logger, Workers: WebhookSenders})
	}
	disp := sb.dispatch
	sb.mu.Unlock()
	if disp != nil {
		disp.Enqueue(d)
	}
}

// Webhooks lists the sandbox's deliveries, newest first.
func (sb *Sandbox) Webhooks(f webhook.Filter) []webhook.Record {
	sb.mu.Lock()
	disp := sb.dispatch
	sb.mu.Unlock()
	if disp == nil {
		return []webhook.Record{}
	}
	return disp.List(f)
}

// closeWebhooks drops the dispatcher at once, with its log and pending deliveries: they belong
// to the state a reset or removal drops, and their retries could hold the call up for minutes.
// final refuses later callbacks.
func (sb *Sandbox) closeWebhooks(final bool) error {
	now, cancel := context.WithCancel(context.Background())
	cancel()
	return sb.stopWebhooks(now, final)
}

// stopWebhooks stops the dispatcher, letting pending deliveries run until ctx ends, and
// forgets its log; final refuses later callbacks.
func (sb *Sandbox) stopWebhooks(ctx context.Context, final bool) error {
	sb.mu.Lock()
	disp := sb.dispatch
	sb.dispatch = nil
	if final {
		sb.closed = true
	}
	sb.mu.Unlock()
	if disp == nil {
		return nil
	}
	return disp.Close(ctx)
}

// randomToken returns an unguessable token for a new sandbox.
func randomToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
