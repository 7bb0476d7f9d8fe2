package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// fixturesWatch notices edits of a fixtures folder by polling it: the folder is small, a
// poll costs a few reads, and polling behaves alike on every OS, in containers and on
// mounted folders, where file-change notifications often do not arrive. It needs no
// dependency either.
type fixturesWatch struct {
	dir    string
	apply  func(context.Context, *store.Fixtures) error
	logger *slog.Logger
	last   [sha256.Size]byte
}

func newFixturesWatch(dir string, apply func(context.Context, *store.Fixtures) error, logger *slog.Logger) *fixturesWatch {
	w := &fixturesWatch{dir: dir, apply: apply, logger: logger}
	w.last, _ = folderDigest(dir)
	return w
}

// run polls every interval until ctx ends.
func (w *fixturesWatch) run(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func() { w.check(ctx) })
}

// check reloads the fixtures when the folder changed since the last check. A folder that
// does not load (a half-saved file, a typo) is logged with file, line and column, and the
// last good fixtures stay in use; the next change is tried again.
func (w *fixturesWatch) check(ctx context.Context) {
	sum, err := folderDigest(w.dir)
	if err != nil || sum == w.last {
		return
	}
	w.last = sum
	fx, err := loadFixtures(w.dir)
	if err == nil {
		err = w.apply(ctx, fx)
	}
	if err != nil {
		attrs := []any{"dir", w.dir}
		var fe *store.FixtureError
		if errors.As(err, &fe) {
			attrs = append(attrs, "file", filepath.Join(w.dir, fe.File), "line", fe.Line, "column", fe.Column)
		}
		attrs = append(attrs, "err", err)
		w.logger.ErrorContext(ctx, "fixtures not reloaded; the last good ones stay in use", attrs...)
		return
	}
	w.logger.InfoContext(ctx, "fixtures reloaded: read-only content now, sandboxes on their next reset", "dir", w.dir)
}

// folderDigest hashes the names and contents of the files under dir.
func folderDigest(dir string) ([sha256.Size]byte, error) {
	h := sha256.New()
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		h.Write([]byte(p + "\x00"))
		h.Write(data)
		h.Write([]byte{0})
		return nil
	})
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum, err
}
