package drift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// AllowFile is an acknowledged-drift file (drift-allow.yaml): differences the team knows about,
// each with a reason and an expiry date after which it is reported again.
//
//	ignore:                      # optional: more volatile JSON pointers ("*" = one segment)
//	  - /items/*/createdDate
//	allow:
//	  - step: ticket-purchase/create-order   # flow/step; "*" matches within the flow or the step (capsule/*)
//	    pointer: /formData/1                  # as the report prints it ("-" = the whole body); "*" = any one segment
//	    kind: value                           # a Kind, or "*"
//	    reason: the seed recorded no schedule slot
//	    expires: 2027-06-30                   # the entry silences nothing after this day (UTC)
type AllowFile struct {
	Ignore []string     `yaml:"ignore" json:"ignore,omitempty"`
	Allow  []AllowEntry `yaml:"allow" json:"allow"`
}

// AllowEntry acknowledges the differences of one step, pointer and kind.
type AllowEntry struct {
	Step    string `yaml:"step" json:"step"`
	Pointer string `yaml:"pointer" json:"pointer"`
	Kind    string `yaml:"kind" json:"kind"`
	Reason  string `yaml:"reason" json:"reason"`
	Expires string `yaml:"expires" json:"expires"`

	until time.Time // the first instant the entry no longer applies
}

// expiryLayout is the date format of expires.
const expiryLayout = "2006-01-02"

// ParseAllowFile decodes and checks an allow file. Unknown fields, null items, entries without a
// step, a pointer, a known kind, a reason or a valid expiry date are errors.
func ParseAllowFile(data []byte) (*AllowFile, error) {
	var a AllowFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("allow file: %w", err)
	}
	// Only the first document is read: entries after a "---" would silence nothing, unseen.
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("allow file: a second YAML document (line %d): one file holds one document", next.Line)
	}
	if err := refuseNullItems(data); err != nil {
		return nil, err
	}
	for i := range a.Allow {
		e := &a.Allow[i]
		at := fmt.Sprintf("allow file: allow[%d]", i)
		if strings.TrimSpace(e.Step) == "" || strings.TrimSpace(e.Pointer) == "" {
			return nil, fmt.Errorf("%s: step and pointer are required (pointer \"*\" matches any, \"-\" the whole body)", at)
		}
		if err := checkPointerPattern(e.Pointer); err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		if e.Kind != "*" && !slices.Contains(Kinds, e.Kind) {
			return nil, fmt.Errorf("%s: kind %q is not one of %s or *", at, e.Kind, strings.Join(Kinds, ", "))
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("%s: a reason is required", at)
		}
		day, err := time.Parse(expiryLayout, e.Expires)
		if err != nil {
			return nil, fmt.Errorf("%s: expires %q is not a date like 2027-06-30", at, e.Expires)
		}
		e.until = day.AddDate(0, 0, 1)
		if _, err := path.Match(e.Step, ""); err != nil {
			return nil, fmt.Errorf("%s: step pattern %q: %w", at, e.Step, err)
		}
	}
	for i, p := range a.Ignore {
		if err := CheckIgnore(p); err != nil {
			return nil, fmt.Errorf("allow file: ignore[%d]: %w", i, err)
		}
	}
	return &a, nil
}

// CheckIgnore refuses what cannot be an ignore pointer (Options.Ignore, an allow file's
// ignore:): anything but a JSON pointer, and a pattern path.Match cannot read.
func CheckIgnore(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%q is not a JSON pointer", p)
	}
	return checkPointerPattern(p)
}

// checkPointerPattern refuses a pointer pattern with a segment path.Match cannot read
// ("/formData/["): it would match no pointer at all, and silence nothing without a word.
func checkPointerPattern(p string) error {
	for _, segment := range strings.Split(p, "/") {
		if _, err := path.Match(segment, ""); err != nil {
			return fmt.Errorf("pointer pattern %q: %w", p, err)
		}
	}
	return nil
}

// refuseNullItems refuses an allow or ignore item that is null ("- null", "- ~", or a bare
// "-"). The decoder drops such items from the lists before the entries are checked, so an
// entry left empty would otherwise pass where "- {}" is refused.
func refuseNullItems(data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil // the decode before reported what is wrong, or the file is empty
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, list := root.Content[i].Value, root.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			continue
		}
		for j, item := range list.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind == yaml.ScalarNode && item.ShortTag() == "!!null" {
				need := "a JSON pointer"
				if key == "allow" {
					need = "step, pointer, kind, reason and expires"
				}
				return fmt.Errorf("allow file: %s[%d] (line %d) is empty; it needs %s", key, j, item.Line, need)
			}
		}
	}
	return nil
}

// LoadAllowFile reads and parses the allow file at p.
func LoadAllowFile(p string) (*AllowFile, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	a, err := ParseAllowFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return a, nil
}

// Expired reports whether the entry no longer applies at now.
func (e *AllowEntry) Expired(now time.Time) bool { return !now.Before(e.until) }

// match returns the first unexpired entry acknowledging it.
func (a *AllowFile) match(it Item, now time.Time) *AllowEntry {
	for i := range a.Allow {
		e := &a.Allow[i]
		if e.Expired(now) {
			continue
		}
		if e.Kind != "*" && e.Kind != it.Kind {
			continue
		}
		if !stepMatch(e.Step, it) {
			continue
		}
		if !pointerMatch(e.Pointer, it.Pointer) {
			continue
		}
		return e
	}
	return nil
}

// stepMatch matches an item's step against a "flow/step" pattern, the flow's name and the step's
// each one segment for path.Match wildcards. The step of a recorded exchange no flow made is
// named after its request ("#10 GET /api/content/products/10") and must be one segment too, so
// that "capsule/*" matches it: its slashes are hidden from path.Match, which never lets a
// wildcard cross one.
func stepMatch(pattern string, it Item) bool {
	flowPattern, stepPattern, ok := strings.Cut(pattern, "/")
	if !ok {
		return false
	}
	if m, _ := path.Match(flowPattern, it.Flow); !m {
		return false
	}
	oneSegment := strings.NewReplacer("/", "\x00")
	m, _ := path.Match(oneSegment.Replace(stepPattern), oneSegment.Replace(it.Step))
	return m
}

func (a *AllowFile) expired(now time.Time) []AllowEntry {
	var out []AllowEntry
	for _, e := range a.Allow {
		if e.Expired(now) {
			out = append(out, e)
		}
	}
	return out
}

// wholeBody is the pointer the reports print for a difference of the whole body or of the step
// (RFC 6901 writes it as "", which an allow file cannot tell from a pointer left out). "/"
// cannot stand for it: that pointer names the member whose key is "".
const wholeBody = "-"

// pointerMatch matches a pointer against a pattern whose segments may use path.Match wildcards;
// the pattern "*" alone matches any pointer, wholeBody only the empty one.
func pointerMatch(pattern, p string) bool {
	if pattern == "*" || pattern == p {
		return true
	}
	if pattern == wholeBody || p == "" {
		return pattern == wholeBody && p == ""
	}
	ps, ts := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(ps) != len(ts) {
		return false
	}
	for i := range ps {
		if ok, err := path.Match(ps[i], ts[i]); err != nil || !ok {
			return false
		}
	}
	return true
}
