package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultFrom is the sender the mock uses when a project configures none. The .test
// top-level domain is reserved (RFC 2606), so a relayed copy can never reach a real mailbox
// through a reply.
const DefaultFrom = "OneEntry <no-reply@oneentry-mock.test>"

// ErrInvalidMessage is wrapped by every error Build returns, so callers can tell a bad draft
// from an I/O failure with errors.Is.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Message is one e-mail the mock has sent. Text and HTML hold the bodies as they decode
// from Raw (line endings normalised to "\n"); Raw is the complete RFC 5322 document with
// CRLF line endings, exactly what a relay transmits after DATA.
type Message struct {
	// ID is assigned by the Outbox; it is empty until the message is added.
	ID string `json:"id"`
	// RequestID is the id of the HTTP request whose handling produced the message, so a test
	// can find the mail its own call caused.
	RequestID string            `json:"requestId,omitempty"`
	MessageID string            `json:"messageId"`
	From      string            `json:"from"`
	To        []string          `json:"to"`
	Subject   string            `json:"subject"`
	Text      string            `json:"text"`
	HTML      string            `json:"html,omitempty"`
	Date      time.Time         `json:"date"`
	Headers   map[string]string `json:"headers,omitempty"`
	// Raw is left out of JSON: it duplicates the other fields and is served on its own
	// (as Mailpit's /raw does) with the message/rfc822 media type.
	Raw []byte `json:"-"`
}

// Draft is the input to Build.
type Draft struct {
	RequestID string
	// From is an RFC 5322 address such as DefaultFrom or "a@b.test".
	From string
	// To lists one address per element.
	To      []string
	Subject string
	Text    string
	HTML    string
	// Date is the Date header, written as given: the sandbox clock's time, which can be the
	// zero time.Time (0001-01-01T00:00:00Z), so no value of it stands for "now".
	Date time.Time
	// MessageID is the Message-ID without angle brackets; empty means a random one.
	MessageID string
	// Headers are extra header fields (for example X-Oneentry-Event). The fields Build
	// writes itself cannot be overridden.
	Headers map[string]string
}

// requestIDHeader carries Message.RequestID in the raw message, so a copy seen in Mailpit
// can still be tied to the request that caused it.
const requestIDHeader = "X-Request-Id"

// reservedHeaders are written by Build from Draft fields; accepting them in Draft.Headers
// would produce duplicate or contradicting fields.
var reservedHeaders = map[string]bool{
	"Bcc": true, "Cc": true, "Content-Transfer-Encoding": true, "Content-Type": true,
	"Date": true, "From": true, "Message-Id": true, "Mime-Version": true, "Reply-To": true,
	"Sender": true, "Subject": true, "To": true, requestIDHeader: true,
}

// Build validates d and composes its MIME document: multipart/alternative with a
// text/plain and a text/html part when both bodies are set, a single part otherwise. Bodies
// are UTF-8, quoted-printable or base64, whichever is shorter; a non-ASCII Subject is
// RFC 2047-encoded. Build is deterministic when d.Date and d.MessageID are set.
func Build(d Draft) (Message, error) {
	from, err := mail.ParseAddress(d.From)
	if err != nil {
		return Message{}, fmt.Errorf("%w: from %q: %v", ErrInvalidMessage, d.From, err)
	}
	if len(d.To) == 0 {
		return Message{}, fmt.Errorf("%w: no recipients", ErrInvalidMessage)
	}
	to := make([]*mail.Address, len(d.To))
	for i, s := range d.To {
		if to[i], err = mail.ParseAddress(s); err != nil {
			return Message{}, fmt.Errorf("%w: to %q: %v", ErrInvalidMessage, s, err)
		}
	}
	extra, err := checkHeaders(d.Headers)
	if err != nil {
		return Message{}, err
	}
	if strings.ContainsAny(d.RequestID, "\r\n") {
		return Message{}, fmt.Errorf("%w: request id contains a line break", ErrInvalidMessage)
	}
	msgID := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(d.MessageID), "<"), ">")
	if msgID == "" {
		msgID = randomMessageID(from.Address)
	} else if !validMessageID(msgID) {
		return Message{}, fmt.Errorf("%w: message id %q", ErrInvalidMessage, d.MessageID)
	}
	date := d.Date
	m := Message{
		RequestID: d.RequestID,
		MessageID: msgID,
		From:      strings.TrimSpace(d.From),
		To:        make([]string, len(d.To)),
		Subject:   cleanSubject(d.Subject),
		Text:      normalizeBody(d.Text),
		HTML:      normalizeBody(d.HTML),
		Date:      date,
		Headers:   extra,
	}
	for i, s := range d.To {
		m.To[i] = strings.TrimSpace(s)
	}

	var b bytes.Buffer
	writeField(&b, "Date", date.Format(time.RFC1123Z))
	writeField(&b, "From", from.String())
	writeField(&b, "To", joinAddresses(to))
	writeField(&b, "Subject", encodeHeaderText(m.Subject))
	writeField(&b, "Message-ID", "<"+msgID+">")
	if m.RequestID != "" {
		writeField(&b, requestIDHeader, encodeHeaderText(m.RequestID))
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		writeField(&b, k, encodeHeaderText(extra[k]))
	}
	writeField(&b, "MIME-Version", "1.0")
	if err := writeBody(&b, m); err != nil {
		return Message{}, fmt.Errorf("mail: compose body: %w", err)
	}
	m.Raw = b.Bytes()
	return m, nil
}

