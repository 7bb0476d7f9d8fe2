package capsule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// ErrCapsuleFull refuses an exchange that would take the capsule past what Read accepts: a file
// that replay and `fixtures from-capsule` cannot load is no recording at all.
var ErrCapsuleFull = fmt.Errorf("the capsule is full: one more exchange would take it past %d MiB", MaxFileSize>>20)

// recordBudget is the part of MaxFileSize exchanges may take; the rest is for the header and
// the redaction map.
const recordBudget = MaxFileSize - 1<<20

// Recorder collects redacted exchanges into a capsule and writes it to a file. Secrets are
// replaced the moment an exchange is recorded: the unredacted exchange is never kept. It is safe
// for concurrent use.
type Recorder struct {
	path     string
	redactor *Redactor

	mu      sync.Mutex
	c       *Capsule
	size    int64 // the exchanges' bytes as Marshal writes them
	budget  int64
	dirty   bool
	flushed bool

	flushMu sync.Mutex // serialises writes, so an older snapshot never replaces a newer one
}

// NewRecorder returns a Recorder that writes to path. header supplies the capsule's metadata
// (contract, profile, recordedAt, source); its exchanges and redactions are ignored.
func NewRecorder(path string, header Capsule) *Recorder {
	c := New(header.Contract, header.Profile)
	c.RecordedAt = header.RecordedAt
	c.Source = header.Source
	return &Recorder{path: path, redactor: NewRedactor(), c: c, budget: recordBudget}
}

// Path returns the file the recorder writes.
func (r *Recorder) Path() string { return r.path }

// Record redacts raw and appends it. It returns the exchange as stored, or ErrCapsuleFull and
// records nothing.
func (r *Recorder) Record(raw RawExchange) (Exchange, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.redactor.Exchange(raw)
	r.scrubEarlier(r.redactor.TakeFresh())
	n, err := encodedSize(e)
	if err != nil {
		return Exchange{}, err
	}
	if r.size+n > r.budget {
		return Exchange{}, ErrCapsuleFull
	}
	r.size += n
	r.c.Exchanges = append(r.c.Exchanges, e)
	r.c.Redactions = r.redactor.Redactions()
	r.dirty = true
	return e, nil
}

// scrubEarlier replaces secrets just learnt in the exchanges recorded before them: the e-mail
// holding a one-time code is read before the request that sends the code makes it known. The
// file is written whole, so the next Flush leaves no trace of them. r.mu is held.
func (r *Recorder) scrubEarlier(fresh []string) {
	if len(fresh) == 0 {
		return
	}
	for i, e := range r.c.Exchanges {
		scrubbed, changed := r.redactor.Scrub(e, fresh)
		if !changed {
			continue
		}
		before, err1 := encodedSize(e)
		after, err2 := encodedSize(scrubbed)
		if err1 == nil && err2 == nil {
			r.size += after - before
		}
		r.c.Exchanges[i] = scrubbed
		r.dirty = true
	}
}

// encodedSize is what e takes in a file Marshal writes, where exchanges stand two levels deep.
func encodedSize(e Exchange) (int64, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(e); err != nil {
		return 0, errors.Join(errors.New("capsule: encoding an exchange"), err)
	}
	return int64(b.Len()) + 6, nil // the indent before it and the separator after
}

// Len returns the number of exchanges recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.c.Exchanges)
}

// Capsule returns a copy of the capsule as recorded so far.
func (r *Recorder) Capsule() *Capsule {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshot()
}

func (r *Recorder) snapshot() *Capsule {
	c := *r.c
	c.Exchanges = append([]Exchange(nil), r.c.Exchanges...)
	c.Redactions = make(map[string]string, len(r.c.Redactions))
	for k, v := range r.c.Redactions {
		c.Redactions[k] = v
	}
	return &c
}

// Flush writes the capsule if anything was recorded since the last write (or if the file was
// never written), atomically (see WriteFile).
func (r *Recorder) Flush() error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	if !r.dirty && r.flushed {
		r.mu.Unlock()
		return nil
	}
	snap := r.snapshot()
	r.dirty = false
	r.mu.Unlock()
	if err := WriteFile(r.path, snap); err != nil {
		r.mu.Lock()
		r.dirty = true
		r.mu.Unlock()
		return err
	}
	r.mu.Lock()
	r.flushed = true
	r.mu.Unlock()
	return nil
}
