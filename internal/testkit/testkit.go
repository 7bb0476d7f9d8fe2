// Package testkit holds the test doubles that the tests of several packages share: an
// in-process SMTP server standing in for Mailpit, a buffer that goroutines may write while a
// test reads it, a one-call HTTP request and a folder's files. Only tests import it.
package testkit

import (
	"bytes"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Buffer is a bytes.Buffer safe for one goroutine to write while another reads.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Call sends method to url with body as JSON (no body when it is empty) and the headers given
// as name, value pairs, and returns the status and the whole answer. It fails the test when
// the request cannot be made or read.
func Call(t testing.TB, c *http.Client, method, url, body string, header ...string) (int, []byte) {
	t.Helper()
	require.Zero(t, len(header)%2, "headers come as name, value pairs")
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, got
}

// FrontEndOrigin is where a front end's dev server serves the page the tests play.
const FrontEndOrigin = "http://localhost:3000"

// UnreachableURL is a URL no test can reach: nothing listens on port 1, and no test server
// is handed a port below 1024. A closed test server's URL is not one: while tests run in
// parallel, its port may be handed to the next server one of them starts.
const UnreachableURL = "http://127.0.0.1:1"

// Preflight sends the CORS preflight a page on FrontEndOrigin sends before a method request
// with requestHeaders (a comma-separated list, none when empty) and returns the answer.
func Preflight(t testing.TB, c *http.Client, url, method, requestHeaders string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, url, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", FrontEndOrigin)
	req.Header.Set("Access-Control-Request-Method", method)
	if requestHeaders != "" {
		req.Header.Set("Access-Control-Request-Headers", requestHeaders)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp
}

// Files lists the files under dir with their contents, by slash-separated path relative to
// dir: what a test compares to see that a folder was, or was not, written.
func Files(t testing.TB, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	}))
	return got
}

// FileForm is a multipart form as a browser sends it, fields first, then one file: its body and
// its Content-Type.
func FileForm(t testing.TB, fields url.Values, field, filename string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(t, mw.WriteField(k, v))
		}
	}
	part, err := mw.CreateFormFile(field, filename)
	require.NoError(t, err)
	_, err = part.Write(data)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return &body, mw.FormDataContentType()
}
