package exchange

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// A RoundTripper that looks at bodies must leave the caller's request as it was and hand back a
// response whose body can still be read. These three are how the scenario recorder and the
// capsule tests' capturing transport read a body once and pass it on. contracts.Transport keeps
// a copy of its own, because the contract package imports nothing from this module.

// ReadRequestBody reads and closes req's body. It returns nil for a request without one (nil or
// http.NoBody), so WithBody can keep that difference.
func ReadRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	return data, err
}

// WithBody returns a clone of req under ctx whose body reads data, any number of times through
// GetBody. A nil data, a request that had no body, leaves the clone without one.
func WithBody(ctx context.Context, req *http.Request, data []byte) *http.Request {
	r := req.Clone(ctx)
	if data == nil {
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r.ContentLength = int64(len(data))
	return r
}

// BufferResponse reads and closes resp's body and gives resp a new body reading the same bytes.
// On a read error it returns what was read with the error, and resp's body stays consumed.
// A body longer than max bytes is not held whole: the first max bytes are returned with
// complete false, and resp's body reads them and then the rest as the server sends it, so the
// caller's own limit decides what happens to an answer that large.
func BufferResponse(resp *http.Response, max int64) (data []byte, complete bool, err error) {
	data, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		_ = resp.Body.Close()
		return data, false, err
	}
	if int64(len(data)) > max {
		resp.Body = PrefixedBody(data, resp.Body)
		return data[:max], false, nil
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return data, true, nil
}

// PrefixedBody reads prefix, then rest; closing it closes rest.
func PrefixedBody(prefix []byte, rest io.ReadCloser) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(prefix), rest), rest}
}
