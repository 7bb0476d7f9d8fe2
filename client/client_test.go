package client_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

const (
	appToken       = "app-token"
	deviceMetadata = `{"fingerprint":"UQ_test","deviceInfo":{"os":"Go","browser":"test","location":"en-US"}}`

	authAnswer    = `{"userIdentifier":"your-user@email.com","authProviderIdentifier":"email","accessToken":"access-2","refreshToken":"refresh-2"}`
	sessionAnswer = `{"id":49,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:54:50.058Z","type":"session","status":"waiting","paymentAccountId":1,"orderId":92,"paymentUrl":null}`
	orderAnswer   = `{"id":92,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`
)

func ticketsOrder() client.OrderInput {
	return client.OrderInput{
		FormIdentifier:           "tickets_form",
		PaymentAccountIdentifier: "cash",
		FormData:                 []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{"p-8-10"}}},
		Products:                 []client.OrderProductInput{{ProductID: 10, Quantity: 1}},
	}
}

// TestRequestShape pins what every endpoint puts on the wire: method, path, query, headers and
// body, as the JS SDK sends them.
func TestRequestShape(t *testing.T) {
	t.Parallel()
	emptyURL := ""
	tests := map[string]struct {
		call   func(context.Context, *client.Client) error
		answer string
		method string
		path   string
		query  url.Values // nil: no query string at all
		body   string     // "": no body
		noAuth bool       // the request must not carry Authorization
	}{
		"A1 auth": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{
					{Marker: "email_reg", Value: "your-user@email.com"},
					{Marker: "password_reg", Value: "123456"},
				}})
				return err
			},
			answer: authAnswer,
			method: http.MethodPost,
			path:   "/api/content/users-auth-providers/marker/email/users/auth",
			body:   `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`,
		},
		"A2 refresh": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.RefreshWith(ctx, "email", "refresh-0")
				return err
			},
			answer: authAnswer,
			method: http.MethodPost,
			path:   refreshPath,
			body:   `{"refreshToken":"refresh-0"}`,
			noAuth: true,
		},
		"A3 logout": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Logout(ctx, "email", "refresh-1")
				return err
			},
			answer: `true`,
			method: http.MethodPost,
			path:   "/api/content/users-auth-providers/marker/email/users/logout",
			body:   `{"refreshToken":"refresh-1"}`,
		},
		"A4 logout-all": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.LogoutAll(ctx, "email")
				return err
			},
			answer: `true`,
			method: http.MethodPost,
			path:   "/api/content/users-auth-providers/marker/email/users/logout-all",
		},
		"A5 sign-up": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.SignUp(ctx, "email", client.SignUpRequest{
					FormIdentifier:   "reg",
					AuthData:         []client.AuthData{{Marker: "email_reg", Value: "new@example.com"}, {Marker: "password_reg", Value: "12345"}},
					FormData:         []client.FormDataItem{{Marker: "name_reg", Type: "string", Value: "Ivan"}},
					NotificationData: &client.NotificationData{Email: "new@example.com"},
				})
				return err
			},
			answer: `{"id":16,"updatedDate":"2025-04-30T21:54:48.918Z","version":0,"identifier":"new@example.com","isActive":false,"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"notificationData":{"email":"new@example.com","phonePush":[]},"locale":"en_US","createdDate":"2025-04-30T21:54:48.918Z","state":{}}`,
			method: http.MethodPost,
			path:   "/api/content/users-auth-providers/marker/email/users/sign-up",
			body: `{"formIdentifier":"reg","authData":[{"marker":"email_reg","value":"new@example.com"},{"marker":"password_reg","value":"12345"}],` +
				`"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"notificationData":{"email":"new@example.com","phonePush":[]},"langCode":"en_US"}`,
		},
		"A7 auth providers": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.AuthProviders(ctx, 0, client.DefaultLimit)
				return err
			},
			answer: `[]`,
			method: http.MethodGet,
			path:   "/api/content/users-auth-providers",
			query:  url.Values{"langCode": {"en_US"}, "offset": {"0"}, "limit": {"30"}},
		},
		"A8 auth provider": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.AuthProvider(ctx, "email")
				return err
			},
			answer: `{"id":1,"identifier":"email"}`,
			method: http.MethodGet,
			path:   "/api/content/users-auth-providers/marker/email",
			query:  url.Values{"langCode": {"en_US"}},
		},
		"A9 active sessions": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.ActiveSessions(ctx, "email")
				return err
			},
			answer: `[{"deviceInfo":{"os":"Go","browser":"test","location":"en-US"}}]`,
			method: http.MethodGet,
			path:   "/api/content/users-auth-providers/marker/email/users/sessions",
		},
		"F1 form": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Form(ctx, "tickets_form")
				return err
			},
			answer: `{"id":9,"identifier":"tickets_form","attributes":[]}`,
			method: http.MethodGet,
			path:   "/api/content/forms/marker/tickets_form",
			query:  url.Values{"langCode": {"en_US"}},
		},
		"F2 forms": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Forms(ctx, 5, 10)
				return err
			},
			answer: `{"total":0,"items":[]}`,
			method: http.MethodGet,
			path:   "/api/content/forms",
			query:  url.Values{"langCode": {"en_US"}, "offset": {"5"}, "limit": {"10"}},
		},
		"O1 create order": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.CreateOrder(ctx, "tickets", ticketsOrder())
				return err
			},
			answer: orderAnswer,
			method: http.MethodPost,
			path:   "/api/content/orders-storage/marker/tickets/orders",
			body:   `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`,
		},
		"O2 orders": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Orders(ctx, "tickets", 0, 30)
				return err
			},
			answer: `{"items":[],"total":0}`,
			method: http.MethodGet,
			path:   "/api/content/orders-storage/marker/tickets/orders",
			query:  url.Values{"langCode": {"en_US"}, "limit": {"30"}, "offset": {"0"}},
		},
		"O3 order": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Order(ctx, "tickets", 92)
				return err
			},
			answer: orderAnswer,
			method: http.MethodGet,
			path:   "/api/content/orders-storage/marker/tickets/orders/92",
			query:  url.Values{"langCode": {"en_US"}},
		},
		"O4 update order": {
			call: func(ctx context.Context, c *client.Client) error {
				in := ticketsOrder()
				in.StatusIdentifier = "canceled"
				_, err := c.UpdateOrder(ctx, "tickets", 92, in)
				return err
			},
			answer: orderAnswer,
			method: http.MethodPut,
			path:   "/api/content/orders-storage/marker/tickets/orders/92",
			query:  url.Values{"langCode": {"en_US"}},
			body: `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},` +
				`"products":[{"productId":10,"quantity":1}],"statusIdentifier":"canceled"}`,
		},
		"O5 storages": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.OrderStorages(ctx, 0, 30)
				return err
			},
			answer: `[]`,
			method: http.MethodGet,
			path:   "/api/content/orders-storage",
			query:  url.Values{"langCode": {"en_US"}, "limit": {"30"}, "offset": {"0"}},
		},
		"O6 storage": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.OrderStorage(ctx, "tickets")
				return err
			},
			answer: `{"id":1,"identifier":"tickets"}`,
			method: http.MethodGet,
			path:   "/api/content/orders-storage/marker/tickets",
			query:  url.Values{"langCode": {"en_US"}},
		},
		"O7 statuses": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.OrderStatuses(ctx, "tickets", 0, 30)
				return err
			},
			answer: `[]`,
			method: http.MethodGet,
			path:   "/api/content/orders-storage/marker/tickets/order-statuses",
			query:  url.Values{"langCode": {"en_US"}, "offset": {"0"}, "limit": {"30"}},
		},
		"P1 create session": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.CreateSession(ctx, 92, client.SessionTypeSession, false)
				return err
			},
			answer: sessionAnswer,
			method: http.MethodPost,
			path:   "/api/content/payments/sessions",
			body:   `{"orderId":92,"type":"session","automaticTaxEnabled":false}`,
		},
		"P2 sessions by order": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.SessionsByOrder(ctx, 92)
				return err
			},
			answer: sessionAnswer,
			method: http.MethodGet,
			path:   "/api/content/payments/sessions/order/92",
		},
		"P3 update session": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.UpdateSession(ctx, 49, client.SessionUpdate{Status: "expired_ticket", PaymentURL: &emptyURL})
				return err
			},
			answer: sessionAnswer,
			method: http.MethodPut,
			path:   "/api/content/payments/sessions/49",
			body:   `{"status":"expired_ticket","paymentUrl":""}`,
		},
		"P4 session": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Session(ctx, 49)
				return err
			},
			answer: sessionAnswer,
			method: http.MethodGet,
			path:   "/api/content/payments/sessions/49",
		},
		"P5 sessions": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Sessions(ctx, 0, 30)
				return err
			},
			answer: `{"items":[],"total":0}`,
			method: http.MethodGet,
			path:   "/api/content/payments/sessions/",
			query:  url.Values{"offset": {"0"}, "limit": {"30"}},
		},
		"P6 accounts": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.PaymentAccounts(ctx)
				return err
			},
			answer: `[]`,
			method: http.MethodGet,
			path:   "/api/content/payments/accounts",
		},
		"P7 account": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.PaymentAccount(ctx, 1)
				return err
			},
			answer: `{"id":1,"identifier":"cash"}`,
			method: http.MethodGet,
			path:   "/api/content/payments/accounts/1",
		},
		"R1 product": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Product(ctx, 10)
				return err
			},
			answer: `{"id":10,"price":100}`,
			method: http.MethodGet,
			path:   "/api/content/products/10",
			query:  url.Values{"langCode": {"en_US"}},
		},
		"U1 me": {
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Me(ctx)
				return err
			},
			answer: `{"id":16,"identifier":"your-user@email.com","total":"1"}`,
			method: http.MethodGet,
			path:   "/api/content/users/me",
			query:  url.Values{"langCode": {"en_US"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, answer(tc.answer))
			c := api.client(t, client.WithAppToken(appToken), client.WithDeviceMetadata(deviceMetadata))
			c.SetTokens("access-1", "refresh-1")

			require.NoError(t, tc.call(t.Context(), c))

			reqs := api.requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, tc.method, got.Method)
			assert.Equal(t, tc.path, got.Path)
			if tc.query == nil {
				assert.Empty(t, got.RawQuery, "no query string")
			} else {
				q, err := url.ParseQuery(got.RawQuery)
				require.NoError(t, err)
				assert.Equal(t, tc.query, q)
			}
			if tc.body == "" {
				assert.Empty(t, got.Body, "no body")
			} else {
				assert.JSONEq(t, tc.body, got.Body)
			}
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.Equal(t, appToken, got.Header.Get("x-app-token"))
			if tc.noAuth {
				assert.Empty(t, got.Header.Values("Authorization"))
			} else {
				assert.Equal(t, "Bearer access-1", got.Header.Get("Authorization"))
			}
			if tc.method == http.MethodPost {
				assert.Equal(t, deviceMetadata, got.Header.Get("x-device-metadata"))
			} else {
				assert.Empty(t, got.Header.Values("x-device-metadata"), "x-device-metadata only on POST")
			}
		})
	}
}

