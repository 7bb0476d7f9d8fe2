// Package store holds the state of one mock OneEntry project and the rules that change it:
// users and tokens, orders, payment sessions. It knows nothing of HTTP.
package store

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
)

// Default token lifetimes, as the live API issues them (the auth provider's config in
// fixtures/recorded/ shows both).
const (
	DefaultAccessTokenTTL  = 36000 * time.Second
	DefaultRefreshTokenTTL = 7 * 24 * time.Hour
)

// Options configures a Store. Zero values mean the defaults.
type Options struct {
	Fixtures        *Fixtures
	Clock           *Clock
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// NewToken returns random material for refresh tokens; crypto/rand when nil.
	NewToken func() string
	// AppToken and TokenSecret replace the fixtures' values: every sandbox has its own. With
	// neither a TokenSecret nor one in the fixtures, the store signs with a random secret.
	AppToken    string
	TokenSecret string
	// Persist makes every change durable before the call that made it returns, and supplies
	// the state to start from. Only Open accepts it: loading can fail.
	Persist Persister
	// OnEvent hears of payment and order events. It is called after the change is stored and
	// outside the store's lock, and must not block for long.
	OnEvent func(Event)
	// ValidateSlots refuses schedule slots that are not in the form's schedule or have
	// already started.
	ValidateSlots bool
	// ConfigFreeSubmissions takes a submission that names no module config (formModuleConfigId
	// 0) and files it under its form's first, as the 2025 API took them.
	ConfigFreeSubmissions bool
	// CheckoutReturnURL is where checkout pages send the buyer back (success and cancel) for
	// accounts whose settings name no URL of their own.
	CheckoutReturnURL string
	// CodeLimits applies the one-time code limits of today's API: no new code within
	// CodeResendInterval of the last one, and MaxWrongCodes wrong tries destroy the code.
	CodeLimits bool
	// LiveAuthBodies applies today's body rules of the auth routes: a sign-up's
	// notificationData takes an e-mail address only, and generate-code needs an eventIdentifier.
	LiveAuthBodies bool
	// MaxUploadSize bounds each uploaded file, UploadQuota the uploads of the sandbox together
	// (DefaultMaxUploadSize, DefaultUploadQuota when zero); UploadBudget, when set, is shared
	// by the sandboxes of a process and bounds them all.
	MaxUploadSize int
	UploadQuota   int
	UploadBudget  *ByteBudget
	// Admit is asked before every change that may add state; its error refuses the change
	// (a process's memory limit). Changes that only end or delete state are not asked.
	Admit func() error
}

// Store is the state of one project. It is safe for concurrent use; methods return copies.
type Store struct {
	fx              *Fixtures
	clock           *Clock
	accessTokenTTL  time.Duration
	refreshTokenTTL time.Duration
	newToken        func() string
	secret          []byte
	appToken        string
	opts            Options

	// persist is set once, before the store is shared; nil keeps the state in memory only.
	persist Persister

	verified      sync.Map // access token → Claims whose signature checked out
	verifiedCount atomic.Int64

	mu    sync.RWMutex
	state *state
	// tx records what the mutation holding the lock touches, while the store persists.
	tx *journal
	// savedClock is the clock setting the persister last saved.
	savedClock clockSetting
}

// state is everything a request can change; Reset replaces it whole.
type state struct {
	users            map[int]*User
	userByLogin      map[string]int // provider + "\x00" + lower(identifier)
	nextUserID       int
	authSessions     map[int]*authSession
	sessionByRefresh map[string]int
	// sessionsByUser holds each user's sessions, so that signing in, signing out everywhere
	// and listing a user's devices cost what that user has, not what every user has.
	sessionsByUser  map[int]map[int]*authSession
	nextAuthSession int

	orders        map[int]*Order
	ordersByOwner map[ownerStorage][]int // ascending ids
	nextOrderID   int

	payments        map[int]*PaymentSession
	paymentsByOrder map[int][]int
	paymentsByUser  map[int][]int
	nextPaymentID   int
	// checkoutTokens finds the session of a checkout page URL.
	checkoutTokens map[string]int

	// waiting indexes the sessions that can still expire, so sweeps cost nothing when there
	// are none, whatever the number of sessions.
	waiting map[int]struct{}
	// expiries orders the waiting sessions by deadline (entries of sessions that stopped
	// waiting are skipped when popped), so a sweep looks only at what is due.
	expiries expiryHeap

	seats map[slotKey]*slotUsage
	codes map[codeKey]*oneTimeCode

	// reveals orders the sessions whose payment URL is still to appear (PayPal-like
	// accounts) by the time it does.
	reveals expiryHeap
	// accountPatches are the run-time changes of accounts' settings; kept in memory only.
	accountPatches map[int]AccountPatch
	// carts are the cart of each user and guest, by cartKey.
	carts map[string]*Cart
	// codeLimits and oauthGrants are kept in memory only: a restart or an import forgets
	// them, as it would a rate limiter's counters.
	codeLimits  map[int]*codeLimit
	oauthGrants map[string]oauthGrant
	oauthIssued uint64 // the grants issued so far
	rows        map[int]*CollectionRow
	nextRowID   int
	files       map[string]*StoredFile
	fileBytes   int64 // of files, kept so the allowance check costs nothing
	subs        map[string]*Subscription

	formData       map[int]*Submission
	formDataByForm map[string][]int // form identifier → ascending ids
	nextFormDataID int

	// Derived from the orders (see reindexDiscounts): the order that used each single-use
	// coupon, the bonus each user spent, and the next refund request id.
	couponUses   map[string]int
	bonusSpent   map[int]int64
	nextRefundID int
}

