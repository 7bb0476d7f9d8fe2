package exchange

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCleanPathAndRoute(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, clean, route string }{
		"clean":         {"/api/content/orders", "/api/content/orders", "/api/content/orders"},
		"double slash":  {"//api/content//orders", "/api/content/orders", "/api/content/orders"},
		"many slashes":  {"///api///x", "/api/x", "/api/x"},
		"numeric":       {"/api/content/orders-storage/marker/t/orders/92", "/api/content/orders-storage/marker/t/orders/92", "/api/content/orders-storage/marker/t/orders/{n}"},
		"adjacent nums": {"//a/1/2", "/a/1/2", "/a/{n}/{n}"},
		"empty":         {"", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.clean, CleanPath(tc.in))
			assert.Equal(t, tc.route, Route(tc.in))
		})
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body    string
		max     int
		secrets []string
		js      string
		text    string
		cut     bool
	}{
		"empty":  {body: "  ", js: "", text: ""},
		"tokens": {body: `{"accessToken": "a.b.c", "RefreshToken":"r", "user":"u"}`, js: `{"accessToken":"[redacted]","RefreshToken":"[redacted]","user":"u"}`},
		"keys of journal and reports": {
			body: `{"password":"p","password1":"p","password2":"p","token":"t","code":123456,"clientSecret":"c","client_secret":"c","signingSecret":"s","tokenSecretKey":"k","signingSecretKey":"k"}`,
			js:   `{"password":"[redacted]","password1":"[redacted]","password2":"[redacted]","token":"[redacted]","code":"[redacted]","clientSecret":"[redacted]","client_secret":"[redacted]","signingSecret":"[redacted]","tokenSecretKey":"[redacted]","signingSecretKey":"[redacted]"}`,
		},
		"auth data password": {
			body: `{"authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"Password_reg","value":"secret1"}]}`,
			js:   `{"authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"Password_reg","value":"[redacted]"}]}`,
		},
		"code sign-in": {
			body: `{"authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"code","value":"482913"},{"value":"1","marker":"email_code"}]}`,
			js:   `{"authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"code","value":"[redacted]"},{"value":"[redacted]","marker":"email_code"}]}`,
		},
		"credentials not sent as strings": {
			body: `{"authData":[{"marker":"password_reg","value":987654},{"marker":"pass2","value":["a", "b"]}],"password1":["p1"],"password2":[],"codes":[1]}`,
			js:   `{"authData":[{"marker":"password_reg","value":"[redacted]"},{"marker":"pass2","value":"[redacted]"}],"password1":"[redacted]","password2":"[redacted]","codes":[1]}`,
		},
		"key order kept": {body: `{"b":1,"a":2}`, js: `{"b":1,"a":2}`},
		"known secrets":  {body: `{"sid":"s3cr3t-value","other":"x"}`, secrets: []string{"s3cr3t-value"}, js: `{"sid":"[redacted]","other":"x"}`},
		"text":           {body: `token=abc "password":"p" s3cr3t`, secrets: []string{"s3cr3t"}, text: `token=abc "password":"[redacted]" [redacted]`},
		"form":           {body: `password=P&refreshToken=R&code=C&x=1`, text: `password=[redacted]&refreshToken=[redacted]&code=[redacted]&x=1`},
		"not JSON, spaced": {body: `{"authData": [{"marker": "password_reg", "value": "P"}], "password": "Q"} x`,
			text: `{"authData": [{"marker": "password_reg", "value": "[redacted]"}], "password": "[redacted]"} x`},
		"value before marker": {body: `{"authData":[{"value":"P","marker":"password_reg"},{"value":"a@b.c","marker":"email_reg"}]}`,
			js: `{"authData":[{"value":"[redacted]","marker":"password_reg"},{"value":"a@b.c","marker":"email_reg"}]}`},
		"names of every spelling": {body: `{"nested":{"access_token":"A","refresh_token":"R","newPassword":"N","idToken":"I","apiKey":"K","webhookSecret":"W","couponCode":"C","tokens":2}}`,
			js: `{"nested":{"access_token":"[redacted]","refresh_token":"[redacted]","newPassword":"[redacted]","idToken":"[redacted]","apiKey":"[redacted]","webhookSecret":"[redacted]","couponCode":"C","tokens":2}}`},
		"form data password": {body: `{"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ann"},{"marker":"password_reg","type":"string","value":"P"},{"value":"Q","type":"string","marker":"pass2"}]}}`,
			js: `{"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ann"},{"marker":"password_reg","type":"string","value":"[redacted]"},{"value":"[redacted]","type":"string","marker":"pass2"}]}}`},
		"multipart": {body: "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter3333y\r\n--b\r\ncontent-disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n",
			text: "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n[redacted]\r\n--b\r\ncontent-disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"},
		"truncated": {body: `{"password":"p","x":"0123456789"}`, max: 20,
			text: `{"password":"[redacted]",`, cut: true},
		// A cut may split a secret's value, its key or the marker naming it: what it split goes.
		"cut in a password": {body: `{"n":1,"password":"S3CRET,VALUE"}`, max: 26, text: `{"n":1,`, cut: true},
		"cut in an entry's value": {body: `{"authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"password_reg","value":"123456"}]}`, max: 90,
			text: `{"authData":[{"marker":"email_reg","value":"a@b.c"},`, cut: true},
		"cut in an entry's marker": {body: `{"authData":[{"value":"123456","marker":"password_reg"}]}`, max: 40,
			text: `{"authData":[`, cut: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			js, text, cut := Mask([]byte(tc.body), tc.max, tc.secrets)
			assert.Equal(t, tc.js, string(js))
			assert.Equal(t, tc.text, text)
			assert.Equal(t, tc.cut, cut)
		})
	}
}

