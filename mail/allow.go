package mail

import (
	"fmt"
	"net/mail"
	"strings"
)

// AllowList is the set of recipients a Relay may deliver to: whole domains ("example.com",
// which also covers its subdomains), single addresses ("dev@corp.test"), or "*" for anyone.
// With the relay pointed at a real mail server, it stops the mock from sending a stranger's
// text to any address: sign-up and generate-code let anyone with the app token choose the
// recipient. It implements flag.Value; Set replaces the list with a comma-separated one, so
// a flag given on the command line replaces its environment variable.
type AllowList struct {
	any       bool
	domains   []string // lower case
	addresses []string // lower case
}

// DefaultAllowDomains are always safe to deliver to: the RFC 2606 example domains, which no
// one can receive mail for. NewDefaultAllowList adds the fixture users' domains.
var DefaultAllowDomains = []string{"example", "example.com", "example.org", "example.net"}

// NewDefaultAllowList allows DefaultAllowDomains and the domains of the given addresses (the
// fixture users' logins), the relay's default when no list is configured.
func NewDefaultAllowList(addresses []string) *AllowList {
	l := &AllowList{domains: append([]string(nil), DefaultAllowDomains...)}
	for _, a := range addresses {
		if _, domain, ok := strings.Cut(strings.ToLower(a), "@"); ok && domain != "" && !l.hasDomain(domain) {
			l.domains = append(l.domains, domain)
		}
	}
	return l
}

// ParseAllowList reads a comma-separated list of domains, addresses and "*".
func ParseAllowList(s string) (*AllowList, error) {
	l := &AllowList{}
	if err := l.Set(s); err != nil {
		return nil, err
	}
	return l, nil
}

// Set replaces the list with the comma-separated entries of s.
func (l *AllowList) Set(s string) error {
	next := AllowList{}
	for _, raw := range strings.Split(s, ",") {
		e := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case e == "":
			continue
		case e == "*":
			next.any = true
		case strings.Contains(e, "@"):
			a, err := mail.ParseAddress(e)
			if err != nil || a.Address != e {
				return fmt.Errorf("%q is not an e-mail address", raw)
			}
			next.addresses = append(next.addresses, e)
		default:
			e = strings.TrimPrefix(e, "*.")
			if strings.ContainsAny(e, " <>*/:") || strings.HasPrefix(e, ".") || strings.HasSuffix(e, ".") {
				return fmt.Errorf("%q is not a domain or an e-mail address", raw)
			}
			next.domains = append(next.domains, e)
		}
	}
	if !next.any && len(next.domains) == 0 && len(next.addresses) == 0 {
		return fmt.Errorf("the list is empty; give domains, addresses or *")
	}
	*l = next
	return nil
}

// String returns the list as Set reads it.
func (l *AllowList) String() string {
	if l == nil {
		return ""
	}
	var parts []string
	if l.any {
		parts = append(parts, "*")
	}
	parts = append(parts, l.domains...)
	parts = append(parts, l.addresses...)
	return strings.Join(parts, ",")
}

// IsSet reports whether the list holds any entry.
func (l *AllowList) IsSet() bool {
	return l != nil && (l.any || len(l.domains) > 0 || len(l.addresses) > 0)
}

// Allows reports whether addr (bare or with a display name) may receive mail.
func (l *AllowList) Allows(addr string) bool {
	if l == nil {
		return false
	}
	if l.any {
		return true
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return false
	}
	email := strings.ToLower(a.Address)
	for _, x := range l.addresses {
		if x == email {
			return true
		}
	}
	_, domain, _ := strings.Cut(email, "@")
	return l.hasDomain(domain)
}

// hasDomain reports whether domain is listed or below a listed domain.
func (l *AllowList) hasDomain(domain string) bool {
	for _, d := range l.domains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return true
		}
	}
	return false
}

// Refused returns the recipients of m that the list does not allow.
func (l *AllowList) Refused(m Message) []string {
	var out []string
	for _, to := range m.To {
		if !l.Allows(to) {
			out = append(out, to)
		}
	}
	return out
}
