package mockserver

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// origins holds who may reach the admin API and the checkout: the origins granted CORS and
// exempt from cross-origin refusal (--admin-allow-origin), and the Host values answered
// besides loopback ones when no admin token is set (--allowed-hosts).
type origins struct {
	allowOrigins []string
	allowHosts   []string
	protect      *http.CrossOriginProtection
}

func newOrigins(allowOrigins, allowHosts []string) (*origins, error) {
	o := &origins{protect: http.NewCrossOriginProtection()}
	for _, origin := range allowOrigins {
		origin = strings.TrimSuffix(strings.TrimSpace(origin), "/")
		if origin == "" {
			continue
		}
		if err := o.protect.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("admin allow origin: %w", err)
		}
		o.allowOrigins = append(o.allowOrigins, strings.ToLower(origin))
	}
	for _, host := range allowHosts {
		host = strings.ToLower(strings.TrimSpace(host))
		if host == "" {
			continue
		}
		if err := CheckAllowedHost(host); err != nil {
			return nil, err
		}
		o.allowHosts = append(o.allowHosts, host)
	}
	return o, nil
}

// CheckAllowedOrigin reports whether origin can be one of Options.AdminAllowOrigins, as
// New will judge it; a command checks its flag with it.
func CheckAllowedOrigin(origin string) error {
	_, err := newOrigins([]string{origin}, nil)
	return err
}

// CheckAllowedHost reports whether host can be one of Options.AllowedHosts.
func CheckAllowedHost(host string) error {
	if strings.ContainsAny(host, "/?#@ ") {
		return fmt.Errorf("allowed host %q: want a host name or address, optionally with a port", host)
	}
	return nil
}

// guarded says which paths only the developer's own tools may reach: the admin API, the
// checkout and the OAuth consent page (which hands out sign-in codes for any address, as the
// admin API's OAuth call does). Everything else (the content API, its 404s, health and
// metrics) is CORS-open.
func guarded(p string) bool {
	p = exchange.CleanPath(p)
	for _, prefix := range [...]string{"/checkout", "/oauth"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return isAdminPath(p)
}

// isAdminPath says whether p is the admin API's, which --admin-token guards.
func isAdminPath(p string) bool { return strings.HasPrefix(exchange.CleanPath(p), "/__admin") }

// guardOrigins applies the origin and host rules before anything else runs, so every answer
// (errors, 404s, 413s, injected faults, panics) carries the CORS headers of its path.
func (s *Server) guardOrigins(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if !guarded(r.URL.Path) {
			// Front ends on any origin call the content API, as they call the live one.
			exchange.SetCORS(h, origin)
			next.ServeHTTP(w, r)
			return
		}
		// Without an admin token nothing but the Host header tells a page that rebound its
		// own name to 127.0.0.1 from the developer's tools. The token guards /__admin only:
		// the checkout and the OAuth consent page are a browser's, which never sends it.
		if tokenGuarded := s.adminToken != "" && isAdminPath(r.URL.Path); !tokenGuarded && !s.origins.hostAllowed(r.Host) {
			s.refuseOrigin(w, r, fmt.Sprintf("Host %q is not allowed: the checkout, the OAuth consent page and, without --admin-token, the admin API answer only loopback hosts and those listed in --allowed-hosts", r.Host))
			return
		}
		allowed := origin != "" && slices.Contains(s.origins.allowOrigins, strings.ToLower(origin))
		if allowed {
			exchange.SetCORS(h, origin)
		}
		if exchange.IsPreflight(r) && !allowed {
			s.refuseOrigin(w, r, fmt.Sprintf("cross-origin calls from %q are not allowed here; list the origin in --admin-allow-origin", origin))
			return
		}
		// Refuses state-changing browser requests from other sites (Sec-Fetch-Site, or Origin
		// against Host); curl and server-side clients send neither and pass.
		if err := s.origins.protect.Check(r); err != nil {
			s.refuseOrigin(w, r, fmt.Sprintf("cross-origin %s refused (origin %q); list the origin in --admin-allow-origin", r.Method, origin))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// takenForPreflight says whether r is answered as a CORS preflight. On the CORS-open paths
// every OPTIONS is, as the cors middleware behind NestJS's enableCors takes it; on the guarded
// ones only a real preflight, from an origin guardOrigins let through, so that they stay
// CORS-closed to everyone else.
func takenForPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && (exchange.IsPreflight(r) || !guarded(r.URL.Path))
}

func (s *Server) refuseOrigin(w http.ResponseWriter, r *http.Request, msg string) {
	s.log.WarnContext(r.Context(), "refused", "method", r.Method, "path", r.URL.Path, "host", r.Host, "origin", r.Header.Get("Origin"), "reason", msg)
	s.writeErrorStatus(w, r, http.StatusForbidden, msg)
}

// hostAllowed says whether a request's Host names this machine's loopback or a listed host.
func (o *origins) hostAllowed(hostport string) bool {
	hostport = strings.ToLower(hostport)
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true // RFC 6761: always the loopback
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range o.allowHosts {
		if a == host || a == hostport {
			return true
		}
	}
	return false
}