// A form entry holds a one-time code when its marker is "code" or ends in "_code", in any case,
// as Mask's marker rule has it; the capsule's redaction asks IsCodeMarker.
func TestIsCodeMarker(t *testing.T) {
	t.Parallel()
	for marker, want := range map[string]bool{
		"code": true, "Code": true, "email_code": true, "SMS_CODE": true,
		"couponCode": false, "zipcode": false, "code_reg": false, "codes": false, "": false,
	} {
		assert.Equal(t, want, IsCodeMarker(marker), marker)
	}
	js, _, _ := Mask([]byte(`{"authData":[{"marker":"SMS_CODE","value":"482913"}]}`), 0, nil)
	assert.JSONEq(t, `{"authData":[{"marker":"SMS_CODE","value":"[redacted]"}]}`, string(js), "the journal masks what IsCodeMarker names")
}

func TestMaskHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{
		"Content-Type":  {"application/json"},
		"X-App-Token":   {"your-app-token"},
		"Authorization": {"Bearer x.y.z"},
		"Cookie":        {"sid=1"},
	}
	assert.Equal(t, map[string]string{
		"content-type":  "application/json",
		"x-app-token":   "your…en",
		"authorization": "Bearer [redacted]",
	}, MaskHeaders(h, "Content-Type", "X-App-Token", "Authorization", "Origin"))
	assert.Equal(t, map[string]string{"authorization": "[redacted]", "x-app-token": "[redacted]"},
		MaskHeaders(http.Header{"Authorization": {"bare-token-value"}, "X-App-Token": {"short"}}, "authorization", "x-app-token"),
		"a value without a scheme and a short token show nothing")
	assert.Equal(t, map[string]string{"content-type": "text/plain", "access-control-allow-origin": "*"},
		ResponseHeaders(http.Header{"Content-Type": {"text/plain"}, "Access-Control-Allow-Origin": {"*"}, "Set-Cookie": {"x=y"}}))
}

func TestExchangeAccessors(t *testing.T) {
	t.Parallel()
	e := Exchange{Method: "POST", Path: "/api/content/payments/sessions", Query: "a=1", Status: 201,
		RequestText: "raw", ResponseBody: []byte(`{"id":1}`), ResponseHeaders: map[string]string{"content-type": "application/json"}}
	assert.Equal(t, "POST /api/content/payments/sessions?a=1 → 201", e.String())
	assert.Equal(t, "raw", string(e.RequestPayload()))
	assert.Equal(t, `{"id":1}`, string(e.Body()))
	assert.Equal(t, "application/json", e.Header().Get("Content-Type"))
	assert.InDelta(t, 1.5, Millis(1500*time.Microsecond), 1e-9)
}

