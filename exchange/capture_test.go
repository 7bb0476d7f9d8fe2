package exchange_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

type ctxKey struct{}

func TestRequestBodyReadOnceAndReplayed(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest(http.MethodPost, "http://x/api/content/orders", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	data, err := exchange.ReadRequestBody(req)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(data))

	ctx := context.WithValue(t.Context(), ctxKey{}, "v")
	clone := exchange.WithBody(ctx, req, data)
	assert.NotSame(t, req, clone)
	assert.Equal(t, "v", clone.Context().Value(ctxKey{}))
	assert.EqualValues(t, 7, clone.ContentLength)
	for range 2 {
		body, err := clone.GetBody()
		require.NoError(t, err)
		got, _ := io.ReadAll(body)
		assert.Equal(t, `{"a":1}`, string(got), "GetBody replays the bytes for redirects and retries")
	}
	got, _ := io.ReadAll(clone.Body)
	assert.Equal(t, `{"a":1}`, string(got))
}

func TestRequestWithoutBodyStaysWithout(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]io.ReadCloser{"nil": nil, "NoBody": http.NoBody} {
		req, err := http.NewRequest(http.MethodGet, "http://x/", nil)
		require.NoError(t, err)
		req.Body = body
		data, err := exchange.ReadRequestBody(req)
		require.NoError(t, err, name)
		assert.Nil(t, data, name)
		clone := exchange.WithBody(t.Context(), req, data)
		assert.Equal(t, body, clone.Body, name)
		assert.Nil(t, clone.GetBody, name)
	}
}

type failingReader struct{ closed bool }

func (f *failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (f *failingReader) Close() error             { f.closed = true; return nil }

func TestBufferResponse(t *testing.T) {
	t.Parallel()
	resp := &http.Response{Body: io.NopCloser(strings.NewReader(`{"ok":true}`))}
	data, err := exchange.BufferResponse(resp)
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, string(data))
	again, _ := io.ReadAll(resp.Body)
	assert.Equal(t, data, again, "the caller still reads the whole body")

	broken := &failingReader{}
	_, err = exchange.BufferResponse(&http.Response{Body: broken})
	assert.ErrorContains(t, err, "connection reset")
	assert.True(t, broken.closed, "the body is closed even when reading it fails")
}
