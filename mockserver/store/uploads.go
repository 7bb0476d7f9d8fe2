package store

import (
	"context"
	"fmt"
	"mime"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Upload limits. The live instance applies a maximum upload size per file and a storage
// allowance, both answered 400 with nothing kept; it refuses no file type.
const (
	DefaultMaxUploadSize = 5 << 20
	DefaultUploadQuota   = 16 << 20
	// DefaultUploadBudget bounds what the uploads of every sandbox of a process hold together.
	DefaultUploadBudget = 256 << 20
)

// StoredFile is an uploaded file. Path is the filename the upload answered with: the folders
// the upload named (type, entity, id) and the file's name.
type StoredFile struct {
	Path        string    `json:"path"`
	ContentType string    `json:"contentType"`
	Data        []byte    `json:"data"`
	Created     time.Time `json:"created"`
}

func (f *StoredFile) clone() StoredFile { c := *f; c.Data = slices.Clone(f.Data); return c }

func (f StoredFile) key() string { return f.Path }

// Size is the file's length in bytes.
func (f *StoredFile) Size() int { return len(f.Data) }

// UploadFolder is where an upload goes: the type, entity and id query parameters, folder
// names and nothing else (the live API checks no entity exists).
type UploadFolder struct {
	Type, Entity, ID string
}

// Dir returns the folder path files of f are kept under: files/project/<type>/<entity>/<id>,
// "-" for a folder the upload did not name, so every upload's link has the same depth.
func (f UploadFolder) Dir() string {
	parts := []string{"files", "project"}
	for _, p := range []string{f.Type, f.Entity, f.ID} {
		if p = cleanSegment(p); p == "" {
			p = "-"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "/")
}

// cleanSegment keeps a folder or file name to one path segment of safe characters. Cleaning
// a cleaned name changes nothing.
func cleanSegment(s string) string {
	// Letters and digits of every script stay, so that "снимок.jpg" and "машина.jpg" stay two
	// files; what could reach outside the folder or break a URL does not.
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if segmentRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > maxSegmentBytes {
		cut := maxSegmentBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	out = strings.Trim(out, ".")
	if out == "null" || out == "undefined" { // what JavaScript sends for a missing name
		return ""
	}
	return out
}

const maxSegmentBytes = 128

func segmentRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '-' || r == '_' || r == '.'
}

// storedSegment reports whether a segment of a stored file's path is one no path can escape
// by: of cleanSegment's characters and length, and neither "." nor "..". It is looser than
// what cleanSegment makes now, so that the uploads of earlier versions load: they kept dots
// at the end of a long name, and "null" for "null.".
func storedSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > maxSegmentBytes || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !segmentRune(r) {
			return false
		}
	}
	return true
}

// FileInput is one file part of an upload.
type FileInput struct {
	Name        string
	ContentType string
	Data        []byte
}

// ByteBudget bounds the bytes the uploads of several stores hold together; share one between
// the sandboxes of a process. Safe for concurrent use.
type ByteBudget struct {
	mu          sync.Mutex
	used, limit int64
}

// NewByteBudget returns a budget of limit bytes.
func NewByteBudget(limit int64) *ByteBudget { return &ByteBudget{limit: limit} }

func (b *ByteBudget) take(n int64) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	return true
}

func (b *ByteBudget) give(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.used = max(b.used-n, 0)
	b.mu.Unlock()
}

