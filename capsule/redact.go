package capsule

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// Kinds of redacted values, the values of a capsule's redaction map.
const (
	KindEmail        = "email"
	KindAccessToken  = "access-token"
	KindRefreshToken = "refresh-token"
	KindAppToken     = "app-token"
	KindPassword     = "password"
	KindFingerprint  = "fingerprint"
	KindClientSecret = "client-secret"
	KindSecret       = "secret"
	KindCode         = "one-time-code"
	KindPhone        = "phone"
)

// PasswordPlaceholder replaces every password. Passwords are not numbered: nothing needs to
// tell two of them apart, and a number would reveal whether two users share one.
const PasswordPlaceholder = "<password>"

// EmailDomain is the domain of the fake addresses e-mails are replaced with. Addresses already
// in it are left alone, so redacting a capsule twice changes nothing.
const EmailDomain = "example.test"

var (
	jwtPattern     = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
	refreshPattern = regexp.MustCompile(`\b\d{13}-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
	emailPattern   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// placeholderPattern matches what the redactor writes, so a placeholder is never mistaken
	// for a secret.
	placeholderPattern = regexp.MustCompile(`^<[a-z-]+(?:-\d+)?>$`)
)

// minSubstringSecret is the shortest known secret replaced inside longer strings. Shorter ones
// (a 6-digit password) are replaced only where a whole value equals them, or an order id
// containing the same digits would be mangled.
const minSubstringSecret = 8

// RawExchange is an exchange as it passed through, secrets included. It never leaves the
// process: Redactor.Exchange turns it into a storable Exchange.
type RawExchange struct {
	Method         string
	Path           string
	RawQuery       string
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	Start          time.Time
	Duration       time.Duration
}

// Redactor replaces secrets and personal data with placeholders, consistently: the same secret
// always gets the same placeholder, across every exchange it sees. The rules are listed in the
// package README. It is safe for concurrent use.
type Redactor struct {
	mu       sync.Mutex
	bySecret map[string]string // secret (emails lower-cased) → placeholder
	kinds    map[string]string // placeholder → kind
	counters map[string]int
	exact    map[string]bool // secrets replaced only as whole values (codes also as whole words)
	fresh    []string        // secrets learnt since the last TakeFresh
}

// NewRedactor returns a Redactor that knows no secrets yet.
func NewRedactor() *Redactor {
	return &Redactor{bySecret: map[string]string{}, kinds: map[string]string{}, counters: map[string]int{}, exact: map[string]bool{}}
}

// Redactions returns a copy of the redaction map: placeholder → kind.
func (r *Redactor) Redactions() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.kinds))
	for k, v := range r.kinds {
		out[k] = v
	}
	return out
}

// Exchange redacts one exchange: it keeps only the headers that matter and rewrites every header
// value, path segment, query value and body string that holds a secret.
func (r *Redactor) Exchange(raw RawExchange) Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()

	reqBody := parseBody(raw.RequestBody)
	respBody := parseBody(raw.ResponseBody)
	device := parseBody([]byte(raw.RequestHeader.Get("x-device-metadata")))

	// Learn first, rewrite second: a secret seen in a header must also be replaced where it
	// appears earlier in the same exchange's bodies.
	if v := raw.RequestHeader.Get("x-app-token"); v != "" {
		r.learn(v, KindAppToken)
	}
	if _, token, ok := bearer(raw.RequestHeader.Get("Authorization")); ok {
		r.learn(token, KindAccessToken)
	}
	for _, b := range []*node{reqBody, respBody, device} {
		if b != nil {
			r.learnKeys(b, b == reqBody)
		}
	}

	e := Exchange{
		Method: raw.Method,
		Path:   r.redactPath(raw.Path),
		Query:  r.redactQuery(raw.RawQuery),
		Status: raw.Status,
	}
	e.RequestHeaders = r.requestHeaders(raw.RequestHeader, device)
	e.ResponseHeaders = r.keepHeaders(raw.ResponseHeader, ResponseHeaderNames)
	e.RequestBody, e.RequestText = r.body(reqBody, raw.RequestBody, true)
	e.ResponseBody, e.ResponseText = r.body(respBody, raw.ResponseBody, false)
	// Text that is not UTF-8 (a file) would come back from JSON altered: it is kept as bytes.
	if !utf8.ValidString(e.RequestText) {
		e.RequestBytes, e.RequestText = []byte(e.RequestText), ""
	}
	if !utf8.ValidString(e.ResponseText) {
		e.ResponseBytes, e.ResponseText = []byte(e.ResponseText), ""
	}
	if !raw.Start.IsZero() {
		e.StartedAt = raw.Start.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	if raw.Duration > 0 {
		e.DurationMs = exchange.Millis(raw.Duration)
	}
	return e
}

// Body redacts a standalone JSON or text body with the secrets known so far (and any it finds).
func (r *Redactor) Body(data []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := parseBody(data)
	if n != nil {
		r.learnKeys(n, false)
	}
	js, text := r.body(n, data, false)
	if js != nil {
		return js
	}
	return []byte(text)
}

func parseBody(data []byte) *node {
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	n, err := parseJSON(data)
	if err != nil {
		return nil
	}
	return n
}

func (r *Redactor) body(n *node, raw []byte, request bool) (json.RawMessage, string) {
	if n == nil {
		if len(strings.TrimSpace(string(raw))) == 0 {
			return nil, ""
		}
		// A form, or JSON with something after it: its members and fields named like
		// credentials are masked as the journal masks them, then the known secrets replaced.
		masked := exchange.MaskText(string(raw))
		if form, ok := r.redactForm(masked, request); ok {
			return nil, form
		}
		return nil, r.redactString("", masked, request)
	}
	n.walkStrings("", func(key, s string) string { return r.redactString(key, s, request) })
	return json.RawMessage(n.marshal()), ""
}

func bearer(h string) (scheme, token string, ok bool) {
	scheme, token, ok = strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	return scheme, token, ok && token != ""
}

func (r *Redactor) requestHeaders(h http.Header, device *node) map[string]string {
	out := map[string]string{}
	for _, name := range RequestHeaderNames {
		v := h.Get(name)
		if v == "" {
			continue
		}
		switch name {
		case "x-app-token":
			v = r.placeholder(v, KindAppToken)
		case "authorization":
			if scheme, token, ok := bearer(v); ok {
				v = scheme + " " + r.placeholder(token, KindAccessToken)
			} else {
				v = r.placeholder(v, KindSecret)
			}
		case "x-device-metadata":
			if device != nil {
				device.walkStrings("", func(key, s string) string { return r.redactString(key, s, true) })
				v = string(device.marshal())
			} else {
				v = r.redactString("", v, true)
			}
		default:
			v = r.redactString("", v, true)
		}
		out[name] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (r *Redactor) keepHeaders(h http.Header, names []string) map[string]string {
	out := map[string]string{}
	for _, name := range names {
		if v := h.Get(name); v != "" {
			out[name] = r.redactString("", v, false)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// redactPath redacts each segment of a path as a string value; a segment that holds a
// credential by its place (exchange.SecretSegments: the push token of
// /users/me/fcm-token/{token}, which the SDK's addFCMToken sends only there) is that
// credential, whatever it looks like.
func (r *Redactor) redactPath(p string) string {
	segs := strings.Split(p, "/")
	secrets, toEnd := exchange.SecretSegments(p)
	if toEnd { // one value with a "/" in it: the rest of the path
		last := secrets[len(secrets)-1]
		segs = append(segs[:last], strings.Join(segs[last:], "/"))
	}
	for i, s := range segs {
		if s == "" {
			continue
		}
		dec, err := url.PathUnescape(s)
		if err != nil {
			dec = s
		}
		red := r.redactString("", dec, true)
		if slices.Contains(secrets, i) {
			red = r.placeholder(dec, KindSecret)
		}
		if red != dec {
			segs[i] = url.PathEscape(red)
		}
	}
	return strings.Join(segs, "/")
}

func (r *Redactor) redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return r.redactString("", exchange.MaskQuery(raw), true)
	}
	for k, vs := range q {
		for i, v := range vs {
			vs[i] = r.redactString(k, v, true)
		}
	}
	return q.Encode()
}

// keyKind is the kind a member's string value has because of its key alone.
func keyKind(key string, request bool) string {
	k := exchange.FoldName(key)
	switch {
	case k == "accesstoken" || k == "idtoken" || k == "jwt":
		return KindAccessToken
	case k == "refreshtoken":
		return KindRefreshToken
	case strings.Contains(k, "password"):
		return KindPassword
	case k == "clientsecret":
		return KindClientSecret
	case k == "apptoken" || k == "xapptoken":
		// A sandbox's creation answer names it so; seen there first, it must still be the
		// app token that the requests after it send.
		return KindAppToken
	case strings.Contains(k, "secret") || k == "apikey":
		return KindSecret
	case k == "fingerprint":
		return KindFingerprint
	case strings.Contains(k, "phone"):
		return KindPhone
	case k == "code":
		if request {
			return KindCode
		}
	case exchange.IsSecretName(key): // token, fcmToken, …: named like a credential all the same
		return KindSecret
	}
	return ""
}

// markerKind is the kind of the value of an authData/formData entry {marker, value} because of
// its marker: the provider's password field is an ordinary form attribute with a chosen marker.
func markerKind(marker string) string {
	switch {
	case exchange.IsPasswordMarker(marker):
		return KindPassword
	case strings.Contains(strings.ToLower(marker), "phone"):
		return KindPhone
	case exchange.IsCodeMarker(marker):
		return KindCode
	}
	return ""
}

// learnKeys registers the secrets that key rules identify under n.
func (r *Redactor) learnKeys(n *node, request bool) {
	switch n.kind {
	case kindArray:
		for _, item := range n.items {
			r.learnKeys(item, request)
		}
	case kindObject:
		if m, ok := n.get("marker"); ok && m.kind == kindString {
			if v, ok := n.get("value"); ok && v.kind == kindString && v.str != "" {
				if kind := markerKind(m.str); kind != "" {
					r.learn(v.str, kind)
				}
			}
		}
		for i, k := range n.keys {
			v := n.vals[i]
			if v.kind == kindString && v.str != "" {
				if kind := keyKind(k, request); kind != "" {
					r.learn(v.str, kind)
				}
			}
			r.learnKeys(v, request)
		}
	}
}

// redactString rewrites one string value. key is the object key holding it, or the query
// parameter name ("" when neither).
func (r *Redactor) redactString(key, s string, request bool) string {
	if s == "" || placeholderPattern.MatchString(s) {
		return s
	}
	if kind := keyKind(key, request); kind != "" {
		return r.placeholder(s, kind)
	}
	if p, ok := r.bySecret[s]; ok {
		return p
	}
	s = jwtPattern.ReplaceAllStringFunc(s, func(m string) string { return r.placeholder(m, KindAccessToken) })
	s = refreshPattern.ReplaceAllStringFunc(s, func(m string) string { return r.placeholder(m, KindRefreshToken) })
	s = r.replaceKnown(s)
	s = emailPattern.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasSuffix(strings.ToLower(m), "@"+EmailDomain) {
			return m
		}
		return r.placeholder(m, KindEmail)
	})
	return s
}

// redactForm redacts each value of a URL-encoded form as its decoded text, so that an address a
// browser sent as "a%40b.c" is found; keys, order and separators stay. ok is false for text that
// is not a form.
func (r *Redactor) redactForm(s string, request bool) (string, bool) {
	if !strings.Contains(s, "=") || strings.ContainsAny(s, " \t\r\n\"{}[]") {
		return "", false
	}
	var out strings.Builder
	for rest := s; rest != ""; {
		part, sep := rest, ""
		if i := strings.IndexAny(rest, "&;"); i >= 0 {
			part, sep, rest = rest[:i], rest[i:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		if key, value, hasValue := strings.Cut(part, "="); hasValue {
			name, kerr := url.QueryUnescape(key)
			text, verr := url.QueryUnescape(value)
			if kerr != nil || verr != nil {
				return "", false
			}
			if text == exchange.Redacted {
				// masked already, by name
			} else if red := r.redactString(name, text, request); red != text {
				part = key + "=" + url.QueryEscape(red)
			}
		}
		out.WriteString(part)
		out.WriteString(sep)
	}
	return out.String(), true
}

// replaceKnown replaces every known secret long enough to be recognised inside a longer string,
// and every one-time code standing as a word of its own, longest first so that a secret
// containing another is replaced whole.
func (r *Redactor) replaceKnown(s string) string {
	var secrets []string
	for secret := range r.bySecret {
		if strings.Contains(s, secret) {
			secrets = append(secrets, secret)
		}
	}
	return r.replaceSecrets(s, secrets)
}

// replaceSecrets replaces the given known secrets in s, each by its rule: a whole value equal
// to it always; inside a longer string one of minSubstringSecret characters or more, and a
// one-time code where it stands as a word ("Your code: 227257"), not where it is part of one
// (order 1227257); other short secrets (a 6-digit password) not.
func (r *Redactor) replaceSecrets(s string, secrets []string) string {
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	for _, secret := range secrets {
		p, ok := r.bySecret[secret]
		switch {
		case !ok || secret == "":
		case s == secret:
			return p
		case r.exact[secret] && r.kinds[p] == KindCode:
			s = replaceWord(s, secret, p)
		case !r.exact[secret] && len(secret) >= minSubstringSecret:
			s = strings.ReplaceAll(s, secret, p)
		}
	}
	return s
}

// replaceWord replaces each occurrence of word in s that no letter or digit touches.
func replaceWord(s, word, with string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(word):])
		out.WriteString(s[:i])
		if i > 0 && isWordRune(before) || i+len(word) < len(s) && isWordRune(after) {
			out.WriteString(word)
		} else {
			out.WriteString(with)
		}
		s = s[i+len(word):]
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mentionsAny says whether any of secrets occurs anywhere in e as stored.
func mentionsAny(e Exchange, secrets []string) bool {
	parts := []string{e.Path, e.Query, string(e.RequestBody), string(e.ResponseBody), e.RequestText, e.ResponseText}
	for _, h := range []map[string]string{e.RequestHeaders, e.ResponseHeaders} {
		for _, v := range h {
			parts = append(parts, v)
		}
	}
	for _, part := range parts {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(part, secret) {
				return true
			}
		}
	}
	return false
}

// TakeFresh returns the secrets learnt since it was last called. An exchange recorded before a
// secret was known (the e-mail holding a code, read before the code is sent) still holds it:
// Scrub those with these.
func (r *Redactor) TakeFresh() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	fresh := r.fresh
	r.fresh = nil
	return fresh
}

// Scrub replaces the given secrets, learnt since e was redacted, in e's path, query, headers
// and bodies; changed says whether any was there.
func (r *Redactor) Scrub(e Exchange, secrets []string) (out Exchange, changed bool) {
	if !mentionsAny(e, secrets) {
		return e, false // the usual case: parsing every earlier body for every new secret is not cheap
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	replace := func(s string) string {
		if red := r.replaceSecrets(s, slices.Clone(secrets)); red != s {
			changed = true
			return red
		}
		return s
	}
	segs := strings.Split(e.Path, "/")
	for i, seg := range segs {
		if dec, err := url.PathUnescape(seg); err == nil {
			if red := replace(dec); red != dec {
				segs[i] = url.PathEscape(red)
			}
		}
	}
	e.Path = strings.Join(segs, "/")
	if q, err := url.ParseQuery(e.Query); err == nil && e.Query != "" {
		before := changed
		changed = false
		for _, vs := range q {
			for i, v := range vs {
				vs[i] = replace(v)
			}
		}
		if changed {
			e.Query = q.Encode()
		}
		changed = changed || before
	}
	// New maps: a snapshot being written may share the old ones.
	for _, h := range []*map[string]string{&e.RequestHeaders, &e.ResponseHeaders} {
		if *h == nil {
			continue
		}
		scrubbed := make(map[string]string, len(*h))
		for k, v := range *h {
			scrubbed[k] = replace(v)
		}
		*h = scrubbed
	}
	for _, body := range []*json.RawMessage{&e.RequestBody, &e.ResponseBody} {
		if n := parseBody(*body); n != nil {
			before := changed
			changed = false
			n.walkStrings("", func(_, s string) string { return replace(s) })
			if changed {
				*body = json.RawMessage(n.marshal())
			}
			changed = changed || before
		}
	}
	e.RequestText, e.ResponseText = replace(e.RequestText), replace(e.ResponseText)
	return e, changed
}

func (r *Redactor) learn(secret, kind string) {
	if secret == "" || placeholderPattern.MatchString(secret) {
		return
	}
	r.placeholder(secret, kind)
}

// placeholder returns the placeholder of secret, issuing one of the given kind the first time.
func (r *Redactor) placeholder(secret, kind string) string {
	if secret == "" || placeholderPattern.MatchString(secret) {
		return secret
	}
	key := secret
	if kind == KindEmail {
		if strings.HasSuffix(strings.ToLower(secret), "@"+EmailDomain) {
			return secret
		}
		key = strings.ToLower(secret)
	}
	if p, ok := r.bySecret[key]; ok {
		return p
	}
	var p string
	switch kind {
	case KindPassword:
		p = PasswordPlaceholder
	case KindEmail:
		r.counters[kind]++
		p = fmt.Sprintf("user%d@%s", r.counters[kind], EmailDomain)
	default:
		r.counters[kind]++
		p = fmt.Sprintf("<%s-%d>", kind, r.counters[kind])
		if kind == KindCode || kind == KindPhone {
			r.exact[key] = true
		}
	}
	r.bySecret[key] = p
	r.kinds[p] = kind
	r.fresh = append(r.fresh, key)
	return p
}
