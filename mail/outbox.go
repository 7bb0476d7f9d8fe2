package mail

import (
	"maps"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// DefaultMaxMessages is the outbox cap when OutboxOptions.Max is zero; it matches
// Mailpit's --max default, so a relayed Mailpit and the mock keep the same history.
const DefaultMaxMessages = 500

// DefaultMaxBytes bounds the outbox by size too: a ticket e-mail carries the buyer's form
// data, up to the request body limit.
const DefaultMaxBytes = 32 << 20

// LatestID may be passed to Outbox.Get for the newest message, as Mailpit accepts "latest"
// wherever a message id goes.
const LatestID = "latest"

// OutboxOptions configures NewOutbox.
type OutboxOptions struct {
	// Max is the number of messages kept; the oldest are dropped beyond it.
	// Zero means DefaultMaxMessages.
	Max int
	// MaxBytes bounds the size of the stored messages (raw, text and HTML); the oldest are
	// dropped beyond it, the newest always stays. Zero means DefaultMaxBytes.
	MaxBytes int
	// OnAdd, if set, is called with a copy of every added message after it is stored and
	// outside the outbox lock, typically to hand it to a Relay.
	OnAdd func(Message)
}

// Filter selects messages in Outbox.List.
type Filter struct {
	// To keeps messages with this recipient address (case-insensitive; a display name in
	// the filter is ignored). Empty keeps all.
	To string
	// Limit caps the number of results; zero or less means no cap.
	Limit int
}

// Outbox is a bounded, concurrency-safe, in-memory store of sent messages. The zero value
// is not usable; call NewOutbox.
type Outbox struct {
	max      int
	maxBytes int
	onAdd    func(Message)

	mu     sync.Mutex
	lastID int
	bytes  int       // messageSize of msgs
	msgs   []Message // oldest first; IDs strictly increase along the slice
}

// NewOutbox returns an empty outbox.
func NewOutbox(opts OutboxOptions) *Outbox {
	if opts.Max <= 0 {
		opts.Max = DefaultMaxMessages
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	return &Outbox{max: opts.Max, maxBytes: opts.MaxBytes, onAdd: opts.OnAdd}
}

// Add stores a copy of m under the next id and returns that copy. Ids are decimal and
// increase for the life of the outbox, also across Clear, so an id seen once (in a relay
// status, a test log) never names a different message later.
func (o *Outbox) Add(m Message) Message {
	m = cloneMessage(m)
	o.mu.Lock()
	o.lastID++
	m.ID = strconv.Itoa(o.lastID)
	o.msgs = append(o.msgs, m)
	o.bytes += messageSize(m)
	drop := 0
	for len(o.msgs)-drop > o.max || (o.bytes > o.maxBytes && len(o.msgs)-drop > 1) {
		o.bytes -= messageSize(o.msgs[drop])
		drop++
	}
	if drop > 0 {
		clear(o.msgs[:drop]) // let the dropped bodies be collected before the array is
		o.msgs = o.msgs[drop:]
	}
	o.mu.Unlock()

	out := cloneMessage(m)
	if o.onAdd != nil {
		o.onAdd(cloneMessage(m))
	}
	return out
}

// List returns copies of the messages that match f, newest first.
func (o *Outbox) List(f Filter) []Message {
	want := normalizeAddress(f.To)
	o.mu.Lock()
	defer o.mu.Unlock()
	out := []Message{}
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
		m := o.msgs[i]
		if want != "" && !slices.ContainsFunc(m.To, func(to string) bool { return normalizeAddress(to) == want }) {
			continue
		}
		out = append(out, cloneMessage(m))
	}
	return out
}

// Get returns a copy of the message with the given id, or the newest for LatestID.
func (o *Outbox) Get(id string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if id == LatestID {
		if len(o.msgs) == 0 {
			return Message{}, false
		}
		return cloneMessage(o.msgs[len(o.msgs)-1]), true
	}
	n, err := strconv.Atoi(id)
	if err != nil || strconv.Itoa(n) != id { // "007" is not message 7
		return Message{}, false
	}
	i, found := slices.BinarySearchFunc(o.msgs, n, func(m Message, n int) int {
		k, _ := strconv.Atoi(m.ID)
		return k - n
	})
	if !found {
		return Message{}, false
	}
	return cloneMessage(o.msgs[i]), true
}

// Clear removes every message. Numbering continues where it was (see Add).
func (o *Outbox) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = nil
	o.bytes = 0
}

// messageSize approximates the memory a stored message holds.
func messageSize(m Message) int {
	n := len(m.Raw) + len(m.Text) + len(m.HTML) + len(m.Subject) + len(m.From) + len(m.MessageID) + len(m.RequestID)
	for _, to := range m.To {
		n += len(to)
	}
	for k, v := range m.Headers {
		n += len(k) + len(v)
	}
	return n
}

// Len reports the number of stored messages.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.msgs)
}

// normalizeAddress reduces "Name <A@B.test>" and "a@b.test" to "a@b.test".
func normalizeAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	return strings.ToLower(s)
}

// cloneMessage deep-copies the reference fields, so no caller can change a stored message
// through a slice or map it was given or handed back.
func cloneMessage(m Message) Message {
	m.To = slices.Clone(m.To)
	m.Raw = slices.Clone(m.Raw)
	if m.Headers != nil {
		m.Headers = maps.Clone(m.Headers)
	}
	return m
}
