package mail

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixedDate = time.Date(2025, 4, 26, 13, 30, 0, 0, time.UTC)

func cyrillicDraft() Draft {
	return Draft{
		RequestID: "req-42",
		From:      DefaultFrom,
		To:        []string{"Иван Петров <ivan@example.test>", "second@example.test"},
		Subject:   "Ваш билет: Бронзовый, 26 апреля 2025, 16:30–18:00 MSK",
		Text:      "Здравствуйте, Иван!\n\nБилет: Бронзовый\nКод: TKT-AB12-CD34\n",
		HTML:      "<p>Здравствуйте, <b>Иван</b>!</p>\n<p>Билет: Бронзовый</p>",
		Date:      fixedDate,
		MessageID: "order-92@oneentry-mock.test",
		Headers:   map[string]string{"x-oneentry-event": "ticket", "X-Title": "Бронзовый"},
	}
}

// decodeStd decodes a part with the standard library only, independently of Parse.
func decodeStd(t *testing.T, p *multipart.Part) (mediaType, charset, body string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
	require.NoError(t, err)
	var r io.Reader = p
	switch p.Header.Get("Content-Transfer-Encoding") {
	case "quoted-printable":
		r = quotedprintable.NewReader(p)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, p)
	default:
		t.Fatalf("unexpected transfer encoding %q", p.Header.Get("Content-Transfer-Encoding"))
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, bytes.Count(b, []byte("\n")), bytes.Count(b, []byte("\r\n")), "text must use CRLF line breaks: %q", b)
	return mt, params["charset"], strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestBuildMultipartParsesWithStandardLibrary(t *testing.T) {
	t.Parallel()
	d := cyrillicDraft()
	m, err := Build(d)
	require.NoError(t, err)

	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	require.NoError(t, err)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, d.Subject, subject)
	assert.Contains(t, msg.Header.Get("Subject"), "=?utf-8?b?", "Cyrillic subject must be RFC 2047 B-encoded")
	assert.Equal(t, "<order-92@oneentry-mock.test>", msg.Header.Get("Message-Id"))
	assert.Equal(t, "1.0", msg.Header.Get("Mime-Version"))
	assert.Equal(t, "req-42", msg.Header.Get("X-Request-Id"))
	assert.Equal(t, "ticket", msg.Header.Get("X-Oneentry-Event"))
	title, err := dec.DecodeHeader(msg.Header.Get("X-Title"))
	require.NoError(t, err)
	assert.Equal(t, "Бронзовый", title)
	date, err := msg.Header.Date()
	require.NoError(t, err)
	assert.True(t, fixedDate.Equal(date), "date %v", date)
	to, err := msg.Header.AddressList("To")
	require.NoError(t, err)
	require.Len(t, to, 2)
	assert.Equal(t, "Иван Петров", to[0].Name)
	assert.Equal(t, "ivan@example.test", to[0].Address)
	from, err := msg.Header.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, "no-reply@oneentry-mock.test", from[0].Address)

	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mt)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var got [][3]string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		mt, cs, body := decodeStd(t, p)
		got = append(got, [3]string{mt, cs, body})
	}
	require.Equal(t, [][3]string{
		{"text/plain", "utf-8", d.Text},
		{"text/html", "utf-8", d.HTML},
	}, got)
}

func TestBuildRawIsWellFormed(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Бронзовый билет на концерт ", 12)
	m, err := Build(Draft{
		From: DefaultFrom, To: []string{"a@example.test"}, Date: fixedDate,
		Subject: "A fairly long English subject line that certainly needs folding " + strings.Repeat("word ", 20),
		Text:    long + "\n" + strings.Repeat("x", 300) + "\n= sign and trailing space \n",
		HTML:    "<p>" + long + "</p>",
	})
	require.NoError(t, err)

	sc := bufio.NewScanner(bytes.NewReader(m.Raw))
	sc.Split(splitCRLF(t))
	for sc.Scan() {
		assert.LessOrEqual(t, len(sc.Text()), 78, "line too long: %q", sc.Text())
		for _, c := range []byte(sc.Text()) {
			assert.True(t, c == '\t' || (c >= ' ' && c <= '~'), "non-ASCII byte in %q", sc.Text())
		}
	}
	require.NoError(t, sc.Err())
	assert.True(t, bytes.HasSuffix(m.Raw, []byte("\r\n")))

	p, err := Parse(m.Raw)
	require.NoError(t, err)
	assert.Equal(t, m.Subject, p.Subject)
	assert.Equal(t, m.Text, p.Text)
	assert.Equal(t, m.HTML, p.HTML)
}

