package capsule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteAndLoadRoundTrip(t *testing.T) {
	t.Parallel()
	c := testCapsule()
	c.RecordedAt = "2025-04-30T21:54:48Z"
	c.Exchanges[1].ResponseHeaders = map[string]string{"content-type": "application/json"}
	c.Exchanges = append(c.Exchanges, Exchange{Method: "GET", Path: "/x", Status: 502, ResponseText: "Bad gateway <html>", DurationMs: 1.25, StartedAt: "2025-04-30T21:54:48.000Z"})
	path := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, WriteFile(path, c))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"accessToken": "<access-token-1>"`, "indented, with placeholders unescaped")
	assert.True(t, strings.HasSuffix(string(data), "}\n"))

	got, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, c.Redactions, got.Redactions)
	require.Len(t, got.Exchanges, len(c.Exchanges))
	for i := range c.Exchanges {
		assert.Equal(t, c.Exchanges[i].String(), got.Exchanges[i].String())
		assert.Equal(t, Shape(c.Exchanges[i].ResponseBody), Shape(got.Exchanges[i].ResponseBody))
	}
	assert.Equal(t, "Bad gateway <html>", string(got.Exchanges[4].Body()))
	assert.Equal(t, "application/json", got.Exchanges[1].Header().Get("Content-Type"))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ doc, want string }{
		"not json":           {`{`, "capsule:"},
		"other format":       {`{"format":"har","version":1}`, `format is "har"`},
		"newer version":      {`{"format":"oneentry-mock-capsule","version":2}`, "capsule version 2 is not supported"},
		"unknown field":      {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[],"extra":1}`, `unknown field "extra"`},
		"bad exchange":       {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[{"method":"GET","path":"x","status":200}]}`, "exchanges[0]"},
		"bad status":         {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[{"method":"GET","path":"/x","status":42}]}`, "status 42"},
		"two body kinds":     {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[{"method":"GET","path":"/x","status":200,"responseBody":{},"responseText":"x"}]}`, "JSON, text or bytes"},
		"text and bytes":     {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[{"method":"POST","path":"/x","status":200,"requestText":"x","requestBytes":"AAE="}]}`, "JSON, text or bytes"},
		"recorded in year 0": {`{"format":"oneentry-mock-capsule","version":1,"recordedAt":"0000-12-31T23:00:00Z","exchanges":[]}`, "recordedAt"},
		"started past 9999":  {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[{"method":"GET","path":"/x","status":200,"startedAt":"9999-12-31T23:30:00-01:00"}]}`, "exchanges[0].startedAt"},
		"trailing object":    {`{"format":"oneentry-mock-capsule","version":1,"exchanges":[]} {}`, "capsule:"},
		"empty placeholder":  {`{"format":"oneentry-mock-capsule","version":1,"redactions":{"":"access-token"},"exchanges":[]}`, "redactions:"},
		"letter placeholder": {`{"format":"oneentry-mock-capsule","version":1,"redactions":{"a":"refresh-token"},"exchanges":[]}`, `"a" is not a placeholder`},
		"bare e-mail domain": {`{"format":"oneentry-mock-capsule","version":1,"redactions":{"@example.test":"email"},"exchanges":[]}`, "e-mail placeholder"},
		"unknown kind":       {`{"format":"oneentry-mock-capsule","version":1,"redactions":{"<x-1>":"x"},"exchanges":[]}`, "unknown kind"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Read(strings.NewReader(tc.doc))
			assert.ErrorContains(t, err, tc.want)
		})
	}
	c, err := Read(strings.NewReader(`{"format":"oneentry-mock-capsule","version":1,"contract":"","profile":"","exchanges":[]}`))
	require.NoError(t, err)
	assert.NotNil(t, c.Redactions)
	_, err = Read(strings.NewReader(`{"format":"oneentry-mock-capsule","version":1,"redactions":{"<access-token-1>":"access-token","<password>":"password","user1@example.test":"email"},"exchanges":[]}`))
	require.NoError(t, err, "what the redactor writes")
}

// A capsule saved by an editor that starts UTF-8 files with a byte order mark (Notepad,
// PowerShell 5.1) reads as without it.
func TestReadSkipsAByteOrderMark(t *testing.T) {
	t.Parallel()
	c, err := Read(strings.NewReader("\ufeff" + `{"format":"oneentry-mock-capsule","version":1,"profile":"live","exchanges":[]}`))
	require.NoError(t, err)
	assert.Equal(t, "live", c.Profile)
}

// A recorder stops taking exchanges before its file would pass what Read accepts; what it wrote
// reads back whole.
func TestRecorderStopsWhenTheCapsuleIsFull(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "full.capsule.json")
	rec := NewRecorder(path, Capsule{Contract: "sha256:x", Profile: "live", Source: "test"})
	require.NoError(t, rec.Flush())
	empty, err := os.Stat(path)
	require.NoError(t, err)
	rec.budget = 64 << 10
	raw := authExchange("u@x.io", "pw", testJWT, testRefresh)
	raw.ResponseBody = []byte(`{"pad":"` + strings.Repeat("\u0001", 1000) + `"}`)
	var recorded int
	for {
		if _, err := rec.Record(raw); err != nil {
			require.ErrorIs(t, err, ErrCapsuleFull)
			break
		}
		recorded++
		require.Less(t, recorded, 1000, "never full")
	}
	assert.Equal(t, recorded, rec.Len(), "a refused exchange is not kept")
	require.NoError(t, rec.Flush())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, info.Size()-empty.Size(), rec.budget+1<<10, "the exchanges stay within the budget")
	assert.Greater(t, info.Size()-empty.Size(), rec.budget*3/4, "and fill most of it")
	c, err := Load(path)
	require.NoError(t, err)
	assert.Len(t, c.Exchanges, recorded)
}

// A body that is not UTF-8 (a file) is kept byte for byte through the file and served so.
func TestBinaryBodiesSurviveTheFile(t *testing.T) {
	t.Parallel()
	file := make([]byte, 2048)
	for i := range file {
		file[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "bin.capsule.json")
	rec := NewRecorder(path, Capsule{Contract: "sha256:x", Profile: "live", Source: "test"})
	_, err := rec.Record(RawExchange{
		Method: "GET", Path: "/api/content/files", RawQuery: "filename=pic.bin",
		Status: 200, ResponseHeader: http.Header{"Content-Type": {"application/octet-stream"}}, ResponseBody: file,
	})
	require.NoError(t, err)
	_, err = rec.Record(RawExchange{Method: "POST", Path: "/api/content/files", RequestBody: file, Status: 201, ResponseBody: []byte(`[]`)})
	require.NoError(t, err)
	require.NoError(t, rec.Flush())

	c, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, file, c.Exchanges[0].ResponseBytes)
	assert.Empty(t, c.Exchanges[0].ResponseText)
	assert.Equal(t, file, c.Exchanges[1].RequestPayload())

	rp, err := NewReplay(c, ReplayOptions{})
	require.NoError(t, err)
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	resp, err := http.Get(ts.URL + "/api/content/files?filename=pic.bin")
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, file, got)
	resp, err = http.Post(ts.URL+"/api/content/files", "application/octet-stream", bytes.NewReader(file))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "a body that is not JSON answers the exchange recorded with one")
}

// TestRecorderFlushIsAtomic reads the capsule file while exchanges are recorded and flushed
// concurrently: every read must see a complete, valid capsule.
func TestRecorderFlushIsAtomic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rec.capsule.json")
	rec := NewRecorder(path, Capsule{Contract: "sha256:x", Profile: "live-2026", Source: "test"})
	require.NoError(t, rec.Flush(), "an empty recording is still a valid file")

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 5 {
				raw := authExchange("u@x.io", "pw", testJWT, testRefresh)
				raw.ResponseBody = []byte(`{"n":` + strings.Repeat("1", w+i+1) + `,"pad":"` + strings.Repeat("x", 4096) + `"}`)
				raw.ResponseHeader = http.Header{}
				_, err := rec.Record(raw)
				assert.NoError(t, err)
				assert.NoError(t, rec.Flush())
			}
		})
	}
	done := make(chan struct{})
	reads := 0
	go func() {
		defer close(done)
		for rec.Len() < 20 {
			data, err := os.ReadFile(path)
			if !assert.NoError(t, err) {
				return
			}
			var c Capsule
			if !assert.NoError(t, json.Unmarshal(data, &c), "a reader never sees a half-written file") {
				return
			}
			reads++
		}
	}()
	wg.Wait()
	<-done
	require.NoError(t, rec.Flush())
	got, err := Load(path)
	require.NoError(t, err)
	assert.Len(t, got.Exchanges, 20, "the last flush holds every exchange")
	assert.Equal(t, "live-2026", got.Profile)
	assert.Equal(t, KindAppToken, got.Redactions["<app-token-1>"])
	assert.NotContains(t, got.Exchanges[0].RequestHeaders["x-app-token"], "real")
	t.Logf("%d concurrent reads", reads)
}

func TestContractVersion(t *testing.T) {
	t.Parallel()
	a := ContractVersion([]byte("openapi: 3.0.3"))
	assert.True(t, strings.HasPrefix(a, "sha256:"))
	assert.Len(t, a, len("sha256:")+64)
	assert.NotEqual(t, a, ContractVersion([]byte("openapi: 3.0.4")))
}

// A rename that fails midway (the folder changed meanwhile) puts back the files already
// replaced and removes those already added: the folder is as it was.
func TestWriteDirPutsBackWhatItReplacedWhenARenameFails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte("old a"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.json"), []byte("old c"), 0o644))
	before := testkit.Files(t, dir)
	set := &FixtureSet{Files: map[string][]byte{"a.json": []byte("new"), "b.json": []byte("new"), "c.json": []byte("new")}}

	calls := 0
	rename = func(from, to string) error {
		if calls++; calls == 3 {
			return errors.New("the folder changed")
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
	require.ErrorContains(t, set.WriteDir(dir), "the folder changed")
	assert.Equal(t, before, testkit.Files(t, dir), "no file replaced or added, nothing left beside them")
}

// An e-mail read before the code it holds is sent keeps no code once the code is known, and a
// code is replaced where it stands as a word, not inside a longer number.
func TestRecorderReplacesACodeInWhatWasRecordedBeforeIt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.json")
	rec := NewRecorder(path, Capsule{Contract: "sha256:x", Profile: "live-2026"})
	mail := RawExchange{Method: "GET", Path: "/__admin/mail", Status: 200,
		ResponseBody: []byte(`{"items":[{"subject":"Confirm your e-mail address: 227257","text":"Your code is 227257.\nOrder 1227257 is kept."}]}`)}
	_, err := rec.Record(mail)
	require.NoError(t, err)
	require.NoError(t, rec.Flush())
	_, err = rec.Record(RawExchange{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/activate", Status: 200,
		RequestBody: []byte(`{"code":"227257"}`)})
	require.NoError(t, err)
	_, err = rec.Record(mail)
	require.NoError(t, err)
	require.NoError(t, rec.Flush())

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	c, err := Read(f)
	require.NoError(t, err)
	require.Len(t, c.Exchanges, 3)
	want := `{"items":[{"subject":"Confirm your e-mail address: <one-time-code-1>","text":"Your code is <one-time-code-1>.\nOrder 1227257 is kept."}]}`
	assert.JSONEq(t, want, string(c.Exchanges[0].ResponseBody), "recorded before the code was known")
	assert.JSONEq(t, `{"code":"<one-time-code-1>"}`, string(c.Exchanges[1].RequestBody))
	assert.JSONEq(t, want, string(c.Exchanges[2].ResponseBody), "recorded after")
	assert.NotContains(t, strings.ReplaceAll(fmt.Sprint(c.Exchanges), "1227257", ""), "227257")
}
