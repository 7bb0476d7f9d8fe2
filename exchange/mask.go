package exchange

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/internal/jsonscan"
)

// Redacted replaces a masked value in logs and reports.
const Redacted = "[redacted]"

// secretNames are the names whose values are credentials, folded as IsSecretName folds them;
// names ending in "secret", "password" or "token" are credentials too.
var secretNames = map[string]bool{
	"password1": true, "password2": true, "code": true, "jwt": true, "apikey": true,
	"secretkey": true, "signingsecretkey": true, "tokensecretkey": true,
}

// IsSecretName reports whether a body member or a query parameter of this name holds a
// credential. The name is folded first: lower case, without "_" and "-" (access_token,
// Refresh-Token), and of a bracketed name its last part (user[password], token[]). A map and
// suffix checks, not a regular expression: every journaled query goes through here.
func IsSecretName(name string) bool {
	folded := FoldName(name)
	return secretNames[folded] || strings.HasSuffix(folded, "secret") || strings.HasSuffix(folded, "password") ||
		strings.HasSuffix(folded, "token")
}

// FoldName is a member or parameter name as the secret rules compare it: lower case, without
// "_" and "-", and of a bracketed name (user[password], token[]) its last part.
func FoldName(name string) string {
	if i := strings.LastIndexByte(name, '['); i >= 0 {
		if inner := strings.TrimSuffix(name[i+1:], "]"); inner != "" {
			name = inner
		} else {
			name = name[:i]
		}
	}
	return foldName.Replace(strings.ToLower(name))
}

// foldName lets "client_secret", "client-secret" and "clientSecret" match one name. Built once:
// a Replacer builds its tables on first use, which per request cost more than the rest of the
// masking.
var foldName = strings.NewReplacer("_", "", "-", "")

// IsPasswordMarker reports whether a form field of this marker holds a password, as masking
// judges it: its marker names one ("password_reg", "newPass").
func IsPasswordMarker(marker string) bool {
	return strings.Contains(strings.ToLower(marker), passwordWord)
}

// IsCodeMarker reports whether a form field of this marker holds a one-time code, as masking
// judges it: "code", or a name ending in "_code" ("email_code").
func IsCodeMarker(marker string) bool {
	m := strings.ToLower(marker)
	return m == codeWord || strings.HasSuffix(m, "_"+codeWord)
}

// passwordWord is what the marker of a password field holds, and codeWord what the marker of a
// one-time code is or ends in, in any case.
const (
	passwordWord = "pass"
	codeWord     = "code"
)

const (
	jsonString = `"(?:[^"\\]|\\.)*"`
	jsonScalar = `(?:` + jsonString + `|-?[0-9][0-9.eE+-]*|true|false|null)`
	// jsonFlat is a scalar or a list of scalars: a credential sent as a number or in a list
	// (the SDK types a password value string | number) is masked whole.
	jsonFlat = `(?:` + jsonScalar + `|\[\s*(?:` + jsonScalar + `(?:\s*,\s*` + jsonScalar + `)*)?\s*\])`
	// secretMarker is the marker of a field holding a credential, which the project chooses: as
	// IsPasswordMarker or IsCodeMarker judge it.
	secretMarker = `"marker"\s*:\s*"(?:[^"]*(?i:` + passwordWord + `)[^"]*|(?i:` + codeWord + `)|[^"]*(?i:_` + codeWord + `))"`
	// entryMembers are further scalar members of one object: they never cross into another.
	entryMembers = `(?:\s*,\s*` + jsonString + `\s*:\s*` + jsonScalar + `)*`
)

var (
	// members matches "key":value members with a scalar value or a list of them, white space
	// allowed, so that a body that is not compact (cut, or not valid JSON) is masked too.
	members = regexp.MustCompile(`(` + jsonString + `)\s*:\s*` + jsonFlat)
	// secretEntries match authData/formData entries of credential fields, marker and value in
	// either order, with other scalar members of the entry (a formData entry's "type") between.
	secretEntries = []*regexp.Regexp{
		regexp.MustCompile(`(` + secretMarker + entryMembers + `\s*,\s*"value"\s*:\s*)` + jsonFlat + `()`),
		regexp.MustCompile(`("value"\s*:\s*)` + jsonFlat + `(` + entryMembers + `\s*,\s*` + secretMarker + `)`),
	}
)