func TestWriteJUnitCounts(t *testing.T) {
	t.Parallel()
	doc := Suites{Name: "r", Suites: []Suite{
		{Name: "a", Time: "1.000", Cases: []Case{
			{ClassName: "a", Name: "ok", Time: "0"},
			{ClassName: "a", Name: "bad", Time: "0", Failure: &Problem{Message: "m", Type: "step", Text: "<details>"}},
			{ClassName: "a", Name: "skip", Time: "0", Skipped: &Problem{Message: "why"}},
		}},
		{Name: "b", Time: "0", Cases: []Case{{ClassName: "b", Name: "(flow)", Time: "0", Error: &Problem{Message: "e", Type: "flow"}}}},
	}}
	var buf bytes.Buffer
	require.NoError(t, WriteJUnit(&buf, &doc))
	require.True(t, strings.HasPrefix(buf.String(), xml.Header))
	back, err := ReadJUnit(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, []int{4, 1, 1, 1}, []int{back.Tests, back.Failures, back.Errors, back.Skipped})
	assert.Equal(t, []int{3, 1, 0, 1}, []int{back.Suites[0].Tests, back.Suites[0].Failures, back.Suites[0].Errors, back.Suites[0].Skipped})
	assert.Equal(t, "<details>", back.Suites[0].Cases[1].Failure.Text)
	assert.NotContains(t, buf.String(), "<properties>", "no empty properties element")
}

func TestReadJUnitRefusesWhatCISystemsMiss(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"missing attribute": `<testsuites tests="1" failures="0" errors="0"><testsuite name="a" tests="1" failures="0" errors="0" skipped="0" time="0"><testcase name="x" time="0"></testcase></testsuite></testsuites>`,
		"wrong count":       `<testsuites tests="2" failures="0" errors="0"><testsuite name="a" tests="1" failures="0" errors="0" skipped="0" time="0"><testcase classname="a" name="x" time="0"></testcase></testsuite></testsuites>`,
		"not xml":           `<testsuites`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadJUnit([]byte(doc))
			assert.Error(t, err)
		})
	}
}

func TestMaskPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ route, path, want string }{
		{"POST /api/content/users/me/fcm-token/{token}", "/api/content/users/me/fcm-token/abc", "/api/content/users/me/fcm-token/" + Redacted},
		{"/checkout/{token}/{session}", "/checkout/app-1/7", "/checkout/" + Redacted + "/7"},
		{"/a/{clientSecret:[a-z]+}/b", "/a/xyz/b", "/a/" + Redacted + "/b"},
		{"GET /api/content/forms/marker/{marker}", "/api/content/forms/marker/tickets_form", "/api/content/forms/marker/tickets_form"},
		{"/a/{api_token}/b", "/a/x/y/b", "/a/" + Redacted},
		{"", "/api/content/users/me/fcm-token/abc", "/api/content/users/me/fcm-token/abc"},
		{"/a/{token", "/a/x", "/a/x"},
		{"POST /api/content/users/me/fcm-token/{token}", "//api/content/users/me/fcm-token/abc", "//api/content/users/me/fcm-token/" + Redacted},
	} {
		assert.Equal(t, tc.want, MaskPath(tc.route, tc.path), tc.route)
	}
}

