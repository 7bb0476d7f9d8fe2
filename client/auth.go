package client

import (
	"context"
	"net/http"
)

// AuthData is one credential of an auth or sign-up request: the marker of a field of the
// provider's registration form (email_reg, password_reg) and its value.
type AuthData struct {
	Marker string `json:"marker"`
	Value  string `json:"value"`
}

// AuthRequest is the body of POST …/marker/{marker}/users/auth. The live API rejects
// langCode and formIdentifier here, so the type has neither.
type AuthRequest struct {
	AuthData []AuthData `json:"authData"`
	// Code is the one-time code of providers with isCheckCode; omitted when empty.
	Code string `json:"code,omitempty"`
}

// AuthResult is the answer of auth and refresh: who logged in and a new token pair.
type AuthResult struct {
	UserIdentifier         string `json:"userIdentifier"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
	// AccessToken is an HS256 JWT (claims id, authProviderIdentifier, userIdentifier, iat, exp).
	AccessToken string `json:"accessToken"`
	// RefreshToken is "<issue time in ms>-<UUID>", good for one refresh only.
	RefreshToken string `json:"refreshToken"`
}

type refreshRequest struct {
	// omitempty reproduces the SDK, whose body is {} when it holds no refresh token.
	RefreshToken string `json:"refreshToken,omitempty"`
}

// NotificationData says where a new user receives codes and notifications.
type NotificationData struct {
	Email     string   `json:"email"`
	PhonePush []string `json:"phonePush"`
	// PhoneSMS is omitted when empty: the API rejects "" (SDK 1.0.149 drops it too).
	PhoneSMS string `json:"phoneSMS,omitempty"`
}

// SignUpRequest is what SignUp sends, before the client wraps FormData by language and adds
// langCode.
type SignUpRequest struct {
	// FormIdentifier is the registration form; optional on the live API, omitted when empty.
	FormIdentifier   string
	AuthData         []AuthData
	FormData         []FormDataItem
	NotificationData *NotificationData
}

type signUpBody struct {
	FormIdentifier   string                    `json:"formIdentifier,omitempty"`
	AuthData         []AuthData                `json:"authData"`
	FormData         map[string][]FormDataItem `json:"formData,omitempty"`
	NotificationData *NotificationData         `json:"notificationData,omitempty"`
	LangCode         string                    `json:"langCode"`
}

// SignUpResult is the user created by SignUp.
type SignUpResult struct {
	ID               int                       `json:"id"`
	UpdatedDate      string                    `json:"updatedDate"`
	Version          int                       `json:"version"`
	Identifier       string                    `json:"identifier"`
	IsActive         bool                      `json:"isActive"`
	FormData         Localized[[]FormDataItem] `json:"formData"`
	NotificationData *NotificationData         `json:"notificationData,omitempty"`
	Locale           string                    `json:"locale,omitempty"`
	CreatedDate      string                    `json:"createdDate,omitempty"`
	State            map[string]any            `json:"state,omitempty"`
}

// AuthProvider is a configured way to log in (email, phone, oauth).
type AuthProvider struct {
	ID            int                      `json:"id"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Config        AuthProviderConfig       `json:"config"`
	Version       int                      `json:"version"`
	Identifier    string                   `json:"identifier"`
	Type          string                   `json:"type"`
	// FormIdentifier is the registration form; "" when the API sends null.
	FormIdentifier      string `json:"formIdentifier"`
	UserGroupIdentifier string `json:"userGroupIdentifier"`
	IsActive            bool   `json:"isActive"`
	IsCheckCode         bool   `json:"isCheckCode"`
}