// splitCRLF splits lines on CRLF and fails the test on a bare CR or LF, which SMTP forbids.
func splitCRLF(t *testing.T) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
			line := data[:i]
			assert.False(t, bytes.ContainsAny(line, "\r\n"), "bare CR or LF in %q", line)
			return i + 2, line, nil
		}
		if atEOF && len(data) > 0 {
			assert.Failf(t, "unterminated line", "%q", data)
			return len(data), data, nil
		}
		return 0, nil, nil
	}
}

func TestBuildEncodings(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		text     string
		wantCTE  string
		wantText string
	}{
		"ascii":             {"Order #92 is paid.\n", "quoted-printable", "Order #92 is paid.\n"},
		"no final newline":  {"Order #92", "quoted-printable", "Order #92"},
		"mostly latin":      {"Your ticket for Бронзовый is confirmed; order #92 is paid, see you there! Doors open at 16:00.", "quoted-printable", "Your ticket for Бронзовый is confirmed; order #92 is paid, see you there! Doors open at 16:00."},
		"cyrillic":          {"Ваш билет подтверждён. Бронзовый.", "base64", "Ваш билет подтверждён. Бронзовый."},
		"crlf normalised":   {"a\r\nb\rc\n", "quoted-printable", "a\nb\nc\n"},
		"invalid utf-8":     {"one bad \xff byte in a longer line", "quoted-printable", "one bad \uFFFD byte in a longer line"},
		"trailing spaces":   {"line with spaces   \nnext", "quoted-printable", "line with spaces   \nnext"},
		"dot line for smtp": {"a\n.\nb\n", "quoted-printable", "a\n.\nb\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := Build(Draft{From: DefaultFrom, To: []string{"a@example.test"}, Subject: "s", Text: tc.text, Date: fixedDate})
			require.NoError(t, err)
			assert.Equal(t, tc.wantText, m.Text)

			msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
			require.NoError(t, err)
			assert.Equal(t, "text/plain; charset=utf-8", msg.Header.Get("Content-Type"))
			assert.Equal(t, tc.wantCTE, msg.Header.Get("Content-Transfer-Encoding"))

			p, err := Parse(m.Raw)
			require.NoError(t, err)
			require.Len(t, p.Parts, 1)
			assert.Equal(t, tc.wantText, p.Text)
			assert.Equal(t, tc.wantCTE, p.Parts[0].Encoding)
		})
	}
}

func TestBuildHTMLOnly(t *testing.T) {
	t.Parallel()
	m, err := Build(Draft{From: DefaultFrom, To: []string{"a@example.test"}, HTML: "<b>hi</b>", Date: fixedDate})
	require.NoError(t, err)
	p, err := Parse(m.Raw)
	require.NoError(t, err)
	require.Len(t, p.Parts, 1)
	assert.Equal(t, "text/html", p.Parts[0].ContentType)
	assert.Equal(t, "<b>hi</b>", p.HTML)
	assert.Empty(t, p.Text)
}

func TestBuildSubjects(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in, want string
	}{
		"plain":              {"Your ticket", "Your ticket"},
		"cyrillic":           {"Бронзовый", "Бронзовый"},
		"mixed":              {"Ticket: Бронзовый", "Ticket: Бронзовый"},
		"looks encoded":      {"=?utf-8?q?not_encoded?=", "=?utf-8?q?not_encoded?="},
		"header injection":   {"Hi\r\nBcc: victim@example.test", "Hi  Bcc: victim@example.test"},
		"long word":          {strings.Repeat("x", 200), strings.Repeat("x", 200)},
		"long cyrillic":      {strings.Repeat("Бронзовый ", 30), strings.TrimSpace(strings.Repeat("Бронзовый ", 30))},
		"double space kept":  {"a  b", "a  b"},
		"surrounding spaces": {"  padded  ", "padded"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := Build(Draft{From: DefaultFrom, To: []string{"a@example.test"}, Subject: tc.in, Text: "x", Date: fixedDate})
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.Subject)
			msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
			require.NoError(t, err)
			assert.Empty(t, msg.Header.Get("Bcc"))
			p, err := Parse(m.Raw)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.Subject)
		})
	}
}