// Mask keeps a body for a log or report: compact JSON when it is JSON and no longer than max
// bytes, text otherwise, cut at max (truncated is then set). Credentials are replaced with
// Redacted: members named like a token, password, code or client secret, the value of an
// authData or formData entry whose marker names a password or a one-time code (scalar or
// list, as sent), and every one of secrets. Everything else
// stays, keys in their order, so a developer sees what was sent.
func Mask(body []byte, max int, secrets []string) (js json.RawMessage, text string, truncated bool) {
	if max > 0 && len(body) > max {
		body, truncated = body[:max], true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "", truncated
	}
	if !truncated && json.Valid(body) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, body); err == nil {
			return json.RawMessage(maskJSON(buf.Bytes(), secrets)), "", false
		}
	}
	if truncated {
		body = withoutOpenEntry(body)
	}
	s := MaskText(string(body))
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return nil, s, truncated
}

// withoutOpenEntry leaves out what a cut split. The masks match whole members and entries,
// and a cut may split a password's value, its key or the marker that names it, so that what
// is left of it would show. Inside a nested object (an authData or formData entry) the whole
// open object goes; in the outermost one, the member the cut fell in.
func withoutOpenEntry(b []byte) []byte {
	var objects []int // where each object still open at the cut starts
	lastMember := -1  // where the last member or element of the innermost open value starts
	jsonscan.Outside(b, func(i int, c byte) bool {
		switch c {
		case '{':
			objects = append(objects, i)
			lastMember = i + 1
		case '[', ',':
			lastMember = i + 1
		case '}':
			if len(objects) > 0 {
				objects = objects[:len(objects)-1]
			}
		}
		return true
	})
	switch {
	case len(objects) >= 2:
		return b[:objects[len(objects)-1]]
	case lastMember >= 0:
		return b[:lastMember]
	}
	return b
}