// AuthProviderConfig is a provider's token and code settings; the API sends numbers as strings.
type AuthProviderConfig struct {
	AccessTokenTTLSec              string  `json:"accessTokenTtlSec"`
	RefreshTokenTTLMc              string  `json:"refreshTokenTtlMc"`
	DeleteNoneActiveUsersAfterDays string  `json:"deleteNoneActiveUsersAfterDays"`
	SystemCodeTLSSec               string  `json:"systemCodeTlsSec"`
	SystemCodeLength               string  `json:"systemCodeLength"`
	OAuthAuthURL                   *string `json:"oauthAuthUrl"`
	SystemCodeOnlyNumbers          *string `json:"systemCodeOnlyNumbers"`
}

// LocalizeInfos is the translated text of an entity; most entities carry only a title.
type LocalizeInfos struct {
	Title string `json:"title"`
}

// ActiveSession is one device logged in to the user's account.
type ActiveSession struct {
	DeviceInfo DeviceInfo `json:"deviceInfo"`
}

// DeviceInfo is the device part of x-device-metadata as the server stored it.
type DeviceInfo struct {
	OS       string `json:"os"`
	Browser  string `json:"browser"`
	Location string `json:"location"`
}

func providerPath(marker string) string {
	return "/users-auth-providers/marker/" + seg(marker)
}

// Auth logs in with the provider marker (A1, POST /users-auth-providers/marker/{marker}/users/auth)
// and keeps the returned token pair for later calls. Like every call, a 401 answer (wrong
// credentials) first makes the client try one refresh, as the SDK does. A 2xx answer without
// both tokens is ErrNoTokenPair and leaves the held tokens as they were.
func (c *Client) Auth(ctx context.Context, marker string, req AuthRequest) (*AuthResult, error) {
	if req.AuthData == nil {
		req.AuthData = []AuthData{}
	}
	path := providerPath(marker) + "/users/auth"
	res, err := call[AuthResult](ctx, c, http.MethodPost, path, nil, req)
	if err == nil {
		err = checkTokenPair(http.MethodPost, apiPrefix+path, res)
	}
	return c.keepPair(res, err)
}

// Refresh exchanges the held refresh token for a new pair at the configured provider (A2) and
// keeps it. If an automatic refresh is already running, Refresh waits for it and returns its
// pair instead of spending the token a second time. If the tokens are replaced or dropped
// before the answer arrives (SetTokens, Auth, RefreshWith, a logout), the new pair is not kept
// and Refresh returns ErrRefreshDiscarded.
func (c *Client) Refresh(ctx context.Context) (*AuthResult, error) {
	return c.sharedRefresh(ctx, "", true)
}

// RefreshWith exchanges the given refresh token at the given provider (A2, POST
// …/marker/{marker}/users/refresh) and keeps the new pair, like the SDK's refresh(marker, token).
// A 2xx answer without both tokens is ErrNoTokenPair and leaves the held tokens as they were.
func (c *Client) RefreshWith(ctx context.Context, marker, refreshToken string) (*AuthResult, error) {
	return c.keepPair(c.postRefresh(ctx, marker, refreshToken))
}

// keepPair stores the token pair of a successful auth or refresh answer.
func (c *Client) keepPair(res *AuthResult, err error) (*AuthResult, error) {
	if err != nil {
		return nil, err
	}
	c.storeTokens(res.AccessToken, res.RefreshToken)
	return res, nil
}

// Logout ends the session of refreshToken (A3). When the API answers truthy (documented as
// true) the client drops its tokens and reports "" to the refresh-token hook, as the SDK does;
// an automatic refresh still running then cannot bring them back, and the calls waiting for it
// fail with their 401. An empty or null answer is ErrEmptyAnswer and keeps the tokens.
func (c *Client) Logout(ctx context.Context, marker, refreshToken string) (bool, error) {
	return c.afterLogout(callBool(ctx, c, http.MethodPost, providerPath(marker)+"/users/logout", refreshRequest{RefreshToken: refreshToken}))
}

// LogoutAll ends every session of the user on every device (A4, no body).
func (c *Client) LogoutAll(ctx context.Context, marker string) (bool, error) {
	return c.afterLogout(callBool(ctx, c, http.MethodPost, providerPath(marker)+"/users/logout-all", nil))
}