type ownerStorage struct {
	userID    int
	storageID int
}

// New returns an in-memory store seeded from opts.Fixtures. It panics when opts.Persist is
// set, a programming error: a persisted store is made by Open, which reports a failed load.
func New(opts Options) *Store {
	if opts.Persist != nil {
		panic("store.New: Options.Persist needs store.Open")
	}
	if opts.Clock == nil {
		opts.Clock = NewClock(nil)
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if opts.RefreshTokenTTL <= 0 {
		opts.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	if opts.NewToken == nil {
		opts.NewToken = randomUUID
	}
	if opts.AppToken == "" {
		opts.AppToken = opts.Fixtures.Project.AppToken
	}
	if opts.TokenSecret == "" {
		opts.TokenSecret = opts.Fixtures.Project.TokenSecret
	}
	if opts.TokenSecret == "" {
		opts.TokenSecret = RandomSecret()
	}
	s := &Store{
		fx:              opts.Fixtures,
		clock:           opts.Clock,
		accessTokenTTL:  opts.AccessTokenTTL,
		refreshTokenTTL: opts.RefreshTokenTTL,
		newToken:        opts.NewToken,
		secret:          []byte(opts.TokenSecret),
		appToken:        opts.AppToken,
		opts:            opts,
	}
	s.state = s.seed()
	return s
}

// AppToken returns the app token that opens this store.
func (s *Store) AppToken() string { return s.appToken }

// Fixtures returns the immutable fixture set the store was seeded from.
func (s *Store) Fixtures() *Fixtures { return s.fx }

// Clock returns the store's clock.
func (s *Store) Clock() *Clock { return s.clock }

// Now returns the mock time.
func (s *Store) Now() time.Time { return s.clock.Now() }

// AccessTokenTTL returns the lifetime of issued access tokens.
func (s *Store) AccessTokenTTL() time.Duration { return s.accessTokenTTL }

// RefreshTokenTTL returns the lifetime of issued refresh tokens.
func (s *Store) RefreshTokenTTL() time.Duration { return s.refreshTokenTTL }

// Reset discards every change and returns to the fixtures, the clock to real time and running:
// a test that moved or froze it leaves the next one none of that. Tokens issued before stay
// verifiable only while their user still exists in the fixtures. It fails only when the
// persister cannot save the reset, and then changes nothing.
func (s *Store) Reset(ctx context.Context) error {
	fresh := s.seed()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.replaceLocked(ctx, fresh, clockSetting{}); err != nil {
		return err
	}
	s.clock.restore(clockSetting{})
	return nil
}

func (s *Store) seed() *state {
	st := &state{
		users:            make(map[int]*User, len(s.fx.Users)),
		userByLogin:      make(map[string]int, len(s.fx.Users)),
		authSessions:     map[int]*authSession{},
		sessionByRefresh: map[string]int{},
		sessionsByUser:   map[int]map[int]*authSession{},
		nextAuthSession:  1,
		orders:           map[int]*Order{},
		ordersByOwner:    map[ownerStorage][]int{},
		nextOrderID:      s.fx.Project.FirstOrderID,
		payments:         map[int]*PaymentSession{},
		paymentsByOrder:  map[int][]int{},
		paymentsByUser:   map[int][]int{},
		checkoutTokens:   map[string]int{},
		nextPaymentID:    s.fx.Project.FirstPaymentSessionID,
		waiting:          map[int]struct{}{},
		seats:            map[slotKey]*slotUsage{},
		codes:            map[codeKey]*oneTimeCode{},
		accountPatches:   map[int]AccountPatch{},
		carts:            map[string]*Cart{},
		files:            map[string]*StoredFile{},
		subs:             map[string]*Subscription{},
		formData:         map[int]*Submission{},
		formDataByForm:   map[string][]int{},
		nextFormDataID:   1,
		couponUses:       map[string]int{},
		bonusSpent:       map[int]int64{},
		nextRefundID:     1,
	}
	st.rows, st.nextRowID = seedRows(s.fx)
	for _, u := range s.fx.Users {
		items, _ := decodeFormDataItems(u.FormData) // checked at load
		user := &User{
			ID:                     u.ID,
			AuthProviderIdentifier: u.AuthProviderIdentifier,
			Identifier:             u.Identifier,
			password:               u.Password,
			FormIdentifier:         u.FormIdentifier,
			FormData:               items,
			Groups:                 append([]int(nil), u.Groups...),
			State:                  append(json.RawMessage(nil), u.State...),
			IsActive:               true,
		}
		st.users[u.ID] = user
		st.userByLogin[loginKey(u.AuthProviderIdentifier, u.Identifier)] = u.ID
		if u.ID >= st.nextUserID {
			st.nextUserID = u.ID + 1
		}
	}
	if st.nextUserID == 0 {
		st.nextUserID = 1
	}
	return st
}

// Page selects a window of a list.
type Page struct {
	Offset int
	Limit  int
}

// window returns the bounds of p over n items.
func (p Page) window(n int) (int, int) {
	start := min(max(p.Offset, 0), n)
	end := n
	if p.Limit > 0 {
		end = min(start+p.Limit, n)
	}
	return start, end
}

// newestFirst returns copies of the entities in p's window over ids, which are kept oldest
// first, so the window counts from the newest.
func newestFirst[V any, P interface{ clone() V }](ids []int, byID map[int]P, p Page) []V {
	start, end := p.window(len(ids))
	out := make([]V, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, byID[ids[len(ids)-1-i]].clone())
	}
	return out
}