// maskMembers replaces the value of every member whose key names a credential, matching each
// member once.
func maskMembers(b []byte) []byte {
	var out []byte
	last := 0
	for _, m := range members.FindAllSubmatchIndex(b, -1) {
		var key string
		if json.Unmarshal(b[m[2]:m[3]], &key) != nil || !IsSecretName(key) {
			continue
		}
		valueStart := m[1] - len(bytes.TrimLeft(b[m[3]:m[1]], " \t\r\n:"))
		out = append(append(out, b[last:valueStart]...), `"`+Redacted+`"`...)
		last = m[1]
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// multipartField matches a field of a multipart/form-data body up to its value's first line:
// the part's headers, the blank line, then the value.
var multipartField = regexp.MustCompile(`(?i)(content-disposition:\s*form-data;\s*name="([^"]*)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([^\r\n]*)`)

// MaskText masks a body that is not JSON, or was cut, as far as it reads like JSON members, a
// form or multipart form fields: what Mask does with such a body.
func MaskText(s string) string {
	s = maskMultipart(s)
	s = string(maskJSON([]byte(s), nil))
	if !strings.ContainsAny(s, " \t\r\n\"{") {
		s = MaskQuery(s)
	}
	return s
}

// maskMultipart replaces the values of multipart fields named like credentials.
func maskMultipart(s string) string {
	if !strings.Contains(strings.ToLower(s), "form-data") {
		return s
	}
	return multipartField.ReplaceAllStringFunc(s, func(field string) string {
		m := multipartField.FindStringSubmatch(field)
		if !IsSecretName(m[2]) {
			return field
		}
		return m[1] + Redacted
	})
}

func maskJSON(b []byte, secrets []string) []byte {
	b = maskMembers(b)
	for _, re := range secretEntries {
		b = re.ReplaceAll(b, []byte(`${1}"`+Redacted+`"${2}`))
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		quoted, _ := json.Marshal(s)
		b = bytes.ReplaceAll(b, quoted, []byte(`"`+Redacted+`"`))
	}
	return b
}

// MaskQuery masks a raw query string (or a form body) as Mask masks a body: the value of every
// parameter named like a credential (see IsSecretName) becomes Redacted, whether "&" or ";"
// separates the parameters. Everything else stays as sent, in its order.
func MaskQuery(raw string) string {
	if !strings.Contains(raw, "=") {
		return raw
	}
	masked := false
	var out strings.Builder
	for rest := raw; rest != ""; {
		i := strings.IndexAny(rest, "&;")
		part, sep := rest, ""
		if i >= 0 {
			part, sep, rest = rest[:i], rest[i:i+1], rest[i+1:]
		} else {
			rest = ""
		}
		if key, _, hasValue := strings.Cut(part, "="); hasValue {
			if name, err := url.QueryUnescape(key); err == nil {
				key = name
			}
			if IsSecretName(key) {
				part = part[:strings.IndexByte(part, '=')+1] + Redacted
				masked = true
			}
		}
		out.WriteString(part)
		out.WriteString(sep)
	}
	if !masked {
		return raw
	}
	return out.String()
}

// MaskHeaders keeps the named request headers, lower-cased, with credentials masked: the
// Authorization value keeps only its scheme, and x-app-token shows only enough of the token to
// tell sandboxes apart.
func MaskHeaders(h http.Header, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, name := range names {
		v := h.Get(name)
		if v == "" {
			continue
		}
		name = strings.ToLower(name)
		switch name {
		case "x-app-token":
			v = MaskToken(v)
		case "authorization":
			if scheme, _, ok := strings.Cut(v, " "); ok && scheme == "Bearer" {
				v = bearerRedacted // the usual case, without building the string
			} else if ok {
				v = scheme + " " + Redacted
			} else {
				v = Redacted
			}
		}
		out[name] = v
	}
	return out
}

const bearerRedacted = "Bearer " + Redacted

// MaskToken shows enough of a token to tell sandboxes apart, not enough to use it.
func MaskToken(v string) string {
	if len(v) <= 8 {
		return Redacted
	}
	return v[:4] + "…" + v[len(v)-2:]
}

// ResponseHeaders keeps the response headers that decide how a client reads the answer: the
// content type and the CORS headers.
func ResponseHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for name, vs := range h {
		lower := strings.ToLower(name)
		if lower == "content-type" || strings.HasPrefix(lower, "access-control-") {
			out[lower] = strings.Join(vs, ", ")
		}
	}
	return out
}

// MaskPath masks the segments of path that fill a variable of route named like a credential
// (see IsSecretName): "/users/me/fcm-token/abc" under ".../fcm-token/{token}" becomes
// ".../fcm-token/[redacted]". route is a template as the router writes it, optionally after a
// method ("POST /a/{b}"), a variable optionally with a pattern ("{id:[0-9]+}"). Empty segments
// of path (a doubled or trailing slash) fill no variable. When the path has more segments than
// the route (an escaped "/" in a value), everything from the first such variable on is masked,
// so a value is never shown in part.
func MaskPath(route, path string) string {
	if !hasSecretVariable(route) {
		return path
	}
	if _, template, ok := strings.Cut(route, " "); ok {
		route = template
	}
	segs := strings.Split(path, "/")
	secrets, toEnd := secretSegments(nonEmpty(strings.Split(route, "/")), segs)
	if len(secrets) == 0 {
		return path
	}
	return maskSegments(segs, secrets, toEnd)
}

// MaskUnroutedPath masks path as MaskPath masks it under the route it fits among the routes
// whose variables hold a credential, for a path that comes with no route: one the recording
// proxy forwards, a replay answers, or a router matched to none. A path that fits none of them
// stays as it is.
func MaskUnroutedPath(path string) string {
	segs := strings.Split(path, "/")
	secrets, toEnd := unroutedSecrets(segs)
	if len(secrets) == 0 {
		return path
	}
	return maskSegments(segs, secrets, toEnd)
}

// SecretSegments says which segments of path, numbered as strings.Split(path, "/") numbers
// them, MaskUnroutedPath masks: each of segments holds one credential. When toEnd is set the
// path has not as many segments as its route (an escaped "/" in a value), so where the value
// ends is not known: the credential runs from the last of segments to the end of the path.
func SecretSegments(path string) (segments []int, toEnd bool) {
	return unroutedSecrets(strings.Split(path, "/"))
}

// credentialRouteTemplates are the routes whose variables hold a credential, by which a path
// that comes with no route is masked: the push token of the SDK's addFCMToken, which it sends
// only in the path, and the app token that addresses the mock's own pages (uploads, checkout,
// OAuth consent) and an admin sandbox. The mock's routes are kept in step with them by a test
// of mockserver. When a path fits several, the first wins.
var credentialRouteTemplates = []string{
	"/api/content/users/me/fcm-token/{token}",
	"/cloud-static/{token}/files/project/{type}/{entity}/{id}/{name}",
	"/checkout/{token}/{session}/{action}",
	"/checkout/{token}/{session}",
	"/oauth/{token}/{marker}",
	"/__admin/sandboxes/{token}",
}

var credentialRoutes = splitRoutes(credentialRouteTemplates...)

// CredentialRoutes returns the route templates by which MaskUnroutedPath and SecretSegments
// mask a path that comes with no route.
func CredentialRoutes() []string {
	return slices.Clone(credentialRouteTemplates)
}

func splitRoutes(routes ...string) [][]string {
	out := make([][]string, len(routes))
	for i, r := range routes {
		out[i] = nonEmpty(strings.Split(r, "/"))
	}
	return out
}

// unroutedSecrets is secretSegments under the credential route segs fits: the first that it
// fits whole, else the first whose credential it fits as a value with an escaped "/" in it (see
// fits). A shorter path fits none: the live API's /cloud-static/files/… is no
// /cloud-static/{token}/files/….
func unroutedSecrets(segs []string) (secrets []int, toEnd bool) {
	parts := nonEmpty(segs)
	var longer []string
	for _, route := range credentialRoutes {
		whole, prefix := fits(route, parts)
		if whole {
			return secretSegments(route, segs)
		}
		if prefix && longer == nil {
			longer = route
		}
	}
	if longer == nil {
		return nil, false
	}
	return secretSegments(longer, segs)
}

// fits says whether parts, a path's non-empty segments, fit route whole (as many segments,
// the same literals), and whether they fit it with its first credential variable taking more
// than one segment (a value with an escaped "/" in it): the segments before and after that
// variable fit the route's, the ones after aligned to the path's end.
func fits(route, parts []string) (whole, prefix bool) {
	whole = len(route) == len(parts) && literalsFit(route, parts)
	k := slices.IndexFunc(route, func(seg string) bool {
		name, isVar := variable(seg)
		return isVar && IsSecretName(name)
	})
	if k < 0 || len(parts) <= len(route) {
		return whole, false
	}
	tail := route[k+1:]
	return whole, literalsFit(route[:k+1], parts[:k+1]) && literalsFit(tail, parts[len(parts)-len(tail):])
}

// literalsFit says whether parts, as many as route's segments, have its literals where it has
// them.
func literalsFit(route, parts []string) bool {
	for j, seg := range route {
		if _, isVar := variable(seg); !isVar && seg != parts[j] {
			return false
		}
	}
	return true
}

// secretSegments returns the indexes of the segments of segs (a path split at "/") that fill a
// variable of route (its non-empty segments) named like a credential; empty segments fill none.
// When segs has not as many non-empty segments as route, it returns only the first, and toEnd.
func secretSegments(route, segs []string) (secrets []int, toEnd bool) {
	var filled []int
	for i, s := range segs {
		if s != "" {
			filled = append(filled, i)
		}
	}
	for j, seg := range route {
		name, isVar := variable(seg)
		if !isVar || j >= len(filled) || !IsSecretName(name) {
			continue
		}
		if len(filled) != len(route) {
			return append(secrets, filled[j]), true
		}
		secrets = append(secrets, filled[j])
	}
	return secrets, false
}

// variable returns the name of a route segment that is a variable ("{id}", "{id:[0-9]+}").
func variable(seg string) (name string, ok bool) {
	name, ok = strings.CutPrefix(seg, "{")
	if !ok || !strings.HasSuffix(name, "}") {
		return "", false
	}
	name, _, _ = strings.Cut(strings.TrimSuffix(name, "}"), ":")
	return name, true
}

func nonEmpty(segs []string) []string {
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// maskSegments joins segs with the segments numbered in secrets masked; with toEnd, the last
// of them and everything after it as one.
func maskSegments(segs []string, secrets []int, toEnd bool) string {
	if toEnd {
		last := secrets[len(secrets)-1]
		segs, secrets = append(segs[:last], Redacted), secrets[:len(secrets)-1]
	}
	for _, i := range secrets {
		segs[i] = Redacted
	}
	return strings.Join(segs, "/")
}

// hasSecretVariable reports whether a variable of route is named like a credential; without
// splitting anything, as it runs for every request.
func hasSecretVariable(route string) bool {
	for rest := route; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		end := strings.IndexAny(rest, ":}")
		if end < 0 {
			return false
		}
		if IsSecretName(rest[:end]) {
			return true
		}
		rest = rest[end:]
	}
}
