// Package bolt keeps sandboxes' state in a data dir, so it survives a restart and a kill -9.
// It stores what store.Persister hands it in one bbolt file: a top-level bucket per sandbox,
// keyed by its app token, holding the sandbox's token secret and a bucket per kind of record
// with a key per entity. Every Save is one bbolt transaction, which fsyncs on commit, so a
// change is on disk before the store acknowledges it, and costs what the change touched, not
// what the sandbox holds.
package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// FileName is the database file inside a data dir.
const FileName = "oneentry-mock.db"

// Magic and Version identify the layout of the database file; Open refuses any other.
const (
	Magic   = "oneentry-mock-data"
	Version = "1"
)

var (
	bucketMeta      = []byte("oneentry-mock")
	bucketSandboxes = []byte("sandboxes")
	keyMagic        = []byte("magic")
	keyVersion      = []byte("version")
	keyInfo         = []byte("info")
)

// ErrIncompatible is wrapped by every error Open returns for a data dir it cannot use as it
// is: a damaged file, another program's database, another layout version. Open never
// recreates such a dir; the operator moves it away or points --data-dir elsewhere.
var ErrIncompatible = errors.New("not a usable oneentry-mock data dir (move it away to start afresh)")

// DB is an open data dir. It is safe for concurrent use.
type DB struct {
	bolt *bbolt.DB
	dir  string
}

// Open opens the data dir, creating the dir and its database when absent. Another process
// holding the dir makes it fail after a second rather than wait.
//
// An existing database is read whole, read-only, before anything is written to it: bbolt
// writes a meta page at every commit, even one that changes nothing, so damage found out only
// by a later read would be found in a file already changed.
func Open(dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("data dir: empty path")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dir, FileName)
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if exists {
		if err := verify(path); err != nil {
			return nil, err
		}
	}
	b, err := openBolt(path, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	if err := stamp(b, path); err != nil {
		_ = b.Close()
		return nil, err
	}
	return &DB{bolt: b, dir: dir}, nil
}

// openBolt opens the database file, telling a file in use and one this user may not write
// from a damaged one.
func openBolt(path string, o *bbolt.Options) (*bbolt.DB, error) {
	var b *bbolt.DB
	err := guard(path, func() (err error) {
		b, err = bbolt.Open(path, 0o600, o)
		return err
	})
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, ErrIncompatible):
		return nil, err
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%s is in use by another process", path)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return nil, openError(err)
	default:
		return nil, fmt.Errorf("%s is damaged or not a database (%v): %w", path, err, ErrIncompatible)
	}
}

// guard runs f, which reads the file at path. bbolt panics on some damaged pages instead of
// returning an error, and reads a file cut short past its end, a memory fault that would kill
// the process; either must stop start-up with a message, not a stack trace.
func guard(path string, f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s is damaged (%v): %w", path, r, ErrIncompatible)
		}
	}()
	return f()
}

// verify reads an existing database without writing to it: its stamp, and every sandbox's
// info and records, as a start then loads them. (bbolt's Tx.Check is no help here: it reads in a
// goroutine of its own, where a damaged page's panic kills the process, and a damaged
// overflow count sends it through billions of pages.)
func verify(path string) error {
	b, err := openBolt(path, &bbolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer b.Close()
	return guard(path, func() error {
		return b.View(func(tx *bbolt.Tx) error {
			if err := checkLayout(tx); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if tx.Bucket(bucketMeta) == nil {
				return nil // not stamped yet: Open stamps it
			}
			infos, err := sandboxInfos(tx)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			for _, info := range infos {
				token := []byte(info.AppToken)
				if _, err := records(tx.Bucket(bucketSandboxes).Bucket(token), token); err != nil {
					return fmt.Errorf("%s: sandbox %q: %w", path, token, err)
				}
			}
			return nil
		})
	})
}

// checkFile reports whether the database file exists, and refuses what bbolt would silently
// accept or misreport: it initialises an empty file as a new database, throwing away whatever
// was meant to be there, and a file this user may not open is a permission problem, not damage.
func checkFile(path string) (exists bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, openError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("data dir: %w", err)
	}
	if !info.Mode().IsRegular() {
		return false, fmt.Errorf("%s is not a regular file: %w", path, ErrIncompatible)
	}
	if info.Size() == 0 {
		return false, fmt.Errorf("%s is empty, so it is damaged or was truncated: %w", path, ErrIncompatible)
	}
	return true, nil
}

