package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// fixturesWatch notices edits of a fixtures folder by polling it: a poll reads the folder's
// listings and file metadata, and polling behaves alike on every OS, in containers and on
// mounted folders, where file-change notifications often do not arrive. It needs no
// dependency either.
type fixturesWatch struct {
	dir    string
	apply  func(context.Context, *store.Fixtures) error
	logger *slog.Logger
	scan   folderScan
	last   [sha256.Size]byte
	// unreadable is the problem reading the folder logged last: a lasting one is logged once,
	// not every interval.
	unreadable string
}

func newFixturesWatch(dir string, apply func(context.Context, *store.Fixtures) error, logger *slog.Logger) *fixturesWatch {
	w := &fixturesWatch{dir: dir, apply: apply, logger: logger}
	// A problem found now is logged by the first check, which finds it again.
	w.last, _ = w.scan.digest(dir, time.Now())
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
	sum, problems := w.scan.digest(w.dir, time.Now())
	w.reportUnreadable(ctx, problems)
	if sum == w.last {
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

// reportUnreadable logs what of the folder could not be read, when that differs from what was
// logged last.
func (w *fixturesWatch) reportUnreadable(ctx context.Context, problems error) {
	msg := ""
	if problems != nil {
		msg = problems.Error()
	}
	if msg == w.unreadable {
		return
	}
	w.unreadable = msg
	if msg != "" {
		w.logger.WarnContext(ctx, "fixtures folder not fully readable: edits of what cannot be read are not noticed", "dir", w.dir, "err", problems)
	}
}

// racyWindow is how close to the previous scan a file's modification time must be for its
// metadata not to be trusted: a second save in the same timestamp step, of the same size, would
// not show in it. It covers file systems that keep times in coarse steps (FAT: 2 s) and a file
// system clock a little behind this process's.
const racyWindow = 2 * time.Second

// folderScan digests a fixtures folder from the metadata of its entries, so that a poll reads
// no file whole: not a 1 GB file in media/, not a link to /dev/zero, and no FIFO, which would
// block the reader until someone writes to it. Only a regular file modified within racyWindow of
// the previous scan, where equal metadata could hide an edit, is also read (up to the fixture
// size cap), as git does with its "racily clean" entries.
type folderScan struct {
	files map[string]fileSeen
	// since is when the previous scan started.
	since time.Time
}

// fileSeen is a regular file as the previous scan saw it.
type fileSeen struct {
	info fs.FileInfo
	// sum is the hash of the contents, read while the file was racy; nil when never read.
	sum []byte
}

// digest hashes the folder's entries under dir: names, link targets, types, sizes and
// modification times, and the contents of racy files. What cannot be read is named in
// problems and in the digest, so that its becoming readable is a change too.
func (s *folderScan) digest(dir string, now time.Time) (sum [sha256.Size]byte, problems error) {
	since := s.since
	if since.IsZero() {
		since = now
	}
	seen := map[string]fileSeen{}
	var errs []error
	h := sha256.New()
	_ = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = s.digestFile(h, seen, dir, p, d, since)
		}
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(h, "%s\x00unreadable\x00%v\x00", p, err)
		}
		return nil // an unreadable folder is skipped; the rest of the walk goes on
	})
	s.files, s.since = seen, now
	copy(sum[:], h.Sum(nil))
	return sum, errors.Join(errs...)
}

// digestFile adds the entry p to h, and a regular file to seen.
func (s *folderScan) digestFile(h hash.Hash, seen map[string]fileSeen, dir, p string, d fs.DirEntry, since time.Time) error {
	info, err := d.Info() // the link itself, as os.Lstat
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed since the folder was listed, as an editor's temporary file is
	}
	if err != nil {
		return err
	}
	full := filepath.Join(dir, filepath.FromSlash(p))
	target := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		// The fixtures are read through links, so what a link points to is what counts.
		if target, err = os.Readlink(full); err != nil {
			return err
		}
		if info, err = os.Stat(full); err != nil {
			return fmt.Errorf("%s: a link to %s: %w", p, target, err)
		}
	}
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00%d\x00%d\x00", p, target, info.Mode(), info.Size(), info.ModTime().UnixNano())
	if !info.Mode().IsRegular() {
		return nil // FIFOs, devices, sockets and linked folders are never opened
	}
	f := fileSeen{info: info}
	prev, known := s.files[p]
	racy := !info.ModTime().Before(since.Add(-racyWindow))
	switch {
	case known && !racy && sameStamp(prev.info, info):
		f.sum = prev.sum
	// A file read before is read again when it changes, so that its digest does not lose the
	// sum (a reload for nothing) when its new metadata is no longer racy.
	case (racy || known && prev.sum != nil) && info.Size() <= store.MaxFixtureFileSize:
		if f.sum, err = contentSum(full); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	seen[p] = f
	h.Write(f.sum)
	h.Write([]byte{0})
	return nil
}

// sameStamp reports whether two looks at a path found the same file with the same size, time
// and mode: a file replaced by another (an editor saving by rename) is read again.
func sameStamp(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode()
}

// contentSum hashes a regular file's first store.MaxFixtureFileSize+1 bytes: the loader refuses
// a larger fixture anyway. It opens without blocking, in case the path was made a FIFO since it
// was looked at, and reads only a regular file.
func contentSum(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, store.MaxFixtureFileSize+1)); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