func TestNewBaseURL(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(`{"id":9}`))
	for _, base := range []string{api.srv.URL, api.srv.URL + "/", api.srv.URL + "//"} {
		c, err := client.New(base, client.WithHTTPClient(api.srv.Client()))
		require.NoError(t, err)
		_, err = c.Form(t.Context(), "tickets_form")
		require.NoError(t, err)
	}
	for _, r := range api.requests() {
		assert.Equal(t, "/api/content/forms/marker/tickets_form", r.Path, "a trailing slash must not double the slash")
	}

	for _, bad := range []string{
		"", "example.com", "ftp://example.com", "http://", "http://exa mple.com",
		"http://example.com?x=1", "http://example.com/?", "http://example.com?",
		"http://example.com#top", "http://example.com/#", "http://example.com#",
	} {
		_, err := client.New(bad)
		assert.Error(t, err, bad)
	}
}

func TestNewBaseURLErrorHidesPassword(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"http://user:s3cret@example.com/?a=1",
		"http://user:s3cret@example.com/#",
		"ftp://user:s3cret@example.com",
		"http://user:s3cret@exa mple.com",
		"http://user:s3cret@example.com/%zz",
		"http://user:s3%zzcret@example.com/",
	} {
		_, err := client.New(bad)
		require.Error(t, err, bad)
		assert.NotContains(t, err.Error(), "s3cret", bad)
		assert.NotContains(t, err.Error(), "%zz", bad)
	}
}

