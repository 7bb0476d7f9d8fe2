package client_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestAPIError(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status      int
		body        string
		wantMessage string
		wantList    []string
		wantReason  string
		wantTime    string
		wantError   string
	}{
		"string message": {
			status:      http.StatusNotFound,
			body:        `{"statusCode":404,"message":"Cannot GET /api/content/users/cart","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`,
			wantMessage: "Cannot GET /api/content/users/cart",
			wantReason:  "Not Found",
			wantTime:    "2025-04-30T21:54:48.918Z",
			wantError:   "oneentry: GET /api/content/forms/marker/tickets_form: 404 Not Found: Cannot GET /api/content/users/cart",
		},
		"array message": {
			status:      http.StatusBadRequest,
			body:        `{"statusCode":400,"message":["property formIdentifier should not exist","required values are missing or incorrect: tickets"],"error":"Bad Request","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`,
			wantMessage: "property formIdentifier should not exist; required values are missing or incorrect: tickets",
			wantList:    []string{"property formIdentifier should not exist", "required values are missing or incorrect: tickets"},
			wantReason:  "Bad Request",
			wantTime:    "2025-04-30T21:54:48.918Z",
			wantError:   "oneentry: GET /api/content/forms/marker/tickets_form: 400 Bad Request: property formIdentifier should not exist; required values are missing or incorrect: tickets",
		},
		"message only": {
			status:      http.StatusForbidden,
			body:        `{"message":"Resource is closed"}`,
			wantMessage: "Resource is closed",
			wantError:   "oneentry: GET /api/content/forms/marker/tickets_form: 403 Forbidden: Resource is closed",
		},
		"non-JSON body": {
			status:      http.StatusBadGateway,
			body:        "<html><body>502 Bad Gateway</body></html>\n",
			wantMessage: "<html><body>502 Bad Gateway</body></html>",
			wantError:   "oneentry: GET /api/content/forms/marker/tickets_form: 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>",
		},
		"empty body": {
			status:    http.StatusInternalServerError,
			wantError: "oneentry: GET /api/content/forms/marker/tickets_form: 500 Internal Server Error",
		},
		"no message": {
			status:     http.StatusUnprocessableEntity,
			body:       "{\n  \"errors\": [{\"field\": \"email\", \"code\": \"taken\"}],\n  \"error\": \"Unprocessable Entity\"\n}\n",
			wantReason: "Unprocessable Entity",
			wantError:  `oneentry: GET /api/content/forms/marker/tickets_form: 422 Unprocessable Entity: {"errors":[{"field":"email","code":"taken"}],"error":"Unprocessable Entity"}`,
		},
		"wrongly typed fields": {
			status:      http.StatusConflict,
			body:        `{"message":{"detail":"x"},"error":409,"timestamp":1}`,
			wantMessage: `{"detail":"x"}`,
			wantError:   `oneentry: GET /api/content/forms/marker/tickets_form: 409 Conflict: {"detail":"x"}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := api.client(t).Form(t.Context(), "tickets_form")
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.wantMessage, apiErr.Message)
			assert.Equal(t, tc.wantList, apiErr.Messages)
			assert.Equal(t, tc.wantReason, apiErr.Reason)
			assert.Equal(t, tc.wantTime, apiErr.Timestamp)
			assert.Equal(t, tc.body, string(apiErr.Body))
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, "/api/content/forms/marker/tickets_form", apiErr.Path)
			assert.Equal(t, tc.wantError, apiErr.Error())
			assert.NoError(t, errors.Unwrap(apiErr))
		})
	}
}

func TestAPIErrorLongTextBodyIsCut(t *testing.T) {
	t.Parallel()
	long := make([]byte, 0, 1200)
	for len(long) < 1200 {
		long = append(long, "ошибка "...)
	}
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(long)
	})
	_, err := api.client(t).Me(t.Context())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 512)
	assert.NotEmpty(t, apiErr.Message)
	assert.True(t, utf8.ValidString(apiErr.Message), "cut on a rune boundary")
	assert.Equal(t, long, apiErr.Body, "the full body stays available")
}

// An error body of JSON without a message shows in Error() cut as a text body is.
func TestAPIErrorLongBodyWithoutMessageIsCut(t *testing.T) {
	t.Parallel()
	body := `{"errors":["` + strings.Repeat("ошибка ", 200) + `"]}`
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(body))
	})
	_, err := api.client(t).Me(t.Context())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.Message)
	prefix := "oneentry: GET /api/content/users/me: 422 Unprocessable Entity: "
	require.True(t, strings.HasPrefix(apiErr.Error(), prefix+`{"errors":["ошибка`), apiErr.Error())
	assert.LessOrEqual(t, len(apiErr.Error()), len(prefix)+512)
	assert.True(t, utf8.ValidString(apiErr.Error()), "cut on a rune boundary")
}

// A body in another charset keeps its text past the bytes that are not UTF-8.
func TestAPIErrorTextInAnotherCharsetIsKept(t *testing.T) {
	t.Parallel()
	latin1 := []byte("Service unavailable: Wartungsarbeiten f\xfcr das System. " + strings.Repeat("Bitte warten. ", 60))
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(latin1)
	})
	_, err := api.client(t).Me(t.Context())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, strings.HasPrefix(apiErr.Message, "Service unavailable: Wartungsarbeiten f\uFFFDr das System. Bitte warten."), apiErr.Message)
	assert.LessOrEqual(t, len(apiErr.Message), 512)
	assert.Greater(t, len(apiErr.Message), 500)
	assert.True(t, utf8.ValidString(apiErr.Message))
}