func TestBuildIsDeterministicWithMessageID(t *testing.T) {
	t.Parallel()
	a, err := Build(cyrillicDraft())
	require.NoError(t, err)
	b, err := Build(cyrillicDraft())
	require.NoError(t, err)
	assert.Equal(t, a.Raw, b.Raw)
}

func TestBuildGeneratesMessageID(t *testing.T) {
	t.Parallel()
	d := cyrillicDraft()
	d.MessageID = ""
	a, err := Build(d)
	require.NoError(t, err)
	b, err := Build(d)
	require.NoError(t, err)
	assert.NotEqual(t, a.MessageID, b.MessageID)
	assert.True(t, strings.HasSuffix(a.MessageID, "@oneentry-mock.test"), a.MessageID)
	p, err := Parse(a.Raw)
	require.NoError(t, err)
	assert.Equal(t, a.MessageID, p.MessageID)
}

// The first instant the sandbox clock can show dates a message like any other.
func TestBuildDatesAtTheFirstInstant(t *testing.T) {
	t.Parallel()
	first := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	m, err := Build(Draft{From: DefaultFrom, To: []string{"a@example.test"}, Text: "x", Date: first})
	require.NoError(t, err)
	assert.True(t, first.Equal(m.Date), "date %v", m.Date)
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	require.NoError(t, err)
	assert.Equal(t, "Mon, 01 Jan 0001 00:00:00 +0000", msg.Header.Get("Date"))
}

func TestBuildDoesNotAliasInput(t *testing.T) {
	t.Parallel()
	d := cyrillicDraft()
	m, err := Build(d)
	require.NoError(t, err)
	d.To[0] = "changed@example.test"
	d.Headers["X-Title"] = "changed"
	assert.Equal(t, "Иван Петров <ivan@example.test>", m.To[0])
	assert.Equal(t, "Бронзовый", m.Headers["X-Title"])
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	ok := func() Draft {
		return Draft{From: DefaultFrom, To: []string{"a@example.test"}, Subject: "s", Text: "x", Date: fixedDate}
	}
	tests := map[string]func(*Draft){
		"bad from":            func(d *Draft) { d.From = "not an address" },
		"no recipients":       func(d *Draft) { d.To = nil },
		"bad recipient":       func(d *Draft) { d.To = []string{"a@example.test", "nope"} },
		"injected recipient":  func(d *Draft) { d.To = []string{"a@example.test\r\nBcc: b@example.test"} },
		"reserved header":     func(d *Draft) { d.Headers = map[string]string{"content-type": "text/plain"} },
		"bad header name":     func(d *Draft) { d.Headers = map[string]string{"X Bad": "v"} },
		"colon in name":       func(d *Draft) { d.Headers = map[string]string{"X-A:b": "v"} },
		"line break in value": func(d *Draft) { d.Headers = map[string]string{"X-A": "v\r\nBcc: x@example.test"} },
		"duplicate header":    func(d *Draft) { d.Headers = map[string]string{"X-A": "1", "x-a": "2"} },
		"bad message id":      func(d *Draft) { d.MessageID = "no at sign" },
		"request id break":    func(d *Draft) { d.RequestID = "a\nb" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := ok()
			mutate(&d)
			_, err := Build(d)
			require.ErrorIs(t, err, ErrInvalidMessage)
		})
	}
}

func TestFoldPointKeepsValueExact(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	value := strings.Repeat("abc ", 40) + "end"
	writeField(&b, "Subject", value)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	require.Greater(t, len(lines), 1)
	for _, l := range lines {
		assert.LessOrEqual(t, len(l), 78)
	}
	msg, err := mail.ReadMessage(strings.NewReader(b.String() + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, value, msg.Header.Get("Subject"))
}

func BenchmarkBuild(b *testing.B) {
	d := cyrillicDraft()
	d.Text = strings.Repeat(d.Text, 20)
	d.HTML = strings.Repeat(d.HTML, 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(d); err != nil {
			b.Fatal(err)
		}
	}
}
