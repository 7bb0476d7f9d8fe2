// Package client is a typed Go client for the OneEntry Headless CMS content API
// (https://<project>.oneentry.cloud/api/content): auth providers, forms, order storages,
// payments, products and users/me.
//
// It behaves on the wire like the official JS SDK (npm "oneentry"): the same paths, query
// strings, headers and bodies, one shared pair of user tokens, and a single refresh-and-retry
// when a call answers 401. Where the SDK is lax the client is strict: the status of the retried
// call is checked, every non-2xx answer becomes an *APIError, a 2xx answer with an empty or
// null body is ErrEmptyAnswer wherever the contract promises a value, an auth or refresh
// answer without both tokens is ErrNoTokenPair, an answer over 32 MiB is ErrAnswerTooLarge
// rather than cut short, and a redirect is ErrRedirect rather than followed.
//
// The client knows the API only through its documented contract; it shares no code with any
// server, so a field name it gets wrong cannot be wrong on the server side in the same way.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultLanguage is the langCode the client uses unless WithLanguage says otherwise,
	// the same default as the JS SDK.
	DefaultLanguage = "en_US"
	// DefaultAuthProviderMarker is the auth provider whose refresh endpoint the automatic
	// refresh calls; SDK versions up to 1.0.127 hard-code it.
	DefaultAuthProviderMarker = "email"
	// DefaultLimit is the page size the SDK sends when the caller gives none.
	DefaultLimit = 30

	apiPrefix = "/api/content"

	// refreshTimeout bounds a shared refresh. The refresh runs detached from the context of
	// the call that started it, because abandoning it half way could burn the single-use
	// refresh token without storing its replacement.
	refreshTimeout = 30 * time.Second

	// maxResponseSize bounds how much of an answer the client reads, so that a broken or
	// hostile server cannot make it hold an unbounded body in memory.
	maxResponseSize = 32 << 20
)

var (
	// ErrEmptyAnswer is returned, wrapped with the call's method, path and status, when a
	// 2xx answer has an empty or null body where the call expects a value. The SDK turns an
	// empty body into {}, which would hand the caller a zero-value result.
	ErrEmptyAnswer = errors.New("answer has an empty or null body")
	// ErrNoTokenPair is returned when an auth or refresh answer is 2xx but lacks the access or
	// the refresh token; the held tokens and the refresh-token hook are left untouched.
	ErrNoTokenPair = errors.New("answer has no token pair")
	// ErrAnswerTooLarge is returned when an answer's body exceeds 32 MiB; the client reads no
	// further rather than decode a truncated body.
	ErrAnswerTooLarge = fmt.Errorf("answer larger than %d MiB", maxResponseSize>>20)
	// ErrRedirect is returned, wrapped with the Location the API answered, instead of
	// following a redirect.
	ErrRedirect = errors.New("redirect refused")
	// ErrRefreshDiscarded is returned when a refresh finishes after the tokens it started from
	// were replaced or dropped (SetTokens, Auth, RefreshWith, a logout): its new pair is not
	// kept, so a logout stays a logout. Refresh returns it; a call whose 401 was waiting for
	// an automatic refresh gets it as APIError.RefreshErr when the tokens were dropped, and
	// retries with the new access token when they were replaced.
	ErrRefreshDiscarded = errors.New("tokens changed while the refresh ran; its pair was discarded")
)

// Client calls the OneEntry content API. It holds the app token, the language and the user's
// access and refresh tokens; it is safe for concurrent use.
type Client struct {
	baseURL        string
	httpClient     *http.Client
	appToken       string
	lang           string
	providerMarker string
	deviceMetadata string
	guestID        string
	onRefreshToken func(refreshToken string)

	mu           sync.Mutex
	accessToken  string
	refreshToken string
	// tokenGen counts changes of the token pair, so that a refresh can tell whether the pair it
	// started from is still the one held when its answer arrives.
	tokenGen   uint64
	refreshing *refreshCall // the refresh in flight, shared by every call that needs it
	// hookRunning is set while a goroutine is calling onRefreshToken; hookPending asks it to
	// call once more because the tokens changed meanwhile. See reportRefreshToken.
	hookRunning bool
	hookPending bool
}

// Option configures a Client in New.
type Option func(*Client)

// WithAppToken sets the project's app token, sent as x-app-token on every request.
func WithAppToken(token string) Option {
	return func(c *Client) { c.appToken = token }
}

// WithLanguage sets the langCode sent in query strings and used as the key of locale-wrapped
// form data; it also picks the language out of locale maps in responses. Default en_US.
func WithLanguage(lang string) Option {
	return func(c *Client) { setUnlessZero(&c.lang, lang) }
}

