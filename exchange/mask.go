package exchange

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces a masked value in logs and reports.
const Redacted = "[redacted]"

// secretNames are the names whose values are credentials, in lower case without separators
// (and client_secret as OAuth bodies spell it), each literally: the list is a regular
// expression for bodies and a set for query parameters.
const secretNames = `password|password1|password2|accesstoken|refreshtoken|token|code|clientsecret|client_secret|signingsecret|signingsecretkey|tokensecret|tokensecretkey`

var (
	// secretMembers matches "key":value members whose value is a credential, in compact JSON.
	// Keys are matched without regard to case, as front ends spell them both ways.
	secretMembers = regexp.MustCompile(`"((?i:` + secretNames + `))":("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)`)
	// passwordAuthData matches authData/formData entries of password fields, whose marker is
	// chosen by the project, as clients write them (marker before value).
	passwordAuthData = regexp.MustCompile(`("marker":"[^"]*(?i:pass)[^"]*","value":)"(?:[^"\\]|\\.)*"`)
)

// Mask keeps a body for a log or report: compact JSON when it is JSON and no longer than max
// bytes, text otherwise, cut at max (truncated is then set). Credentials are replaced with
// Redacted: members named like a token, password, code or client secret, the value of an
// authData entry whose marker names a password, and every one of secrets. Everything else
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
	s := string(maskJSON(body, nil))
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return nil, s, truncated
}

func maskJSON(b []byte, secrets []string) []byte {
	b = secretMembers.ReplaceAll(b, []byte(`"$1":"`+Redacted+`"`))
	b = passwordAuthData.ReplaceAll(b, []byte(`$1"`+Redacted+`"`))
	for _, s := range secrets {
		if s == "" {
			continue
		}
		quoted, _ := json.Marshal(s)
		b = bytes.ReplaceAll(b, quoted, []byte(`"`+Redacted+`"`))
	}
	return b
}

// secretParams are the query parameter names whose values are credentials, folded as
// isSecretParam folds them.
var secretParams = func() map[string]bool {
	m := map[string]bool{"apikey": true}
	for _, name := range strings.Split(secretNames, "|") {
		m[name] = true
	}
	return m
}()

// isSecretParam says whether a query parameter's value is a credential: its name, lower-cased
// and stripped of "_" and "-" (access_token, Refresh-Token), is a secret name, or ends in
// "secret" or "password". A map and two suffix checks, not a regular expression: every journaled
// request's query goes through here.
func isSecretParam(name string) bool {
	folded := foldParamName.Replace(strings.ToLower(name))
	return secretParams[folded] || strings.HasSuffix(folded, "secret") || strings.HasSuffix(folded, "password")
}

// foldParamName lets "client_secret", "client-secret" and "clientSecret" match one pattern. Built
// once: a Replacer builds its tables on first use, which per request cost more than the rest of
// the masking.
var foldParamName = strings.NewReplacer("_", "", "-", "")

// MaskQuery masks a raw query string as Mask masks a body: the value of every parameter named
// like a credential (token, code, password, access_token, client_secret, …) becomes Redacted.
// Everything else stays as sent, in its order.
func MaskQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	masked := false
	for i, p := range parts {
		key, _, hasValue := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(key); err == nil {
			key = name
		}
		if hasValue && isSecretParam(key) {
			parts[i] = p[:strings.IndexByte(p, '=')+1] + Redacted
			masked = true
		}
	}
	if !masked {
		return raw
	}
	return strings.Join(parts, "&")
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