// openError describes a data dir file that could not be opened. A permission problem is told
// apart from damage: the fix is the file's owner or mode, not moving it away.
func openError(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("data dir: %w: give this user read and write access to the file and its dir", err)
	}
	if errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("data dir: %w: the data dir must be on a writable file system (a volume, in a read-only container)", err)
	}
	return fmt.Errorf("data dir: %w", err)
}

// checkLayout checks the stamp of the database. One without any bucket passes: it is new, or
// the start that made it stopped before stamping it, and stamp stamps it.
func checkLayout(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return fmt.Errorf("a bbolt database of another program: %w", ErrIncompatible)
		}
		return nil
	}
	if got := meta.Get(keyMagic); string(got) != Magic {
		return fmt.Errorf("magic %q, want %q: %w", got, Magic, ErrIncompatible)
	}
	if got := meta.Get(keyVersion); string(got) != Version {
		return fmt.Errorf("layout version %q; this build reads version %s: %w", got, Version, ErrIncompatible)
	}
	if tx.Bucket(bucketSandboxes) == nil {
		return fmt.Errorf("no %s bucket: %w", bucketSandboxes, ErrIncompatible)
	}
	return nil
}

// stamp checks the layout of the open database and stamps a new one; it writes nothing to a
// database already stamped.
func stamp(b *bbolt.DB, path string) error {
	var stamped bool
	err := guard(path, func() error {
		return b.View(func(tx *bbolt.Tx) error {
			stamped = tx.Bucket(bucketMeta) != nil
			if err := checkLayout(tx); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return nil
		})
	})
	if err != nil || stamped {
		return err
	}
	err = b.Update(func(tx *bbolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keyMagic, []byte(Magic)); err != nil {
			return err
		}
		if err := meta.Put(keyVersion, []byte(Version)); err != nil {
			return err
		}
		_, err = tx.CreateBucket(bucketSandboxes)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Close closes the database; saves after it fail.
func (db *DB) Close() error { return db.bolt.Close() }

// Dir returns the data dir.
func (db *DB) Dir() string { return db.dir }

type sandboxInfo struct {
	TokenSecret string    `json:"tokenSecret"`
	Created     time.Time `json:"created"`
}

// ListSandboxes returns the sandboxes kept in the data dir, oldest first.
func (db *DB) ListSandboxes() ([]store.SandboxInfo, error) {
	var out []store.SandboxInfo
	err := db.view(func(tx *bbolt.Tx) (err error) {
		out, err = sandboxInfos(tx)
		return err
	})
	return out, err
}

// sandboxInfos reads the info record of every sandbox kept, oldest first.
func sandboxInfos(tx *bbolt.Tx) ([]store.SandboxInfo, error) {
	var out []store.SandboxInfo
	err := tx.Bucket(bucketSandboxes).ForEachBucket(func(token []byte) error {
		info, err := readInfo(tx.Bucket(bucketSandboxes).Bucket(token))
		if err != nil {
			return fmt.Errorf("sandbox %q: %w", token, err)
		}
		out = append(out, store.SandboxInfo{AppToken: string(token), TokenSecret: info.TokenSecret, Created: info.Created})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b store.SandboxInfo) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.AppToken, b.AppToken)
	})
	return out, nil
}

func readInfo(b *bbolt.Bucket) (sandboxInfo, error) {
	var info sandboxInfo
	raw := b.Get(keyInfo)
	if raw == nil {
		return info, fmt.Errorf("no %s record: %w", keyInfo, ErrIncompatible)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return info, fmt.Errorf("%s record: %v: %w", keyInfo, err, ErrIncompatible)
	}
	return info, nil
}

