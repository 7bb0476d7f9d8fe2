package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// valueCalls holds every API call whose contract answer carries a value, by method name.
var valueCalls = map[string]func(context.Context, *client.Client) error{
	"Auth": func(ctx context.Context, c *client.Client) error {
		_, err := c.Auth(ctx, "email", client.AuthRequest{})
		return err
	},
	"Refresh": func(ctx context.Context, c *client.Client) error {
		_, err := c.Refresh(ctx)
		return err
	},
	"RefreshWith": func(ctx context.Context, c *client.Client) error {
		_, err := c.RefreshWith(ctx, "email", "r")
		return err
	},
	"Logout": func(ctx context.Context, c *client.Client) error {
		_, err := c.Logout(ctx, "email", "r")
		return err
	},
	"LogoutAll": func(ctx context.Context, c *client.Client) error {
		_, err := c.LogoutAll(ctx, "email")
		return err
	},
	"SignUp": func(ctx context.Context, c *client.Client) error {
		_, err := c.SignUp(ctx, "email", client.SignUpRequest{})
		return err
	},
	"AuthProviders": func(ctx context.Context, c *client.Client) error {
		_, err := c.AuthProviders(ctx, 0, 30)
		return err
	},
	"AuthProvider": func(ctx context.Context, c *client.Client) error {
		_, err := c.AuthProvider(ctx, "email")
		return err
	},
	"ActiveSessions": func(ctx context.Context, c *client.Client) error {
		_, err := c.ActiveSessions(ctx, "email")
		return err
	},
	"ActivateUser": func(ctx context.Context, c *client.Client) error {
		_, err := c.ActivateUser(ctx, "email", "u", "123456")
		return err
	},
	"ChangePassword": func(ctx context.Context, c *client.Client) error {
		_, err := c.ChangePassword(ctx, "email", client.ChangePasswordRequest{})
		return err
	},
	"Cart": func(ctx context.Context, c *client.Client) error {
		_, err := c.Cart(ctx)
		return err
	},
	"AddCartItem": func(ctx context.Context, c *client.Client) error {
		_, err := c.AddCartItem(ctx, 10, 1)
		return err
	},
	"SetCartItem": func(ctx context.Context, c *client.Client) error {
		_, err := c.SetCartItem(ctx, 10, 2)
		return err
	},
	"RemoveCartItem": func(ctx context.Context, c *client.Client) error {
		_, err := c.RemoveCartItem(ctx, 10)
		return err
	},
	"SubmitFormData": func(ctx context.Context, c *client.Client) error {
		_, err := c.SubmitFormData(ctx, client.FormDataInput{})
		return err
	},
	"FormDataByMarker": func(ctx context.Context, c *client.Client) error {
		_, err := c.FormDataByMarker(ctx, "contact", 1, client.FormDataFilter{}, 0, 30)
		return err
	},
	"DeleteFormData": func(ctx context.Context, c *client.Client) error {
		_, err := c.DeleteFormData(ctx, 1)
		return err
	},
	"Form": func(ctx context.Context, c *client.Client) error {
		_, err := c.Form(ctx, "tickets_form")
		return err
	},
	"Forms": func(ctx context.Context, c *client.Client) error {
		_, err := c.Forms(ctx, 0, 30)
		return err
	},
	"CreateOrder": func(ctx context.Context, c *client.Client) error {
		_, err := c.CreateOrder(ctx, "tickets", ticketsOrder())
		return err
	},
	"Orders": func(ctx context.Context, c *client.Client) error {
		_, err := c.Orders(ctx, "tickets", 0, 30)
		return err
	},
	"Order": func(ctx context.Context, c *client.Client) error {
		_, err := c.Order(ctx, "tickets", 92)
		return err
	},
	"UpdateOrder": func(ctx context.Context, c *client.Client) error {
		_, err := c.UpdateOrder(ctx, "tickets", 92, ticketsOrder())
		return err
	},
	"OrderStorages": func(ctx context.Context, c *client.Client) error {
		_, err := c.OrderStorages(ctx, 0, 30)
		return err
	},
	"OrderStorage": func(ctx context.Context, c *client.Client) error {
		_, err := c.OrderStorage(ctx, "tickets")
		return err
	},
	"OrderStatuses": func(ctx context.Context, c *client.Client) error {
		_, err := c.OrderStatuses(ctx, "tickets", 0, 30)
		return err
	},
	"PageByURL": func(ctx context.Context, c *client.Client) error {
		_, err := c.PageByURL(ctx, "tickets")
		return err
	},
	"Menu": func(ctx context.Context, c *client.Client) error {
		_, err := c.Menu(ctx, "main")
		return err
	},
	"ProductsByPageURL": func(ctx context.Context, c *client.Client) error {
		_, err := c.ProductsByPageURL(ctx, "tickets", 0, 30)
		return err
	},
	"CreateSession": func(ctx context.Context, c *client.Client) error {
		_, err := c.CreateSession(ctx, 92, client.SessionTypeSession, false)
		return err
	},
	"SessionsByOrder": func(ctx context.Context, c *client.Client) error {
		_, err := c.SessionsByOrder(ctx, 92)
		return err
	},
	"UpdateSession": func(ctx context.Context, c *client.Client) error {
		_, err := c.UpdateSession(ctx, 49, client.SessionUpdate{Status: "expired"})
		return err
	},
	"Session": func(ctx context.Context, c *client.Client) error {
		_, err := c.Session(ctx, 49)
		return err
	},
	"Sessions": func(ctx context.Context, c *client.Client) error {
		_, err := c.Sessions(ctx, 0, 30)
		return err
	},
	"PaymentAccounts": func(ctx context.Context, c *client.Client) error {
		_, err := c.PaymentAccounts(ctx)
		return err
	},
	"PaymentAccount": func(ctx context.Context, c *client.Client) error {
		_, err := c.PaymentAccount(ctx, 1)
		return err
	},
	"Product": func(ctx context.Context, c *client.Client) error {
		_, err := c.Product(ctx, 10)
		return err
	},
	"ProductsByIDs": func(ctx context.Context, c *client.Client) error {
		_, err := c.ProductsByIDs(ctx, 10, 11)
		return err
	},
	"Refunds": func(ctx context.Context, c *client.Client) error {
		_, err := c.Refunds(ctx, 92)
		return err
	},
	"CreateRefundRequest": func(ctx context.Context, c *client.Client) error {
		_, err := c.CreateRefundRequest(ctx, 92, map[int]int{10: 1}, "")
		return err
	},
	"CancelRefundRequest": func(ctx context.Context, c *client.Client) error {
		_, err := c.CancelRefundRequest(ctx, 92)
		return err
	},
	"Me": func(ctx context.Context, c *client.Client) error {
		_, err := c.Me(ctx)
		return err
	},
}