func writeBody(b *bytes.Buffer, m Message) error {
	if m.HTML == "" || m.Text == "" {
		ctype, body := "text/plain", m.Text
		if m.Text == "" && m.HTML != "" {
			ctype, body = "text/html", m.HTML
		}
		enc := chooseEncoding(body)
		writeField(b, "Content-Type", ctype+"; charset=utf-8")
		writeField(b, "Content-Transfer-Encoding", enc)
		b.WriteString("\r\n")
		return encodeBody(b, enc, body)
	}

	mw := multipart.NewWriter(b)
	if err := mw.SetBoundary(boundaryFor(m.MessageID)); err != nil {
		return err
	}
	writeField(b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	// RFC 2046 §5.1.4: the last alternative is the preferred one, so HTML goes second.
	for _, p := range []struct{ ctype, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		enc := chooseEncoding(p.body)
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {enc},
		})
		if err != nil {
			return err
		}
		if err := encodeBody(w, enc, p.body); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	return nil
}

// boundaryFor derives the multipart boundary from the Message-ID, so equal drafts give
// equal bytes. "=_" can occur in neither quoted-printable nor base64 output, and every
// part is encoded with one of them, so the boundary can never collide with content.
func boundaryFor(messageID string) string {
	sum := sha256.Sum256([]byte(messageID))
	return "=_" + hex.EncodeToString(sum[:12])
}

// chooseEncoding picks the shorter transfer encoding: quoted-printable keeps mostly-ASCII
// text readable, base64 is about half the size for Cyrillic, where QP would triple each byte.
func chooseEncoding(s string) string {
	qp := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '=' || (c < ' ' && c != '\n' && c != '\t') {
			qp += 3
		} else {
			qp++
		}
	}
	if qp <= base64.StdEncoding.EncodedLen(len(s)+strings.Count(s, "\n")) {
		return "quoted-printable"
	}
	return "base64"
}

func encodeBody(w io.Writer, enc, body string) error {
	if enc == "base64" {
		// Text travels in canonical form (RFC 2046 §4.1.1): CRLF line breaks, also when
		// they are hidden inside base64.
		return writeBase64(w, []byte(strings.ReplaceAll(body, "\n", "\r\n")))
	}
	// Text mode: the writer turns every "\n" into CRLF and keeps lines within 76 columns.
	qw := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qw, body); err != nil {
		return err
	}
	if err := qw.Close(); err != nil {
		return err
	}
	// Every encoded body must end in CRLF: a multipart delimiter claims the CRLF before it,
	// and SMTP DATA would append one. A soft line break supplies it without adding a
	// newline to the decoded text.
	if body != "" && !strings.HasSuffix(body, "\n") {
		_, err := io.WriteString(w, "=\r\n")
		return err
	}
	return nil
}

// writeBase64 wraps at 76 columns as RFC 2045 §6.8 requires.
func writeBase64(w io.Writer, data []byte) error {
	const lineBytes = 57 // 57 input bytes encode to one 76-column line
	line := make([]byte, base64.StdEncoding.EncodedLen(lineBytes)+2)
	for len(data) > 0 {
		n := min(lineBytes, len(data))
		k := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line, data[:n])
		line[k], line[k+1] = '\r', '\n'
		if _, err := w.Write(line[:k+2]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// normalizeBody gives bodies one canonical form, so Message.Text equals what a parser
// decodes from Raw: valid UTF-8 (the parts declare charset=utf-8) and "\n" line endings.
func normalizeBody(s string) string {
	return normalizeNewlines(strings.ToValidUTF8(s, "\uFFFD"))
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// cleanSubject turns control characters into spaces: a CR or LF copied from an event
// title must not end the Subject field and start a header of its own.
func cleanSubject(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func checkHeaders(h map[string]string) (map[string]string, error) {
	if len(h) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		if k == "" || strings.IndexFunc(k, func(r rune) bool { return r <= ' ' || r > '~' || r == ':' }) >= 0 {
			return nil, fmt.Errorf("%w: header name %q", ErrInvalidMessage, k)
		}
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if reservedHeaders[ck] {
			return nil, fmt.Errorf("%w: header %s is written by Build", ErrInvalidMessage, ck)
		}
		if _, dup := out[ck]; dup {
			return nil, fmt.Errorf("%w: header %s given twice", ErrInvalidMessage, ck)
		}
		if strings.ContainsAny(v, "\r\n") || !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: header %s: value contains a line break or invalid UTF-8", ErrInvalidMessage, ck)
		}
		out[ck] = strings.TrimSpace(v)
	}
	return out, nil
}

// validMessageID accepts the dot-atom@domain-ish ids RFC 5322 §3.6.4 allows, loosely: the
// check only has to keep the field on one line and inside its angle brackets.
func validMessageID(id string) bool {
	return strings.Contains(id, "@") && !strings.ContainsFunc(id, func(r rune) bool {
		return r <= ' ' || r > '~' || r == '<' || r == '>'
	})
}

func randomMessageID(fromAddr string) string {
	domain := "oneentry-mock.test"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && validMessageID("x@"+fromAddr[i+1:]) {
		domain = fromAddr[i+1:]
	}
	return rand.Text() + "@" + domain
}

func joinAddresses(as []*mail.Address) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

// encodeHeaderText returns s as unstructured header text (RFC 5322 §3.2.5), using RFC 2047
// encoded-words when s is not plain printable ASCII. ASCII that merely looks like an
// encoded-word, or a word too long to fold, is encoded as well so readers decode it back to
// exactly s.
func encodeHeaderText(s string) string {
	ascii := true
	high := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			high++
		}
		if s[i] < ' ' || s[i] > '~' {
			ascii = false
		}
	}
	if ascii {
		if !strings.Contains(s, "=?") && longestWord(s) <= maxEncodedWord {
			return s
		}
		return encodeWordsB(s)
	}
	// Q keeps Latin text legible in the raw source; B is shorter once a third of the
	// bytes are non-ASCII (Cyrillic titles).
	if high*3 > len(s) {
		return mime.BEncoding.Encode("utf-8", s)
	}
	return mime.QEncoding.Encode("utf-8", s)
}

const maxEncodedWord = 75 // RFC 2047 §2

// encodeWordsB is B-encoding for the cases mime.WordEncoder leaves alone (plain ASCII): it
// splits s into encoded-words of at most 75 characters.
func encodeWordsB(s string) string {
	const prefix, suffix = "=?utf-8?b?", "?="
	maxRaw := (maxEncodedWord - len(prefix) - len(suffix)) / 4 * 3
	var words []string
	for len(s) > 0 {
		n := min(maxRaw, len(s))
		for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, prefix+base64.StdEncoding.EncodeToString([]byte(s[:n]))+suffix)
		s = s[n:]
	}
	return strings.Join(words, " ")
}

func longestWord(s string) int {
	longest := 0
	for w := range strings.FieldsSeq(s) {
		longest = max(longest, len(w))
	}
	return longest
}

// writeField writes "name: value" folded at single spaces to keep lines within 78
// columns (RFC 5322 §2.1.1). Folding only at a space between two non-space characters
// makes unfolding (which collapses the fold to one space) restore the value exactly.
func writeField(b *bytes.Buffer, name, value string) {
	const limit = 78
	b.WriteString(name)
	b.WriteString(": ")
	col := len(name) + 2
	for value != "" {
		if col+len(value) <= limit {
			b.WriteString(value)
			break
		}
		cut := foldPoint(value, limit-col)
		if cut <= 0 {
			b.WriteString(value)
			break
		}
		b.WriteString(value[:cut])
		b.WriteString("\r\n")
		value = value[cut:] // starts with the space that becomes the continuation's indent
		col = 0
	}
	b.WriteString("\r\n")
}

// foldPoint returns the index of the last single space in s within max bytes (or failing
// that, the first one after), or -1 when s cannot be folded.
func foldPoint(s string, max int) int {
	best := -1
	for i := 1; i < len(s)-1; i++ {
		if s[i] != ' ' || s[i-1] == ' ' || s[i+1] == ' ' {
			continue
		}
		if i > max && best > 0 {
			break
		}
		best = i
		if i > max {
			break
		}
	}
	return best
}