// Sandbox returns the persister of the sandbox with the app token, creating its bucket when
// absent. The token secret is recorded for ListSandboxes; a different secret than the one
// recorded replaces it (the fixtures were changed, and tokens signed with the old secret
// are then rejected, as they would be by a new sandbox). A sandbox recorded as it is costs no
// write, so a start on a data dir whose saved state then does not load leaves the file as it was.
func (db *DB) Sandbox(appToken, tokenSecret string, created time.Time) (store.Persister, error) {
	if appToken == "" {
		return nil, errors.New("sandbox: empty app token")
	}
	var recorded bool
	err := db.view(func(tx *bbolt.Tx) error {
		sb := tx.Bucket(bucketSandboxes).Bucket([]byte(appToken))
		if sb == nil || sb.Get(keyInfo) == nil {
			return nil
		}
		old, err := readInfo(sb)
		recorded = err == nil && old.TokenSecret == tokenSecret
		return err
	})
	if err == nil && !recorded {
		err = db.update(func(tx *bbolt.Tx) error {
			sb, err := tx.Bucket(bucketSandboxes).CreateBucketIfNotExists([]byte(appToken))
			if err != nil {
				return err
			}
			info := sandboxInfo{TokenSecret: tokenSecret, Created: created.UTC()}
			if sb.Get(keyInfo) != nil {
				old, err := readInfo(sb)
				if err != nil {
					return err
				}
				if old.TokenSecret == tokenSecret {
					return nil
				}
				info.Created = old.Created
			}
			raw, err := json.Marshal(info)
			if err != nil {
				return err
			}
			return sb.Put(keyInfo, raw)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox %q: %w", appToken, err)
	}
	return &Sandbox{db: db, token: []byte(appToken)}, nil
}

// DeleteSandbox removes a sandbox and everything saved for it. Removing one that is not
// there is not an error.
func (db *DB) DeleteSandbox(appToken string) error {
	err := db.update(func(tx *bbolt.Tx) error {
		err := tx.Bucket(bucketSandboxes).DeleteBucket([]byte(appToken))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("data dir %s: delete sandbox %q: %w", db.dir, appToken, err)
	}
	return nil
}

// view and update run a transaction, turning bbolt's panics on damaged pages into errors
// (bbolt rolls the transaction back before the panic leaves it).
func (db *DB) view(f func(tx *bbolt.Tx) error) (err error) {
	defer recoverDamage(&err)
	return db.bolt.View(f)
}

func (db *DB) update(f func(tx *bbolt.Tx) error) (err error) {
	defer recoverDamage(&err)
	return db.bolt.Update(f)
}

func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s is damaged (%v): %w", FileName, r, ErrIncompatible)
	}
}

// Sandbox persists one sandbox's state; it implements store.Persister.
type Sandbox struct {
	db    *DB
	token []byte
}

var _ store.Persister = (*Sandbox)(nil)

// AppToken returns the app token of the sandbox.
func (s *Sandbox) AppToken() string { return string(s.token) }

// Load returns every record saved for the sandbox. A record of an unknown kind is an error.
func (s *Sandbox) Load(ctx context.Context) ([]store.Record, error) {
	var recs []store.Record
	err := s.db.view(func(tx *bbolt.Tx) error {
		sb := tx.Bucket(bucketSandboxes).Bucket(s.token)
		if sb == nil {
			return errors.New("removed from the data dir")
		}
		var err error
		recs, err = records(sb, s.token)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox %q: %w", s.token, err)
	}
	return recs, nil
}

// records reads every record in the bucket of the sandbox with the app token.
func records(sb *bbolt.Bucket, token []byte) ([]store.Record, error) {
	known := map[string]bool{}
	for _, k := range store.Kinds() {
		known[string(k)] = true
	}
	var recs []store.Record
	err := sb.ForEachBucket(func(kind []byte) error {
		if !known[string(kind)] {
			return fmt.Errorf("unknown bucket %q: %w", kind, ErrIncompatible)
		}
		return sb.Bucket(kind).ForEach(func(k, v []byte) error {
			if v == nil {
				return fmt.Errorf("bucket %s/%s: nested bucket %q: %w", token, kind, k, ErrIncompatible)
			}
			recs = append(recs, store.Record{Kind: store.Kind(kind), Key: string(k), Value: bytes.Clone(v)})
			return nil
		})
	})
	return recs, err
}

// Save applies c in one transaction: durable when it returns nil, absent when it fails.
func (s *Sandbox) Save(ctx context.Context, c store.Change) error {
	err := s.db.update(func(tx *bbolt.Tx) error {
		sb := tx.Bucket(bucketSandboxes).Bucket(s.token)
		if sb == nil {
			return errors.New("removed from the data dir")
		}
		if c.Replace {
			for _, kind := range store.Kinds() {
				if err := sb.DeleteBucket([]byte(kind)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
					return err
				}
			}
		}
		buckets := map[store.Kind]*bbolt.Bucket{}
		for _, r := range c.Records {
			b := buckets[r.Kind]
			if b == nil {
				var err error
				if b, err = sb.CreateBucketIfNotExists([]byte(r.Kind)); err != nil {
					return fmt.Errorf("bucket %s: %w", r.Kind, err)
				}
				buckets[r.Kind] = b
			}
			var err error
			if r.Value == nil {
				err = b.Delete([]byte(r.Key))
			} else {
				err = b.Put([]byte(r.Key), r.Value)
			}
			if err != nil {
				return fmt.Errorf("record %s/%s: %w", r.Kind, r.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sandbox %q: %w", s.token, err)
	}
	return nil
}
