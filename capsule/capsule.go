package capsule

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Format is the value of a capsule's "format" field.
const Format = "oneentry-mock-capsule"

// Version is the capsule format version this package reads and writes. A reader refuses other
// versions instead of guessing what their fields mean.
const Version = 1

// MaxFileSize bounds a capsule file, so a wrong path fails fast instead of eating memory.
const MaxFileSize = 256 << 20

// Capsule is a recorded, redacted sequence of HTTP exchanges with the OneEntry content API.
type Capsule struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Contract identifies the contract the exchanges were checked against (ContractVersion).
	Contract string `json:"contract"`
	// Profile is the compat profile (mockserver's --compat names) the recording corresponds to.
	Profile string `json:"profile"`
	// RecordedAt is when the recording started (RFC 3339, UTC); empty when unknown.
	RecordedAt string `json:"recordedAt,omitempty"`
	// Source says where the exchanges came from, in words.
	Source string `json:"source,omitempty"`
	// Redactions maps every placeholder that replaced a secret to its kind (KindEmail, …).
	// The secrets themselves are never stored.
	Redactions map[string]string `json:"redactions"`
	// Exchanges are in the order their requests arrived.
	Exchanges []Exchange `json:"exchanges"`
}

// Exchange is one recorded request and its response. Only the headers that matter to the API and
// to drift detection are kept (RequestHeaderNames, ResponseHeaderNames); a capsule never holds
// Truncated or Error.
type Exchange = exchange.Exchange

// RequestHeaderNames are the request headers a capsule keeps.
var RequestHeaderNames = []string{"content-type", "x-app-token", "authorization", "x-device-metadata", "origin"}

// ResponseHeaderNames are the response headers a capsule keeps: the content type and CORS,
// which decide whether a browser front end can read the answer at all.
var ResponseHeaderNames = []string{"content-type", "access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers"}

// New returns an empty capsule for the given contract version and profile.
func New(contract, profile string) *Capsule {
	return &Capsule{Format: Format, Version: Version, Contract: contract, Profile: profile, Redactions: map[string]string{}, Exchanges: []Exchange{}}
}

// ContractVersion identifies a contract document by content: "sha256:" and the hex digest of
// its bytes (contracts.Spec()).
func ContractVersion(spec []byte) string {
	sum := sha256.Sum256(spec)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Validate checks the format marker, the version and every exchange.
func (c *Capsule) Validate() error {
	if c.Format != Format {
		return fmt.Errorf("not a capsule: format is %q, want %q", c.Format, Format)
	}
	if c.Version != Version {
		return fmt.Errorf("capsule version %d is not supported (this oneentry-mock reads version %d)", c.Version, Version)
	}
	if c.RecordedAt != "" {
		if _, err := datetime.Parse(c.RecordedAt); err != nil {
			return fmt.Errorf("recordedAt: %w", err)
		}
	}
	for p, kind := range c.Redactions {
		if err := checkPlaceholder(p, kind); err != nil {
			return fmt.Errorf("redactions: %w", err)
		}
	}
	for i, e := range c.Exchanges {
		if e.StartedAt != "" {
			if _, err := datetime.Parse(e.StartedAt); err != nil {
				return fmt.Errorf("exchanges[%d].startedAt: %w", i, err)
			}
		}
		if e.Method == "" || !strings.HasPrefix(e.Path, "/") {
			return fmt.Errorf("exchanges[%d]: method and an absolute path are required", i)
		}
		if e.Status < 100 || e.Status > 599 {
			return fmt.Errorf("exchanges[%d]: status %d is not an HTTP status", i, e.Status)
		}
		if holds(len(e.RequestBody), len(e.RequestText), len(e.RequestBytes)) > 1 || holds(len(e.ResponseBody), len(e.ResponseText), len(e.ResponseBytes)) > 1 {
			return fmt.Errorf("exchanges[%d]: a body is JSON, text or bytes, one of them", i)
		}
		if e.Truncated || e.Error != "" {
			return fmt.Errorf("exchanges[%d]: a capsule records whole answers: truncated and error are not allowed", i)
		}
	}
	return nil
}

// Read decodes and validates a capsule. Unknown fields are errors: a field this version does not
// know would otherwise be dropped silently when the capsule is written back. A leading byte
// order mark is skipped, as in fixture files: a capsule edited in Notepad still reads.
func Read(r io.Reader) (*Capsule, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("capsule is larger than %d bytes", MaxFileSize)
	}
	data = store.BlankBOM(data)
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("capsule: %w", err)
	}
	if probe.Format != Format {
		return nil, fmt.Errorf("not a capsule: format is %q, want %q", probe.Format, Format)
	}
	if probe.Version != Version {
		return nil, fmt.Errorf("capsule version %d is not supported (this oneentry-mock reads version %d)", probe.Version, Version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Capsule
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("capsule: %w", err)
	}
	if c.Redactions == nil {
		c.Redactions = map[string]string{}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Load reads the capsule file at path.
func Load(path string) (*Capsule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Marshal encodes the capsule as its file holds it (MarshalFile).
func (c *Capsule) Marshal() ([]byte, error) { return MarshalFile(c) }

// WriteFile writes the capsule to path atomically: to a temporary file in the same folder, synced,
// then renamed over path. A crash at any moment leaves either the previous file or the new one,
// never a truncated JSON document.
func WriteFile(path string, c *Capsule) error {
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := stageFile(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// stageFile writes data, synced, to a new temporary file beside path and returns its name, for
// a rename over path to make it appear whole.
func stageFile(path string, data []byte) (name string, err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}

// ErrNoExchanges is returned when a capsule that must hold exchanges holds none.
var ErrNoExchanges = errors.New("capsule holds no exchanges")

// checkPlaceholder accepts a placeholder only in the shapes the redactor writes: replay replaces
// every occurrence of a token placeholder in every answer, so an empty or one-letter key would
// multiply each answer's size.
func checkPlaceholder(p, kind string) error {
	switch kind {
	case KindEmail:
		local, domain, ok := strings.Cut(p, "@")
		if !ok || local == "" || domain != EmailDomain {
			return fmt.Errorf("%q is not an e-mail placeholder (user1@%s)", p, EmailDomain)
		}
	case KindAccessToken, KindRefreshToken, KindAppToken, KindPassword, KindFingerprint, KindClientSecret, KindSecret, KindCode, KindPhone:
		if !placeholderPattern.MatchString(p) {
			return fmt.Errorf("%q is not a placeholder of the shape <%s-1>", p, kind)
		}
	default:
		return fmt.Errorf("%q has the unknown kind %q", p, kind)
	}
	return nil
}

// holds counts the lengths that are not zero.
func holds(lengths ...int) int {
	n := 0
	for _, l := range lengths {
		if l > 0 {
			n++
		}
	}
	return n
}
