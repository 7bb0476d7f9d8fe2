package mockserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// sandbox is one isolated project: its own store (ids, users, orders, sessions, clock), outbox
// and webhook deliveries. Requests reach it by its app token.
type sandbox struct {
	token   string
	store   *store.Store
	outbox  *mail.Outbox
	notify  *notifier
	journal *journal
	faults  *faults
	created time.Time
}

// sandboxes is the registry of live sandboxes; the default one is never removed.
type sandboxes struct {
	mu       sync.RWMutex
	byToken  map[string]*sandbox
	fallback *sandbox
}

func (r *sandboxes) get(token string) *sandbox {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byToken[token]
}

func (r *sandboxes) add(sb *sandbox) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byToken[sb.token] = sb
}

func (r *sandboxes) remove(token string) (*sandbox, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.byToken[token]
	if !ok || sb == r.fallback {
		return nil, false
	}
	delete(r.byToken, token)
	return sb, true
}

func (r *sandboxes) all() []*sandbox {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*sandbox, 0, len(r.byToken))
	for _, sb := range r.byToken {
		out = append(out, sb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].created.Before(out[j].created) })
	return out
}

// newSandbox wraps st with its own outbox and notifier. st's OnEvent must already point at the
// returned notifier, which is why the store is built by the caller through build.
func (s *Server) newSandbox(build func(onEvent func(store.Event)) *store.Store) *sandbox {
	sb := &sandbox{created: time.Now(), journal: newJournal(s.journalSize), faults: &faults{}}
	sb.outbox = mail.NewOutbox(mail.OutboxOptions{OnAdd: s.relayMail})
	sb.notify = newNotifier(s, sb)
	sb.store = build(sb.notify.handle)
	sb.token = sb.store.AppToken()
	return sb
}

// relayMail hands a message to the SMTP relay when one is configured.
func (s *Server) relayMail(m mail.Message) {
	if s.relay != nil {
		if err := s.relay.Enqueue(m); err != nil {
			s.log.Warn("mail relay", "message", m.ID, "err", err)
		}
	}
}

// randomToken returns an unguessable token for a new sandbox.
func randomToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// SweepExpired expires overdue payment sessions in every sandbox. The serve command calls it
// every second, so a session left waiting expires (and its webhook fires) even when nobody
// looks at it; reads expire overdue sessions too.
func (s *Server) SweepExpired(ctx context.Context) {
	for _, sb := range s.sandboxes.all() {
		sb.store.SweepExpired(ctx)
	}
}