func TestNewBaseURLWithPathPrefix(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(`{"id":9}`))
	c, err := client.New(api.srv.URL+"/proxy/", client.WithHTTPClient(api.srv.Client()))
	require.NoError(t, err)
	_, err = c.Form(t.Context(), "tickets_form")
	require.NoError(t, err)
	assert.Equal(t, "/proxy/api/content/forms/marker/tickets_form", api.requests()[0].Path)
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(sessionAnswer))
	c := api.client(t)
	assert.Equal(t, client.DefaultLanguage, c.Language())
	assert.Empty(t, c.AccessToken())

	_, err := c.CreateSession(t.Context(), 92, client.SessionTypeIntent, true)
	require.NoError(t, err)
	got := api.requests()[0]
	assert.Empty(t, got.Header.Values("Authorization"), "no bearer before a token is held")
	assert.Empty(t, got.Header.Values("x-app-token"), "no app token configured")
	assert.Empty(t, got.Header.Values("x-device-metadata"), "no device metadata configured")
	assert.JSONEq(t, `{"orderId":92,"type":"intent","automaticTaxEnabled":true}`, got.Body)
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, http.StatusCreated, `{"id":93,"formData":{"en_US":[{"marker":"tickets","type":"entity","value":["p-8-10"]}],"ru_RU":[{"marker":"tickets","type":"entity","value":["p-8-11"]}]},"totalSum":100}`)
		default:
			writeJSON(w, http.StatusOK, `{"id":1,"identifier":"tickets","localizeInfos":{"en_US":{"title":"Cash"},"ru_RU":{"title":"Наличные"}}}`)
		}
	})
	c := api.client(t, client.WithLanguage("ru_RU"))
	assert.Equal(t, "ru_RU", c.Language())

	order, err := c.CreateOrder(t.Context(), "tickets", ticketsOrder())
	require.NoError(t, err)
	assert.Equal(t, "ru_RU", order.FormData.Lang)
	assert.Equal(t, []any{"p-8-11"}, order.FormData.Value[0].Value, "the client's language is picked from a multi-language map")
	assert.Len(t, order.FormData.Locales, 2)

	storage, err := c.OrderStorage(t.Context(), "tickets")
	require.NoError(t, err)
	assert.Equal(t, "Наличные", storage.LocalizeInfos.Value.Title)

	reqs := api.requests()
	assert.JSONEq(t, `{"ru_RU":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]}`, string(mustField(t, reqs[0].Body, "formData")))
	assert.Equal(t, "langCode=ru_RU", reqs[1].RawQuery)
}

