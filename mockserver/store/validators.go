package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fieldRules are the validators of a form attribute that a submitted value must pass, read
// from its fixture once. OneEntry's platform notes (attribute-sets.md) say which validators a
// submission is checked against; the shapes are the ones the admin panel stores, as OneEntry's
// notes and SDK show them (bounds are numbers or strings, "" when unset).
type fieldRules struct {
	// required is requiredValidator, unless its strict is false.
	required bool
	email    bool // emailInspectionValidator
	url      bool // urlInspectionValidator
	// trim is trimValidator: the other checks see the value without surrounding spaces.
	trim bool
	// stringInspectionValidator: lengths in characters, 0 for no bound; exact wins over both.
	minLen, maxLen, exactLen int
	pattern                  *regexp.Regexp // regExpValidator.patternValue, as RE2 reads it
	patternText              string         // the pattern as the project wrote it
	number                   *numberRule    // checkForNumberValidator
}

// numberRule is checkForNumberValidator: a number, whole with integerOnly, within the bounds
// that are set.
type numberRule struct {
	integerOnly bool
	min, max    *float64
}

// parseFieldRules reads an attribute's validators. A shape the mock cannot read is an error
// naming the validator, so a fixture says what it enforces or does not load.
func parseFieldRules(raw json.RawMessage) (fieldRules, error) {
	var r fieldRules
	if len(raw) == 0 || string(raw) == "null" {
		return r, nil
	}
	var validators map[string]json.RawMessage
	if err := json.Unmarshal(raw, &validators); err != nil {
		return r, errors.New("must be an object")
	}
	for name, v := range validators {
		if off(v) {
			continue
		}
		switch name {
		case "requiredValidator":
			var rule struct {
				Strict *bool `json:"strict"`
			}
			r.required = json.Unmarshal(v, &rule) != nil || rule.Strict == nil || *rule.Strict
		case "emailInspectionValidator":
			r.email = true
		case "urlInspectionValidator":
			r.url = true
		case "trimValidator":
			r.trim = true
		case "stringInspectionValidator":
			var b struct{ StringMin, StringMax, StringLength json.RawMessage }
			if json.Unmarshal(v, &b) != nil {
				return r, fmt.Errorf("%s must be an object with stringMin, stringMax, stringLength", name)
			}
			for _, f := range []struct {
				key string
				raw json.RawMessage
				to  *int
			}{{"stringMin", b.StringMin, &r.minLen}, {"stringMax", b.StringMax, &r.maxLen}, {"stringLength", b.StringLength, &r.exactLen}} {
				n, set, err := bound(f.raw)
				if err != nil || (set && (n < 0 || n != math.Trunc(n) || n > math.MaxInt32)) {
					return r, fmt.Errorf("%s.%s must be a whole number of characters, as a number or a string (\"\" for none)", name, f.key)
				}
				*f.to = int(n)
			}
			if r.minLen > 0 && r.maxLen > 0 && r.minLen > r.maxLen {
				return r, fmt.Errorf("%s.stringMin %d is above stringMax %d", name, r.minLen, r.maxLen)
			}
		case "regExpValidator":
			var p struct {
				PatternValue *string `json:"patternValue"`
			}
			if json.Unmarshal(v, &p) != nil || p.PatternValue == nil {
				return r, fmt.Errorf("%s must be an object with patternValue, a string", name)
			}
			if *p.PatternValue == "" {
				continue
			}
			// A pattern is the project's data, written for JavaScript's RegExp. Go's RE2 engine
			// runs any pattern in linear time and reads most of them alike once JavaScript's own
			// escapes are rewritten; what it lacks (lookaround, backreferences: a password rule's
			// "(?=.*[0-9])") leaves the pattern unchecked, so that a live project's forms load.
			if re, err := regexp.Compile(fromJavaScript(*p.PatternValue)); err == nil {
				r.pattern, r.patternText = re, *p.PatternValue
			}
		case "checkForNumberValidator":
			var b struct {
				IntegerOnly        json.RawMessage `json:"integerOnly"`
				MinValue, MaxValue json.RawMessage
			}
			if json.Unmarshal(v, &b) != nil {
				b.IntegerOnly = nil // `true` alone: any number
			}
			rule := &numberRule{integerOnly: len(b.IntegerOnly) > 0 && !off(b.IntegerOnly)}
			for _, f := range []struct {
				key string
				raw json.RawMessage
				to  **float64
			}{{"minValue", b.MinValue, &rule.min}, {"maxValue", b.MaxValue, &rule.max}} {
				n, set, err := bound(f.raw)
				if err != nil {
					return r, fmt.Errorf("%s.%s must be a number, or a string holding one (\"\" for none)", name, f.key)
				}
				if set {
					*f.to = &n
				}
			}
			if rule.min != nil && rule.max != nil && *rule.min > *rule.max {
				return r, fmt.Errorf("%s.minValue %v is above maxValue %v", name, *rule.min, *rule.max)
			}
			r.number = rule
		case "roundingNumberValidator", "booleanValidator", "comparisonValidator",
			"fieldMaskValidator", "checkForAGivenList", "defaultValueValidator", "sizeInPixelsValidator",
			"checkingFilesValidator", "minMaxDateValidator", "valueValidator", "checkForLettersValidator":
			// Of the platform's fixed list, not checked here.
		default:
			// The platform refuses a name outside its fixed list (attribute-sets.md): a misspelt
			// one would otherwise load and check nothing.
			return r, fmt.Errorf("%s is not a validator; the platform's are %s", name, strings.Join(validatorNames, ", "))
		}
	}
	return r, nil
}

