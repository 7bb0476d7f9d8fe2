package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Parsed is a message decoded for display: header values with RFC 2047 words decoded, and
// every leaf MIME part with its transfer encoding undone.
type Parsed struct {
	// Header maps canonical field names to their decoded values, in message order.
	Header    map[string][]string `json:"headers"`
	MessageID string              `json:"messageId"`
	From      string              `json:"from"`
	To        []string            `json:"to"`
	Subject   string              `json:"subject"`
	// Date is zero when the Date field is missing or malformed.
	Date time.Time `json:"date"`
	// Text and HTML are the bodies of the first inline text/plain and text/html parts.
	Text  string `json:"text"`
	HTML  string `json:"html"`
	Parts []Part `json:"parts"`
}

// Part is one leaf of a MIME tree.
type Part struct {
	// ContentType is the lower-case media type without parameters, e.g. "text/plain".
	ContentType string `json:"contentType"`
	Charset     string `json:"charset,omitempty"`
	// Encoding is the Content-Transfer-Encoding as sent, lower case ("" when absent).
	Encoding string `json:"encoding,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Body is the decoded content: transfer encoding undone, UTF-8 for UTF-8, US-ASCII and
	// ISO-8859-1 text, the raw bytes for other charsets. Text parts use "\n" line endings
	// (CRLF and lone CR both become "\n").
	Body string `json:"body"`
}

// Limits that keep Parse cheap on hostile input: the admin API may one day parse mail the
// mock did not compose, and the fuzz target feeds it arbitrary bytes.
const (
	maxParts = 100
	maxDepth = 10
)

// ErrMalformed is wrapped by Parse errors caused by the message itself.
var ErrMalformed = errors.New("mail: malformed message")

// Parse reads an RFC 5322 message and decodes its headers and MIME parts.
func Parse(raw []byte) (Parsed, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Parsed{}, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	p := Parsed{Header: make(map[string][]string, len(msg.Header))}
	for k, vs := range msg.Header {
		dec := make([]string, len(vs))
		for i, v := range vs {
			dec[i] = decodeHeader(v)
		}
		p.Header[k] = dec
	}
	p.Subject = decodeHeader(msg.Header.Get("Subject"))
	p.MessageID = strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>")
	if d, err := msg.Header.Date(); err == nil {
		p.Date = d
	}
	if from := parseAddresses(msg.Header, "From"); len(from) > 0 {
		p.From = from[0]
	}
	p.To = parseAddresses(msg.Header, "To")

	w := walker{parsed: &p}
	if err := w.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
		return Parsed{}, err
	}
	return p, nil
}

type walker struct {
	parsed *Parsed
}

func (w *walker) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	mediaType, params := "text/plain", map[string]string{"charset": "us-ascii"} // RFC 2045 §5.2
	if ct := h.Get("Content-Type"); ct != "" {
		mt, ps, err := mime.ParseMediaType(ct)
		if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
			return fmt.Errorf("%w: content type %q: %v", ErrMalformed, ct, err)
		}
		mediaType, params = mt, ps
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			return fmt.Errorf("%w: multipart nested deeper than %d", ErrMalformed, maxDepth)
		}
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%w: %s without boundary", ErrMalformed, mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextRawPart: NextPart would decode quoted-printable itself and hide the
			// header, and Part.Encoding must report what was sent.
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrMalformed, mediaType, err)
			}
			if err := w.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	}

	if len(w.parsed.Parts) >= maxParts {
		return fmt.Errorf("%w: more than %d parts", ErrMalformed, maxParts)
	}
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	var r io.Reader
	switch enc {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &skipSpace{r: body})
	default: // 7bit, 8bit, binary, or unknown: taken as is
		r = body
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("%w: %s body (%s): %v", ErrMalformed, mediaType, enc, err)
	}

	charset := strings.ToLower(params["charset"])
	text := strings.HasPrefix(mediaType, "text/")
	content := string(data)
	if text {
		content = toUTF8(charset, data)
		content = normalizeNewlines(content)
	}
	part := Part{
		ContentType: mediaType,
		Charset:     charset,
		Encoding:    enc,
		Filename:    filename(h, params),
		Body:        content,
	}
	w.parsed.Parts = append(w.parsed.Parts, part)

	inline := part.Filename == "" && !strings.HasPrefix(strings.ToLower(h.Get("Content-Disposition")), "attachment")
	switch {
	case inline && mediaType == "text/plain" && w.parsed.Text == "":
		w.parsed.Text = content
	case inline && mediaType == "text/html" && w.parsed.HTML == "":
		w.parsed.HTML = content
	}
	return nil
}

// toUTF8 converts the charsets the standard library can without tables; anything else is
// returned unchanged and reported through Part.Charset.
func toUTF8(charset string, data []byte) string {
	switch charset {
	case "iso-8859-1", "latin1", "l1":
		var b strings.Builder
		b.Grow(len(data) * 2)
		for _, c := range data {
			b.WriteRune(rune(c))
		}
		return b.String()
	default:
		return string(data)
	}
}

func filename(h textproto.MIMEHeader, ctParams map[string]string) string {
	if cd := h.Get("Content-Disposition"); cd != "" {
		if _, ps, err := mime.ParseMediaType(cd); err == nil && ps["filename"] != "" {
			return ps["filename"]
		}
	}
	return ctParams["name"]
}

var wordDecoder = mime.WordDecoder{}

// decodeHeader decodes RFC 2047 words, keeping the raw value when they are broken or in a
// charset the standard library does not know.
func decodeHeader(v string) string {
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// parseAddresses renders each address as "Name <addr>" (or just addr), with the name
// decoded; a field net/mail cannot parse is returned decoded but otherwise as sent.
func parseAddresses(h mail.Header, key string) []string {
	v := h.Get(key)
	if v == "" {
		return nil
	}
	list, err := h.AddressList(key)
	if err != nil {
		return []string{decodeHeader(v)}
	}
	out := make([]string, len(list))
	for i, a := range list {
		if a.Name == "" {
			out[i] = a.Address
		} else {
			out[i] = a.Name + " <" + a.Address + ">"
		}
	}
	return out
}

// skipSpace drops the whitespace some encoders put into base64 bodies besides line
// breaks (trailing blanks, tabs); encoding/base64 itself skips only CR and LF.
type skipSpace struct {
	r io.Reader
}

func (s *skipSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}