// Upload keeps files under folder, all or none: a file over the size limit, or a batch over the
// sandbox's allowance, is refused with nothing kept. A file of a name already there replaces
// it. The content type is read off the name when the part names none.
func (s *Store) Upload(ctx context.Context, folder UploadFolder, files []FileInput) ([]StoredFile, error) {
	if len(files) == 0 {
		return nil, Invalid("files should not be empty")
	}
	stored := make([]StoredFile, len(files))
	dir := folder.Dir()
	for i, f := range files {
		if len(f.Data) > s.maxUpload() {
			return nil, Invalid(fmt.Sprintf("File %s is larger than the maximum upload size (maxFileSize: %d bytes)", f.Name, s.maxUpload()))
		}
		name := cleanSegment(path.Base(f.Name))
		if name == "" {
			return nil, Invalid("file name should not be empty")
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = f.ContentType
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		stored[i] = StoredFile{Path: dir + "/" + name, ContentType: ct, Data: f.Data}
	}
	var out []StoredFile
	err := s.update(ctx, func() ([]Event, error) {
		now := s.clock.Now()
		// Parts of one name replace one another, the last staying: only it counts.
		final := map[string]int64{}
		for _, f := range stored {
			final[f.Path] = int64(len(f.Data))
		}
		grow := int64(0)
		for p, size := range final {
			grow += size
			if old, ok := s.state.files[p]; ok {
				grow -= int64(len(old.Data))
			}
		}
		if s.state.fileBytes+grow > int64(s.uploadQuota()) || !s.opts.UploadBudget.take(max(grow, 0)) {
			return nil, Invalid("Storage quota exceeded: the file was not saved")
		}
		if grow < 0 {
			s.opts.UploadBudget.give(-grow)
		}
		s.state.fileBytes += grow
		for _, f := range stored {
			f.Created = now
			s.touchFile(f.Path)
			s.state.files[f.Path] = &f
			out = append(out, f)
		}
		return nil, nil
	})
	return out, err
}

// File returns the upload whose filename is p.
func (s *Store) File(p string) (StoredFile, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.state.files[p]
	if !ok {
		return StoredFile{}, false
	}
	return f.clone(), true
}

// FindFile returns the upload a read or a delete names: by its whole filename, or by the
// folders and its last segment alone (both forms address the same file live).
func (s *Store) FindFile(folder UploadFolder, filename string) (StoredFile, bool) {
	if f, ok := s.File(strings.TrimPrefix(filename, "/")); ok {
		return f, true
	}
	return s.File(folder.Dir() + "/" + cleanSegment(path.Base(filename)))
}

// DeleteFile removes an upload named as FindFile names it.
func (s *Store) DeleteFile(ctx context.Context, folder UploadFolder, filename string) error {
	f, ok := s.FindFile(folder, filename)
	if !ok {
		return Errorf(CodeNotFound, "File %s not found", filename)
	}
	return s.remove(ctx, func() ([]Event, error) {
		old, ok := s.state.files[f.Path]
		if !ok {
			return nil, Errorf(CodeNotFound, "File %s not found", filename)
		}
		s.touchFile(f.Path)
		delete(s.state.files, f.Path)
		s.state.fileBytes -= int64(len(old.Data))
		s.opts.UploadBudget.give(int64(len(old.Data)))
		return nil, nil
	})
}

// Retire detaches a store that is being discarded (its sandbox removed, or replaced by a
// store of reloaded fixtures) from what it shares: its uploads' bytes go back to the shared
// budget and it saves nothing more. A request that still holds it completes in its memory
// alone, as if it had come just before the store was dropped: it neither fails nor writes
// into the saved state of the sandbox's next store.
func (s *Store) Retire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retireLocked()
}

func (s *Store) retireLocked() {
	s.opts.UploadBudget.swap(s.state.fileBytes, 0)
	s.opts.UploadBudget = nil
	s.persist = nil
}

// ResetInto is Reset to other fixtures: it retires s in favour of next, a fresh store of them not
// yet shared, that takes over s's saved state, with the clock (next's) back at real time. next's
// state is saved in place of s's first. When that save fails nothing changes, s keeps saving
// and the disk keeps its state, so memory and disk never part.
func (s *Store) ResetInto(ctx context.Context, next *Store) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.persist != nil {
		if err := saveWhole(ctx, s.persist, next.state, clockSetting{}); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
		next.persist, next.savedClock = s.persist, clockSetting{}
	}
	next.clock.restore(clockSetting{})
	s.retireLocked()
	return nil
}

func (s *Store) maxUpload() int {
	if s.opts.MaxUploadSize > 0 {
		return s.opts.MaxUploadSize
	}
	return DefaultMaxUploadSize
}

func (s *Store) uploadQuota() int {
	if s.opts.UploadQuota > 0 {
		return s.opts.UploadQuota
	}
	return DefaultUploadQuota
}

func (s *Store) touchFile(p string) {
	if s.tx != nil {
		remember(&s.tx.files, s.state.files, p, (*StoredFile).clone)
	}
}

// buildFiles checks the uploads of a document.
func buildFiles(st *state, files []StoredFile, quota int) error {
	st.files = make(map[string]*StoredFile, len(files))
	st.fileBytes = 0
	for i, f := range files {
		at := fmt.Sprintf("files[%d]", i)
		segments := strings.Split(f.Path, "/")
		if len(segments) != 6 || segments[0] != "files" || segments[1] != "project" || slices.ContainsFunc(segments[2:], func(s string) bool { return !storedSegment(s) }) {
			return invalidf(at+".path", "must be files/project/<type>/<entity>/<id>/<name>")
		}
		if st.files[f.Path] != nil {
			return invalidf(at+".path", "duplicate file %q", f.Path)
		}
		c := f.clone()
		st.files[f.Path] = &c
		st.fileBytes += int64(len(f.Data))
	}
	if st.fileBytes > int64(quota) {
		return invalidf("files", "hold %d bytes, more than the allowance of %d", st.fileBytes, quota)
	}
	return nil
}