// afterLogout drops the tokens once the API confirms a logout.
func (c *Client) afterLogout(ok bool, err error) (bool, error) {
	if ok {
		c.storeTokens("", "")
	}
	return ok, err
}

// SignUp registers a user with the provider (A5). FormData is sent wrapped by the client's
// language and langCode is added to the body, as the SDK does. It does not log in.
func (c *Client) SignUp(ctx context.Context, marker string, req SignUpRequest) (*SignUpResult, error) {
	body := signUpBody{
		FormIdentifier: req.FormIdentifier,
		AuthData:       req.AuthData,
		LangCode:       c.lang,
	}
	if body.AuthData == nil {
		body.AuthData = []AuthData{}
	}
	if req.FormData != nil {
		body.FormData = map[string][]FormDataItem{c.lang: req.FormData}
	}
	if req.NotificationData != nil {
		nd := *req.NotificationData
		if nd.PhonePush == nil {
			nd.PhonePush = []string{}
		}
		body.NotificationData = &nd
	}
	return call[SignUpResult](ctx, c, http.MethodPost, providerPath(marker)+"/users/sign-up", nil, body)
}

// AuthProviders lists the project's auth providers (A7).
func (c *Client) AuthProviders(ctx context.Context, offset, limit int) ([]AuthProvider, error) {
	return callList[AuthProvider](ctx, c, http.MethodGet, "/users-auth-providers", c.pageQuery(offset, limit), nil)
}

// AuthProvider returns one auth provider by marker (A8).
func (c *Client) AuthProvider(ctx context.Context, marker string) (*AuthProvider, error) {
	return call[AuthProvider](ctx, c, http.MethodGet, providerPath(marker), c.langQuery(), nil)
}

// ActiveSessions lists the devices logged in to the user's account with the provider (A9).
func (c *Client) ActiveSessions(ctx context.Context, marker string) ([]ActiveSession, error) {
	return callList[ActiveSession](ctx, c, http.MethodGet, providerPath(marker)+"/users/sessions", nil, nil)
}

type codeBody struct {
	UserIdentifier  string `json:"userIdentifier"`
	EventIdentifier string `json:"eventIdentifier,omitempty"`
	Code            string `json:"code,omitempty"`
}

// GenerateCode asks for a one-time code for the event ("auth", "reset", ...), sent to the
// user by e-mail (A6); the answer has no body.
func (c *Client) GenerateCode(ctx context.Context, marker, login, event string) error {
	return c.do(ctx, http.MethodPost, providerPath(marker)+"/users/generate-code", nil, codeBody{UserIdentifier: login, EventIdentifier: event}, nil)
}

// ActivateUser activates the user with a code sent to them, which it spends (A6).
func (c *Client) ActivateUser(ctx context.Context, marker, login, code string) (bool, error) {
	return callBool(ctx, c, http.MethodPost, providerPath(marker)+"/users/activate", codeBody{UserIdentifier: login, Code: code})
}

// ChangePasswordRequest is a password reset: the user, a code from GenerateCode, the new
// password, and the event that notifies the user of the change.
type ChangePasswordRequest struct {
	UserIdentifier  string `json:"userIdentifier"`
	EventIdentifier string `json:"eventIdentifier"`
	Code            string `json:"code"`
	// Type is sent as 1, as the SDK's callers do: instances that require it answer 404 without.
	Type      int    `json:"type"`
	Password1 string `json:"password1"`
	Password2 string `json:"password2"`
}

// ChangePassword sets a new password with a code (A10); every session of the user with the
// provider ends.
func (c *Client) ChangePassword(ctx context.Context, marker string, req ChangePasswordRequest) (bool, error) {
	if req.Type == 0 {
		req.Type = 1
	}
	if req.Password2 == "" {
		req.Password2 = req.Password1
	}
	return callBool(ctx, c, http.MethodPost, providerPath(marker)+"/users/change-password", req)
}