// WithHTTPClient sets the HTTP client used for every request (for a custom transport,
// timeouts or a contract-checking RoundTripper). Default http.DefaultClient. The client uses a
// copy of hc that follows no redirect, whatever hc.CheckRedirect says; hc itself is not
// changed.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { setUnlessZero(&c.httpClient, hc) }
}

// WithRefreshToken seeds the refresh token, like the SDK's config.auth.refreshToken, so a
// client can resume a session saved by WithRefreshTokenHook.
func WithRefreshToken(token string) Option {
	return func(c *Client) { c.refreshToken = token }
}

// WithAuthProviderMarker sets the auth provider used by the automatic refresh and by Refresh,
// like the SDK's config.auth.providerMarker. Default "email".
func WithAuthProviderMarker(marker string) Option {
	return func(c *Client) { setUnlessZero(&c.providerMarker, marker) }
}

// WithRefreshTokenHook registers fn to be told the refresh token the client holds whenever
// Auth, Refresh, RefreshWith or an automatic refresh stores a new one, and "" after a logout,
// like the SDK's saveFunction; SetTokens does not call it.
//
// Calls of fn never overlap, and the last one names the token the client holds. When changes
// race, fn may miss a token that was already replaced or hear the same one twice, and a change
// made while fn runs is reported by the goroutine already running fn, once fn returns: the call
// that made the change may return before fn has heard of it. fn runs without any lock of the
// client held, so it may call back into the client. fn may be called from any goroutine and
// must not block for long.
func WithRefreshTokenHook(fn func(refreshToken string)) Option {
	return func(c *Client) { c.onRefreshToken = fn }
}

// WithDeviceMetadata sets the x-device-metadata header sent on every POST, including the
// automatic refresh, as SDK 1.0.130+ does. The live API requires it on auth, refresh, logout
// and oauth since 2026 (docs/api/auth.md); it is
// a JSON string such as {"fingerprint":"UQ_…","deviceInfo":{"os":…,"browser":…,"location":…}}.
func WithDeviceMetadata(metadata string) Option {
	return func(c *Client) { c.deviceMetadata = metadata }
}

// WithGuestID sets the x-guest-id header sent on every request: the key of a guest's cart
// (C1–C4), which the live API keeps only when it is a UUID.
func WithGuestID(id string) Option {
	return func(c *Client) { c.guestID = id }
}

// setUnlessZero sets *dst to v unless v is the zero value, so an option given "" or nil keeps
// the default New chose.
func setUnlessZero[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

// New returns a client for the project at baseURL (https://<project>.oneentry.cloud, with or
// without a trailing slash). Errors about baseURL never quote a password in it.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		// url.Error quotes the whole URL, password included; its cause alone is enough.
		if urlErr, ok := errors.AsType[*url.Error](err); ok {
			err = urlErr.Err
		}
		// An escape error quotes the escape, which may stand in the password.
		if _, ok := errors.AsType[url.EscapeError](err); ok {
			err = errors.New("invalid URL escape: a % not followed by two hex digits")
		}
		return nil, fmt.Errorf("client: base URL: %w", err)
	}
	shown := u.Redacted()
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("client: base URL %q: scheme must be http or https", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: no host", shown)
	}
	// A bare "?" or "#" parses to an empty query or fragment; the paths the client appends
	// would end up inside it.
	if u.RawQuery != "" || u.ForceQuery || strings.Contains(baseURL, "#") {
		return nil, fmt.Errorf("client: base URL %q: must not have a query or fragment", shown)
	}
	c := &Client{
		// SDK 1.0.115 keeps a trailing slash and sends //api/content/...; later ones strip it.
		baseURL:        strings.TrimRight(baseURL, "/"),
		httpClient:     http.DefaultClient,
		lang:           DefaultLanguage,
		providerMarker: DefaultAuthProviderMarker,
	}
	for _, opt := range opts {
		opt(c)
	}
	c.httpClient = refusingRedirects(c.httpClient)
	return c, nil
}

// refusingRedirects returns a copy of hc that follows no redirect. The API never redirects,
// and net/http would carry x-app-token, x-device-metadata and the body (a password, on auth)
// to whatever host a Location names: it drops only Authorization. hc is copied rather than
// changed because it may serve other code.
func refusingRedirects(hc *http.Client) *http.Client {
	refusing := *hc
	refusing.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return fmt.Errorf("%w to %s", ErrRedirect, req.URL.Redacted())
	}
	return &refusing
}

// Language returns the langCode the client sends.
func (c *Client) Language() string { return c.lang }