// validatorNames is the platform's fixed list of validator names (attribute-sets.md).
var validatorNames = []string{
	"requiredValidator", "trimValidator", "stringInspectionValidator", "urlInspectionValidator",
	"emailInspectionValidator", "checkForNumberValidator", "roundingNumberValidator", "booleanValidator",
	"comparisonValidator", "regExpValidator", "fieldMaskValidator", "checkForAGivenList",
	"defaultValueValidator", "sizeInPixelsValidator", "checkingFilesValidator", "minMaxDateValidator",
	"valueValidator", "checkForLettersValidator",
}

// fromJavaScript rewrites what a JavaScript pattern writes one way and RE2 another: \uXXXX and
// \u{X…} escapes become \x{…}, \cX control escapes their character's \x{…}, and [^] (any
// character at all) [\s\S]. Everything else is left as written.
func fromJavaScript(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "[^]"):
			b.WriteString(`[\s\S]`)
			i += 2
		case p[i] != '\\' || i+1 == len(p):
			b.WriteByte(p[i])
		case p[i+1] == 'u' && len(p) >= i+6 && isHex(p[i+2:i+6]):
			b.WriteString(`\x{` + p[i+2:i+6] + `}`)
			i += 5
		case p[i+1] == 'u' && strings.HasPrefix(p[i+2:], "{") && strings.Contains(p[i+2:], "}"):
			end := i + 2 + strings.IndexByte(p[i+2:], '}')
			b.WriteString(`\x` + p[i+2:end+1])
			i = end
		case p[i+1] == 'c' && i+2 < len(p) && unicode.IsLetter(rune(p[i+2])) && p[i+2] < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x{%02X}`, p[i+2]%32)
			i += 2
		default: // an escape both read alike (or RE2 refuses): copied whole, so \\u stays two
			b.WriteString(p[i : i+2])
			i++
		}
	}
	return b.String()
}

func isHex(s string) bool {
	_, err := strconv.ParseUint(s, 16, 32)
	return err == nil
}

// off reports a validator or flag that is switched off: false or null.
func off(v json.RawMessage) bool {
	s := string(bytes.TrimSpace(v))
	return s == "false" || s == "null"
}

// bound reads a validator bound, which the admin panel stores as a number or a string; ""
// (or null, or no key) is no bound.
func bound(raw json.RawMessage) (float64, bool, error) {
	var s string
	if len(raw) == 0 || string(raw) == "null" || json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) == "" {
		return 0, false, nil
	}
	n, ok := numberOf(raw, true)
	if !ok {
		return 0, false, errors.New("not a number")
	}
	return n, true, nil
}

// checkRules runs the attribute's validators on a non-empty value whose shape is right; ""
// means it passes. A validator that reads text skips a value that holds none (a list, a file).
func checkRules(attr *FormAttribute, value json.RawMessage) string {
	r := &attr.rules
	if r.number != nil {
		if msg := r.number.check(attr.Marker, value, r.trim); msg != "" {
			return msg
		}
	}
	s, ok := valueText(value)
	if !ok {
		if r.email {
			return attr.Marker + " must be an e-mail address"
		}
		return ""
	}
	if r.trim {
		s = strings.TrimSpace(s)
	}
	n := utf8.RuneCountInString(s)
	switch {
	case r.exactLen > 0 && n != r.exactLen:
		return fmt.Sprintf("%s must be exactly %d characters long", attr.Marker, r.exactLen)
	case r.exactLen == 0 && r.minLen > 0 && n < r.minLen:
		return fmt.Sprintf("%s must be at least %d characters long", attr.Marker, r.minLen)
	case r.exactLen == 0 && r.maxLen > 0 && n > r.maxLen:
		return fmt.Sprintf("%s must be at most %d characters long", attr.Marker, r.maxLen)
	case r.email && !singleAddress(s):
		return attr.Marker + " must be an e-mail address"
	case r.url && !isURL(s):
		return attr.Marker + " must be a URL, such as https://example.com"
	case r.pattern != nil && !r.pattern.MatchString(s):
		return fmt.Sprintf("%s does not match the pattern %s", attr.Marker, r.patternText)
	}
	return ""
}

// check reads the value as a number (a JSON number or a string holding one) and applies the rule.
func (nr *numberRule) check(marker string, value json.RawMessage, trim bool) string {
	n, ok := numberOf(value, trim)
	if !ok {
		return marker + " must be a number"
	}
	switch {
	case nr.integerOnly && n != math.Trunc(n):
		return marker + " must be an integer"
	case nr.min != nil && n < *nr.min:
		return fmt.Sprintf("%s must be at least %s", marker, strconv.FormatFloat(*nr.min, 'f', -1, 64))
	case nr.max != nil && n > *nr.max:
		return fmt.Sprintf("%s must be at most %s", marker, strconv.FormatFloat(*nr.max, 'f', -1, 64))
	}
	return ""
}

// valueText is the text a validator reads: a string, a number as written, or the one string of
// a form's text value.
func valueText(value json.RawMessage) (string, bool) {
	value = bytes.TrimSpace(value)
	var s string
	if json.Unmarshal(value, &s) == nil {
		return s, true
	}
	if len(value) > 0 && (value[0] == '-' || (value[0] >= '0' && value[0] <= '9')) {
		return string(value), true
	}
	var text []map[string]string
	if json.Unmarshal(value, &text) == nil && len(text) == 1 && len(text[0]) == 1 {
		for _, v := range text[0] {
			return v, true
		}
	}
	return "", false
}

// isURL accepts what validator.js's isURL does by default, which class-validator's IsUrl
// calls: an http, https or ftp address (the scheme may be left out) whose host is an IP
// address or a domain name with a top-level domain, and no spaces.
func isURL(s string) bool {
	// As validator.js's isURL, which class-validator's IsUrl runs: no white space or angle
	// brackets, and never a mailto: address (which would otherwise read as user info and a host).
	if s == "" || strings.ContainsFunc(s, func(c rune) bool { return unicode.IsSpace(c) || c == '<' || c == '>' }) ||
		!utf8.ValidString(s) || strings.HasPrefix(strings.ToLower(s), "mailto:") {
		return false
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "http://" + s
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp":
	default:
		return false
	}
	if u.User != nil && u.User.Username() == "" { // "http://@example.com"
		return false
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return true
	}
	labels := strings.Split(host, ".") // a trailing dot leaves an empty label: refused below
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if c != '-' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.HasPrefix(tld, "xn--") {
		return true
	}
	return utf8.RuneCountInString(tld) >= 2 && !strings.ContainsFunc(tld, func(c rune) bool { return !unicode.IsLetter(c) })
}
