package mockserver

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

type oauthRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Code         string `json:"code"`
	GrantType    string `json:"grant_type"`
	RedirectURI  string `json:"redirect_uri"`
	LangCode     string `json:"langCode"`
}

// handleOAuth handles POST …/marker/{marker}/oauth: an authorization code of the simulated
// network (its consent page or the admin call) for a token pair.
func (s *Server) handleOAuth(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req oauthRequest) (tokensResponse, error) {
		t, err := sc.store.OAuthSignIn(r.Context(), store.OAuthInput{
			ProviderMarker: mux.Vars(r)["marker"], Code: req.Code, GrantType: req.GrantType, RedirectURI: req.RedirectURI,
		}, sc.device)
		return newTokensResponse(t), err
	})
}

// maxConsentForm bounds the body of the consent page's form: an address and a redirect URL.
const maxConsentForm = 8 << 10

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in with the mock network</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto}input,button{font:inherit;padding:.4rem;width:100%;margin:.3rem 0}</style></head>
<body><h1>Sign in with the mock network</h1>
<p>Provider <code>{{.Marker}}</code>. The address you give is the account the site signs in.</p>
<form method="post" action="{{.Path}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}"><input type="hidden" name="state" value="{{.State}}">
<label>E-mail <input type="email" name="email" required></label>
<button type="submit">Allow</button>
</form>{{if .Code}}<p>Authorization code: <code id="code">{{.Code}}</code></p>{{end}}</body></html>
`))

type consentView struct {
	Path, Marker, RedirectURI, State, Code string
}

// errNoConsentTarget answers, in the API's error body as the checkout page's refusals do, a
// consent page URL of no sandbox or no provider.
var errNoConsentTarget = store.Errorf(store.CodeNotFound, "No such sandbox or auth provider")

// consentTarget resolves the sandbox and provider of a consent page URL.
func (s *Server) consentTarget(w http.ResponseWriter, r *http.Request) (*sandbox.Sandbox, string, bool) {
	sb := s.sandboxes.Lookup(mux.Vars(r)["token"])
	marker := mux.Vars(r)["marker"]
	if sb != nil {
		if _, err := sb.Store().AuthProvider(marker); err == nil {
			return sb, marker, true
		}
	}
	s.writeError(w, r, errNoConsentTarget)
	return nil, "", false
}

// handleConsentPage handles GET /oauth/{token}/{marker}: the simulated network's consent
// page, which front ends open as their OAuth authorization URL.
func (s *Server) handleConsentPage(w http.ResponseWriter, r *http.Request) {
	_, marker, ok := s.consentTarget(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.renderConsent(w, consentView{Path: r.URL.Path, Marker: marker, RedirectURI: q.Get("redirect_uri"), State: q.Get("state")})
}

// handleConsent handles POST /oauth/{token}/{marker}: the person allows, and is sent back to
// redirect_uri with the code and state, or shown the code when there is no redirect_uri.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	sb, marker, ok := s.consentTarget(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxConsentForm)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, store.Invalid("the consent form could not be read"))
		return
	}
	redirect := r.PostForm.Get("redirect_uri")
	var target *url.URL
	if redirect != "" {
		u, err := url.Parse(redirect)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			s.writeError(w, r, store.Invalid("redirect_uri must be an absolute http(s) URL"))
			return
		}
		target = u
	}
	code, err := sb.Store().GrantOAuthCode(r.Context(), store.OAuthGrantInput{ProviderMarker: marker, Email: r.PostForm.Get("email"), RedirectURI: redirect})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if target == nil {
		s.renderConsent(w, consentView{Path: r.URL.Path, Marker: marker, Code: code})
		return
	}
	q := target.Query()
	q.Set("code", code)
	if st := r.PostForm.Get("state"); st != "" {
		q.Set("state", st)
	}
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusSeeOther)
}

func (s *Server) renderConsent(w http.ResponseWriter, v consentView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *")
	_ = consentPage.Execute(w, v)
}

type adminOAuthCodeRequest struct {
	Email       string `json:"email"`
	RedirectURI string `json:"redirectUri"`
}

// handleAdminOAuthCode handles POST /__admin/oauth/{marker}/codes: the consent page's code
// without a browser, for tests and scenarios.
func (s *Server) handleAdminOAuthCode(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	var req adminOAuthCodeRequest
	if !decodeAdmin(w, r, s, &req, `{"email":"address", "redirectUri":"URL the code is for (optional)"}`) {
		return
	}
	code, err := sb.Store().GrantOAuthCode(r.Context(), store.OAuthGrantInput{ProviderMarker: mux.Vars(r)["marker"], Email: req.Email, RedirectURI: req.RedirectURI})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]string{"code": code})
}
