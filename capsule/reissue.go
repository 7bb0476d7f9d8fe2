package capsule

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Reissuer turns the token placeholders of a capsule back into values a client accepts, and
// values it issued back into placeholders. A replayed auth answer then carries a JWT-shaped
// access token and a refresh token in the live format, and when the client later sends that
// token, the replay recognises it as the placeholder the recording saw.
//
// Access and refresh tokens are re-issued; every other placeholder (e-mails are already valid
// addresses, passwords and app tokens are never sent back by the API) is served as it stands.
type Reissuer struct {
	toValue       map[string]string
	toPlaceholder map[string]string
	order         []string // placeholders, longest first, for substring replacement
}

// reissueEpoch is the iat of re-issued access tokens and the ms prefix of refresh tokens:
// 2023-11-14T22:13:20Z, fixed so replays are reproducible.
const reissueEpoch = 1700000000

// reissueExpiry is the exp of re-issued access tokens (2100-01-01), so a client that checks
// expiry never tries to refresh during a replay.
const reissueExpiry = 4102444800

// NewReissuer prepares the values for every token placeholder of a redaction map.
func NewReissuer(redactions map[string]string) *Reissuer {
	r := &Reissuer{toValue: map[string]string{}, toPlaceholder: map[string]string{}}
	for p, kind := range redactions {
		var v string
		switch kind {
		case KindAccessToken:
			v = fakeJWT(p)
		case KindRefreshToken:
			v = fakeRefreshToken(p)
		default:
			continue
		}
		r.toValue[p] = v
		r.toPlaceholder[v] = p
		r.order = append(r.order, p)
	}
	sort.Slice(r.order, func(i, j int) bool {
		if len(r.order[i]) != len(r.order[j]) {
			return len(r.order[i]) > len(r.order[j])
		}
		return r.order[i] < r.order[j]
	})
	return r
}

func fakeJWT(placeholder string) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims := enc.EncodeToString([]byte(fmt.Sprintf(`{"replay":%s,"iat":%d,"exp":%d}`, strconv.Quote(placeholder), reissueEpoch, reissueExpiry)))
	return header + "." + claims + "." + enc.EncodeToString([]byte("replay"))
}

func fakeRefreshToken(placeholder string) string {
	n := placeholderNumber(placeholder)
	return fmt.Sprintf("%d000-00000000-0000-4000-8000-%012d", reissueEpoch, n)
}

// placeholderNumber returns N of "<kind-N>", 0 when there is none.
func placeholderNumber(p string) int {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "<"), ">")
	i := strings.LastIndexByte(p, '-')
	if i < 0 {
		return 0
	}
	n, _ := strconv.Atoi(p[i+1:])
	return n
}

// Issue replaces the token placeholders in a recorded body (JSON or text) with their values.
// JSON bodies are rewritten as text: the values contain no character that needs escaping, and
// the recorded key order and formatting stay as they are.
func (r *Reissuer) Issue(body []byte) []byte {
	if len(r.order) == 0 {
		return body
	}
	s := string(body)
	for _, p := range r.order {
		v := r.toValue[p]
		s = strings.ReplaceAll(s, p, v)
		// A capsule written by another JSON encoder may escape < and >.
		s = strings.ReplaceAll(s, strings.NewReplacer("<", `\u003c`, ">", `\u003e`).Replace(p), v)
	}
	return []byte(s)
}

// IssueString replaces token placeholders inside one string.
func (r *Reissuer) IssueString(s string) string { return string(r.Issue([]byte(s))) }

// Placeholder maps a value this Reissuer issued back to its placeholder; other strings come back
// unchanged. Values inside a longer string ("Bearer <value>") are replaced too.
func (r *Reissuer) Placeholder(s string) string {
	if p, ok := r.toPlaceholder[s]; ok {
		return p
	}
	for v, p := range r.toPlaceholder {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, p)
		}
	}
	return s
}

// Value returns the value issued for placeholder, and whether it is a re-issued one.
func (r *Reissuer) Value(placeholder string) (string, bool) {
	v, ok := r.toValue[placeholder]
	return v, ok
}