// A path that comes with no route is masked under the credential route it fits.
func TestMaskUnroutedPath(t *testing.T) {
	t.Parallel()
	const fcm = "/api/content/users/me/fcm-token/"
	for path, want := range map[string]string{
		fcm + "abc":                  fcm + Redacted,
		"/" + fcm + "abc/":           "/" + fcm + Redacted + "/",
		fcm + "a/b":                  fcm + Redacted,
		"/checkout/app-1/cs_7":       "/checkout/" + Redacted + "/cs_7",
		"/checkout/app-1/cs_7/pay":   "/checkout/" + Redacted + "/cs_7/pay",
		"/checkout/app-1/cs_7/pay/x": "/checkout/" + Redacted,
		"/cloud-static/app-1/files/project/page/1/2/a.png":  "/cloud-static/" + Redacted + "/files/project/page/1/2/a.png",
		"/oauth/app-1/google":                               "/oauth/" + Redacted + "/google",
		"/__admin/sandboxes/app-1":                          "/__admin/sandboxes/" + Redacted,
		"/api/content/users/me":                             "/api/content/users/me",
		"/api/content/users/me/fcm-token":                   "/api/content/users/me/fcm-token",
		"/cloud-static/content/a.png":                       "/cloud-static/content/a.png",
		"/cloud-static/content/a/b/c/d/e/f/g/photo.svg":     "/cloud-static/content/a/b/c/d/e/f/g/photo.svg",
		"/cloud-static/files/project/product/1/2/3/4/x.png": "/cloud-static/files/project/product/1/2/3/4/x.png",
		"/cloud-static/a/b/files/project/page/1/2/a.png":    "/cloud-static/" + Redacted,
		"/api/content/pages/reset-password/forms":           "/api/content/pages/reset-password/forms",
		"/api/content/attributes-sets/code/attributes":      "/api/content/attributes-sets/code/attributes",
	} {
		assert.Equal(t, want, MaskUnroutedPath(path), path)
	}
	segments, toEnd := SecretSegments("//checkout/app-1/cs_7")
	assert.Equal(t, []int{3}, segments)
	assert.False(t, toEnd)
	segments, toEnd = SecretSegments(fcm + "a/b")
	assert.Equal(t, []int{6}, segments)
	assert.True(t, toEnd)
}

func TestMaskQuery(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"":                                                    "",
		"langCode=en_US&offset=0":                             "langCode=en_US&offset=0",
		"token=abc&langCode=en_US":                            "token=[redacted]&langCode=en_US",
		"Access_Token=a&refresh-token=b&x=1":                  "Access_Token=[redacted]&refresh-token=[redacted]&x=1",
		"code=1234&client_secret=s&PASSWORD":                  "code=[redacted]&client_secret=[redacted]&PASSWORD",
		"my%5Fsecret=s&apiKey=k&newPassword=p":                "my%5Fsecret=[redacted]&apiKey=[redacted]&newPassword=[redacted]",
		"password2=p&signing_secret_key=k":                    "password2=[redacted]&signing_secret_key=[redacted]",
		"codes=1&tokens=2&secretary=3":                        "codes=1&tokens=2&secretary=3",
		"id_token=q&token[]=a&user%5Bpassword%5D=b&a=1;jwt=s": "id_token=[redacted]&token[]=[redacted]&user%5Bpassword%5D=[redacted]&a=1;jwt=[redacted]",
	} {
		if got := MaskQuery(raw); got != want {
			t.Errorf("MaskQuery(%q) = %q, want %q", raw, got, want)
		}
	}
}

type ctxKey struct{}

func TestRequestBodyReadOnceAndReplayed(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest(http.MethodPost, "http://x/api/content/orders", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	data, err := ReadRequestBody(req)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(data))

	ctx := context.WithValue(t.Context(), ctxKey{}, "v")
	clone := WithBody(ctx, req, data)
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
		data, err := ReadRequestBody(req)
		require.NoError(t, err, name)
		assert.Nil(t, data, name)
		clone := WithBody(t.Context(), req, data)
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
	data, complete, err := BufferResponse(resp, 64)
	require.NoError(t, err)
	assert.True(t, complete)
	assert.Equal(t, `{"ok":true}`, string(data))
	again, _ := io.ReadAll(resp.Body)
	assert.Equal(t, data, again, "the caller still reads the whole body")

	broken := &failingReader{}
	_, _, err = BufferResponse(&http.Response{Body: broken}, 64)
	assert.ErrorContains(t, err, "connection reset")
	assert.True(t, broken.closed, "the body is closed even when reading it fails")

	// Beyond max only max is held; the caller still reads all the server sent.
	long := strings.Repeat("x", 100)
	rest := &closeCounter{Reader: strings.NewReader(long)}
	resp = &http.Response{Body: rest}
	data, complete, err = BufferResponse(resp, 10)
	require.NoError(t, err)
	assert.False(t, complete)
	assert.Equal(t, long[:10], string(data))
	again, _ = io.ReadAll(resp.Body)
	assert.Equal(t, long, string(again))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 1, rest.closed)
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }
