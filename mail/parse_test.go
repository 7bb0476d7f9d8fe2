package mail

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseBuiltMessage(t *testing.T) {
	t.Parallel()
	m, err := Build(cyrillicDraft())
	require.NoError(t, err)
	p, err := Parse(m.Raw)
	require.NoError(t, err)

	assert.Equal(t, m.Subject, p.Subject)
	assert.Equal(t, m.MessageID, p.MessageID)
	assert.True(t, m.Date.Equal(p.Date))
	assert.Equal(t, `OneEntry <no-reply@oneentry-mock.test>`, p.From)
	assert.Equal(t, []string{"Иван Петров <ivan@example.test>", "second@example.test"}, p.To)
	assert.Equal(t, []string{"Бронзовый"}, p.Header["X-Title"])
	assert.Equal(t, []string{"req-42"}, p.Header["X-Request-Id"])
	require.Len(t, p.Parts, 2)
	assert.Equal(t, Part{ContentType: "text/plain", Charset: "utf-8", Encoding: "base64", Body: m.Text}, p.Parts[0])
	assert.Equal(t, Part{ContentType: "text/html", Charset: "utf-8", Encoding: "base64", Body: m.HTML}, p.Parts[1])
	assert.Equal(t, m.Text, p.Text)
	assert.Equal(t, m.HTML, p.HTML)
}

func TestParseForeignMessages(t *testing.T) {
	t.Parallel()
	nested := crlf(`From: a@example.test
To: b@example.test
Subject: =?iso-8859-1?q?Caf=E9?=
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 cr=E8me
--inner
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<p>Café</p>
--inner--
--outer
Content-Type: application/pdf; name="ticket.pdf"
Content-Disposition: attachment; filename="ticket.pdf"
Content-Transfer-Encoding: base64

JVBE Rg==
--outer--
`)
	p, err := Parse(nested)
	require.NoError(t, err)
	assert.Equal(t, "Café", p.Subject)
	assert.Equal(t, "Café crème", p.Text)
	assert.Equal(t, "<p>Café</p>", p.HTML)
	require.Len(t, p.Parts, 3)
	assert.Equal(t, "iso-8859-1", p.Parts[0].Charset)
	assert.Equal(t, "8bit", p.Parts[1].Encoding)
	assert.Equal(t, Part{ContentType: "application/pdf", Encoding: "base64", Filename: "ticket.pdf", Body: "%PDF"}, p.Parts[2])

	plain, err := Parse(crlf("Subject: hi\n\nno content type\n"))
	require.NoError(t, err)
	require.Len(t, plain.Parts, 1)
	assert.Equal(t, Part{ContentType: "text/plain", Charset: "us-ascii", Body: "no content type\n"}, plain.Parts[0])
	assert.Equal(t, "no content type\n", plain.Text)
	assert.True(t, plain.Date.IsZero())
	assert.Empty(t, plain.To)
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	deep := "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	for range maxDepth + 1 {
		deep += "--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
	}
	many := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", maxParts+1) + "--b--\r\n"
	tests := map[string][]byte{
		"header without colon": crlf("no colon here\n\nbody"),
		"bad content type":     crlf("Content-Type: /\n\nx"),
		"multipart no bound":   crlf("Content-Type: multipart/mixed\n\nx"),
		"bad quoted-printable": crlf("Content-Transfer-Encoding: quoted-printable\n\nbad \x01 byte\n"),
		"bad base64":           crlf("Content-Transfer-Encoding: base64\n\n!!!!\n"),
		"too deep":             []byte(deep),
		"too many parts":       []byte(many),
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(raw)
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func FuzzParse(f *testing.F) {
	m, err := Build(cyrillicDraft())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Raw)
	f.Add(crlf("Subject: =?utf-8?b?0JE=?=\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nbody\n--x--\n"))
	f.Add(crlf("Content-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak=3D\n"))
	f.Add([]byte("\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if err != nil {
			return
		}
		if len(p.Parts) > maxParts {
			t.Fatalf("%d parts, limit %d", len(p.Parts), maxParts)
		}
		for _, part := range p.Parts {
			if strings.HasPrefix(part.ContentType, "text/") && strings.Contains(part.Body, "\r") {
				t.Fatalf("text part kept a CR: %q", part.Body)
			}
		}
	})
}

// FuzzBuildRoundTrip checks Build against Parse for arbitrary content: whatever Build
// accepts must decode back to the Message fields it reports.
func FuzzBuildRoundTrip(f *testing.F) {
	f.Add("Бронзовый", "Здравствуйте!\n", "<p>Привет</p>", "Иван")
	f.Add("=?utf-8?q?x?=", "a\r\n.\r\nb", "", "")
	f.Add(strings.Repeat("long subject ", 20), strings.Repeat("x", 200)+" \n", "<b>x</b>", "a\"b")
	f.Fuzz(func(t *testing.T, subject, text, html, name string) {
		m, err := Build(Draft{
			From:    DefaultFrom,
			To:      []string{(&mail.Address{Name: name, Address: "buyer@example.test"}).String()},
			Subject: subject, Text: text, HTML: html, Date: fixedDate, MessageID: "x@example.test",
		})
		if err != nil {
			t.Skip(err)
		}
		p, err := Parse(m.Raw)
		if err != nil {
			t.Fatalf("parse own output: %v\n%s", err, m.Raw)
		}
		if !utf8.ValidString(m.Subject) || p.Subject != m.Subject {
			t.Fatalf("subject %q, parsed %q", m.Subject, p.Subject)
		}
		if p.Text != m.Text || p.HTML != m.HTML {
			t.Fatalf("bodies differ:\ntext %q / %q\nhtml %q / %q", m.Text, p.Text, m.HTML, p.HTML)
		}
		if len(p.To) != 1 || !strings.HasSuffix(p.To[0], "buyer@example.test>") && p.To[0] != "buyer@example.test" {
			t.Fatalf("to %q", p.To)
		}
	})
}