// response is a fully read HTTP answer.
type response struct {
	method string
	path   string
	status int
	body   []byte
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

func (r *response) apiError() *APIError {
	return newAPIError(r.method, r.path, r.status, r.body)
}

// call does one request with do and returns its answer decoded into a new T.
func call[T any](ctx context.Context, c *Client, method, path string, query url.Values, in any) (*T, error) {
	var res T
	if err := c.do(ctx, method, path, query, in, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// callList is call for an answer that is a bare array.
func callList[T any](ctx context.Context, c *Client, method, path string, query url.Values, in any) ([]T, error) {
	res, err := call[[]T](ctx, c, method, path, query, in)
	if err != nil {
		return nil, err
	}
	return *res, nil
}

// callBool is call for an answer documented as true; like the SDK it judges the answer by
// JavaScript truthiness.
func callBool(ctx context.Context, c *Client, method, path string, in any) (bool, error) {
	var raw json.RawMessage
	if err := c.do(ctx, method, path, nil, in, &raw); err != nil {
		return false, err
	}
	return truthy(raw), nil
}

// do sends one API call: path is relative to /api/content, in (if not nil) is encoded as the
// JSON body and out (if not nil) receives the decoded answer. A 401 triggers one shared
// refresh and one retry; a non-2xx final answer is returned as *APIError.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("oneentry: %s %s: encode body: %w", method, apiPrefix+path, err)
		}
		body = b
	}
	bearer := c.AccessToken()
	resp, err := c.send(ctx, method, path, query, body, bearer)
	if err != nil {
		return err
	}
	if resp.status == http.StatusUnauthorized {
		if _, rerr := c.sharedRefresh(ctx, bearer, false); rerr != nil {
			// Like the SDK, a failed refresh reports the call's own 401, not the refresh's.
			apiErr := resp.apiError()
			apiErr.RefreshErr = rerr
			return apiErr
		}
		// Exactly one retry; unlike the SDK its status is checked, and a second 401 is an
		// error rather than another refresh.
		resp, err = c.send(ctx, method, path, query, body, c.AccessToken())
		if err != nil {
			return err
		}
	}
	return c.decode(resp, out)
}

// send performs one HTTP exchange with the SDK's headers and reads the whole answer.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body []byte, bearer string) (*response, error) {
	full := apiPrefix + path
	target := c.baseURL + full
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("oneentry: %s %s: %w", method, full, err)
	}
	// The SDK sends Content-Type on every request, GETs included.
	req.Header.Set("Content-Type", "application/json")
	if c.appToken != "" {
		req.Header.Set("x-app-token", c.appToken)
	}
	if method == http.MethodPost && c.deviceMetadata != "" {
		req.Header.Set("x-device-metadata", c.deviceMetadata)
	}
	if c.guestID != "" {
		req.Header.Set("x-guest-id", c.guestID)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := c.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oneentry: %s %s: %w", method, full, err)
	}
	defer res.Body.Close()
	// One byte past the limit tells a body that fits exactly from one that was cut.
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("oneentry: %s %s: read response: %w", method, full, err)
	}
	if len(data) > maxResponseSize {
		return nil, fmt.Errorf("oneentry: %s %s: %s: %w", method, full, statusLine(res.StatusCode), ErrAnswerTooLarge)
	}
	return &response{method: method, path: full, status: res.StatusCode, body: data}, nil
}

// decode turns a final answer into an *APIError when it is not 2xx; otherwise it unmarshals
// the body into out and picks the client's language out of locale maps. out is nil only for
// calls whose contract answer has no body; for any other call an empty or null body is
// ErrEmptyAnswer.
func (c *Client) decode(r *response, out any) error {
	if !r.ok() {
		return r.apiError()
	}
	if out == nil {
		return nil
	}
	if trimmed := bytes.TrimSpace(r.body); len(trimmed) == 0 || string(trimmed) == "null" {
		return fmt.Errorf("oneentry: %s %s: %s: %w", r.method, r.path, statusLine(r.status), ErrEmptyAnswer)
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("oneentry: %s %s: decode response: %w", r.method, r.path, err)
	}
	pickLocales(reflect.ValueOf(out), c.lang)
	return nil
}

// seg escapes one path segment; the SDK sends markers verbatim, which is the same for the
// identifiers OneEntry allows. "." and ".." are escaped too, or a proxy that normalises
// paths would resolve them to another route.
func seg(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(s)
}

func itoa(n int) string { return strconv.Itoa(n) }

// statusLine names a status the way error messages show it: "204 No Content".
func statusLine(status int) string {
	return strings.TrimSpace(itoa(status) + " " + http.StatusText(status))
}

// langQuery is the ?langCode= query of most reads.
func (c *Client) langQuery() url.Values {
	return url.Values{"langCode": {c.lang}}
}

// pageQuery is langCode plus offset and limit, as the SDK's list calls send them.
func (c *Client) pageQuery(offset, limit int) url.Values {
	q := c.langQuery()
	q.Set("offset", itoa(offset))
	q.Set("limit", itoa(limit))
	return q
}

// truthy reports whether a JSON value is truthy in JavaScript terms, which is how the SDK
// judges logout answers documented as `true`.
func truthy(raw json.RawMessage) bool {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	default:
		return true
	}
}