// bodilessCalls are the API calls whose contract answer has no body.
var bodilessCalls = []string{"GenerateCode"}

// TestValueCallsCoverEveryCall keeps valueCalls complete: a new API call must be listed there
// or, if its answer has no body, in bodilessCalls.
func TestValueCallsCoverEveryCall(t *testing.T) {
	t.Parallel()
	ctxType := reflect.TypeFor[context.Context]()
	typ := reflect.TypeFor[*client.Client]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if m.Type.NumIn() < 2 || m.Type.In(1) != ctxType {
			continue
		}
		_, isValueCall := valueCalls[m.Name]
		assert.True(t, isValueCall || slices.Contains(bodilessCalls, m.Name), "%s is in neither valueCalls nor bodilessCalls", m.Name)
	}
}

// TestEmptyAnswerIsAnError covers 2xx answers without a value: a call that expects one must
// fail rather than hand back a zero value or a nil slice.
func TestEmptyAnswerIsAnError(t *testing.T) {
	t.Parallel()
	answers := map[string]struct {
		status int // 0: the API's usual success status, 201 for a POST and 200 otherwise
		body   string
	}{
		"empty":      {body: ""},
		"whitespace": {body: " \n"},
		"null":       {body: "null"},
		"204":        {status: http.StatusNoContent},
	}
	for callName, call := range valueCalls {
		for answerName, tc := range answers {
			t.Run(callName+"/"+answerName, func(t *testing.T) {
				t.Parallel()
				api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
					status := tc.status
					if status == 0 {
						status = http.StatusOK
						if r.Method == http.MethodPost {
							status = http.StatusCreated
						}
					}
					w.WriteHeader(status)
					_, _ = w.Write([]byte(tc.body))
				})
				c := api.client(t)
				c.SetTokens("access-1", "refresh-1")

				err := call(t.Context(), c)
				require.ErrorIs(t, err, client.ErrEmptyAnswer)
				var apiErr *client.APIError
				assert.False(t, errors.As(err, &apiErr), "a 2xx answer is not an API error")
				reqs := api.requests()
				require.NotEmpty(t, reqs)
				last := reqs[len(reqs)-1]
				assert.Contains(t, err.Error(), " "+last.Path+": ", "the error names the path")
				if tc.status != 0 {
					assert.Contains(t, err.Error(), "204 No Content", "the error names the status")
				}
				assert.Equal(t, "access-1", c.AccessToken(), "the session is kept")
			})
		}
	}
}

func TestBodilessAnswerIsNoError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusCreated, http.StatusNoContent} {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		require.NoError(t, api.client(t).GenerateCode(t.Context(), "email", "u", "auth"))
	}
}

// TestAnswerSizeLimit covers answers around the 32 MiB the client reads: one that fits is
// decoded, one that does not is an error instead of being cut to something that may still
// decode.
func TestAnswerSizeLimit(t *testing.T) {
	t.Parallel()
	const limit = 32 << 20
	tests := map[string]struct {
		body    []byte
		wantErr error
	}{
		"exactly the limit": {body: padded("true", limit, "")},
		"garbage past the limit": {
			body:    padded("true", limit, "GARBAGE"),
			wantErr: client.ErrAnswerTooLarge,
		},
		"valid but larger": {
			body:    padded("[", limit, "true]"),
			wantErr: client.ErrAnswerTooLarge,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write(tc.body)
			})
			ok, err := api.client(t).ActivateUser(t.Context(), "email", "u", "123456")
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.True(t, ok)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), "answer larger than 32 MiB")
			assert.False(t, ok)
		})
	}
}

// padded returns head, then spaces up to size bytes, then tail.
func padded(head string, size int, tail string) []byte {
	var b bytes.Buffer
	b.Grow(size + len(tail))
	b.WriteString(head)
	b.WriteString(strings.Repeat(" ", size-len(head)))
	b.WriteString(tail)
	return b.Bytes()
}