func TestCreateOrderNilListsAreSentEmpty(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(orderAnswer))
	c := api.client(t)
	_, err := c.CreateOrder(t.Context(), "tickets", client.OrderInput{FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[]},"products":[]}`, api.requests()[0].Body)
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(`{"id":9}`))
	c := api.client(t)
	_, err := c.Form(t.Context(), "a/b?c")
	require.NoError(t, err)
	got := api.requests()[0]
	assert.Equal(t, "/api/content/forms/marker/a/b?c", got.Path, "decoded path")
	assert.Equal(t, "langCode=en_US", got.RawQuery, "the marker's ? stays in the path")
}

// TestDotSegmentsAreEscaped covers markers a path-normalising proxy would resolve as
// directory steps: /forms/marker/.. would become /forms.
func TestDotSegmentsAreEscaped(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		call func(context.Context, *client.Client) error
		want string
	}{
		"form ..": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.Form(ctx, ".."); return err },
			want: "/api/content/forms/marker/%2E%2E",
		},
		"form .": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.Form(ctx, "."); return err },
			want: "/api/content/forms/marker/%2E",
		},
		"provider ..": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.AuthProvider(ctx, ".."); return err },
			want: "/api/content/users-auth-providers/marker/%2E%2E",
		},
		"storage .": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.Orders(ctx, ".", 0, 30); return err },
			want: "/api/content/orders-storage/marker/%2E/orders",
		},
		"page url ..": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.PageByURL(ctx, ".."); return err },
			want: "/api/content/pages/url/%2E%2E",
		},
		"not only dots": {
			call: func(ctx context.Context, c *client.Client) error { _, err := c.Form(ctx, "..a"); return err },
			want: "/api/content/forms/marker/..a",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, answer(`{"id":9}`))
			require.NoError(t, tc.call(t.Context(), api.client(t)))
			assert.Equal(t, tc.want, api.requests()[0].EscapedPath)
		})
	}
}

// TestRedirectsAreRefused covers an answer that redirects elsewhere: net/http would follow it
// with x-app-token, x-device-metadata and the body (the password, on auth).
func TestRedirectsAreRefused(t *testing.T) {
	t.Parallel()
	calls := map[string]struct {
		status int
		call   func(context.Context, *client.Client) error
	}{
		"307 auth": {
			status: http.StatusTemporaryRedirect,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "password_reg", Value: "s3cret"}}})
				return err
			},
		},
		"302 form": {
			status: http.StatusFound,
			call: func(ctx context.Context, c *client.Client) error {
				_, err := c.Form(ctx, "tickets_form")
				return err
			},
		},
	}
	httpClients := map[string]func() *http.Client{
		"default":  func() *http.Client { return nil },
		"caller's": func() *http.Client { return &http.Client{} },
		"caller's following": func() *http.Client {
			return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		},
	}
	for callName, tc := range calls {
		for clientName, newHTTPClient := range httpClients {
			t.Run(callName+"/"+clientName, func(t *testing.T) {
				t.Parallel()
				elsewhere := newFakeAPI(t, answer(authAnswer))
				api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, elsewhere.srv.URL+"/collect", tc.status)
				})
				hc := newHTTPClient()
				var callerCheck uintptr
				if hc != nil {
					callerCheck = funcAddress(hc.CheckRedirect)
				}
				c, err := client.New(api.srv.URL, client.WithHTTPClient(hc), client.WithAppToken(appToken), client.WithDeviceMetadata(deviceMetadata))
				require.NoError(t, err)

				err = tc.call(t.Context(), c)
				require.ErrorIs(t, err, client.ErrRedirect)
				assert.Contains(t, err.Error(), elsewhere.srv.URL+"/collect", "the error names the Location")
				assert.Empty(t, elsewhere.requests(), "nothing reaches the other host")
				assert.Len(t, api.requests(), 1)
				if hc != nil {
					assert.Equal(t, callerCheck, funcAddress(hc.CheckRedirect), "the caller's client is not changed")
				}
			})
		}
	}
}

// funcAddress identifies a func, which Go cannot compare directly; 0 for nil.
func funcAddress(fn func(*http.Request, []*http.Request) error) uintptr {
	if fn == nil {
		return 0
	}
	return reflect.ValueOf(fn).Pointer()
}
