package mockserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

// newSandbox wraps a store with its own outbox, notifier, journal and faults. build makes the
// store and points its events at the notifier it is given.
func (s *Server) newSandbox(build func(onEvent func(store.Event)) (*store.Store, error)) (*sandbox, error) {
	sb := &sandbox{created: time.Now(), journal: newJournal(s.journalSize), faults: &faults{}}
	sb.outbox = mail.NewOutbox(mail.OutboxOptions{OnAdd: s.relayMail})
	sb.notify = newNotifier(s, sb)
	st, err := build(sb.notify.handle)
	if err != nil {
		return nil, err
	}
	sb.store = st
	sb.token = st.AppToken()
	return sb, nil
}

// openSandbox makes a sandbox seeded from the fixtures with its own token and secret; with a
// data dir, its state is kept there (and restored from there when it exists).
func (s *Server) openSandbox(ctx context.Context, token, secret string) (*sandbox, error) {
	base := s.sandboxes.fallback.store
	return s.newSandbox(func(onEvent func(store.Event)) (*store.Store, error) {
		var st *store.Store
		if s.data == nil {
			st = base.Sibling(token, secret)
		} else {
			p, err := s.data.Sandbox(token, secret)
			if err != nil {
				return nil, err
			}
			if st, err = base.OpenSibling(ctx, token, secret, p); err != nil {
				return nil, err
			}
		}
		st.SetEventHandler(onEvent)
		return st, nil
	})
}

// restoreSandboxes reopens the sandboxes a data dir holds besides the default one.
func (s *Server) restoreSandboxes(ctx context.Context) error {
	if s.data == nil {
		return nil
	}
	saved, err := s.data.ListSandboxes()
	if err != nil {
		return err
	}
	for _, info := range saved {
		if info.AppToken == s.sandboxes.fallback.token {
			continue
		}
		sb, err := s.openSandbox(ctx, info.AppToken, info.TokenSecret)
		if err != nil {
			return fmt.Errorf("restore sandbox %s: %w", maskSecret(info.AppToken), err)
		}
		sb.created = info.Created
		s.sandboxes.add(sb)
	}
	return nil
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
		if err := sb.store.SweepExpired(ctx); err != nil {
			s.log.ErrorContext(ctx, "expire payment sessions", "err", err)
		}
	}
}
