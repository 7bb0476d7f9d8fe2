package mockserver

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/internal/jsonscan"
	"github.com/oneentry-mock/oneentry-mock/internal/reqbody"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// The live API's body parsers (Express's JSON and URL-encoded ones, set up by NestJS) read a
// request's body before any route; this file is the mock's copy of them.

// readByBodyParser reports whether the live API's body parsers read the request's body, before
// any route: Express's JSON and URL-encoded ones, which NestJS sets up. Any other body is the
// route's to read.
func readByBodyParser(r *http.Request) bool {
	mt := mediaType(r)
	return mt == "application/json" || mt == "application/x-www-form-urlencoded"
}

// parseBody reads the body as the live API's body parser does: a JSON body in a charset that is
// not UTF is refused unread, one over maxBody refused, what is read is UTF-8 text, and JSON must
// parse in the parser's strict mode.
func (s *Server) parseBody(w http.ResponseWriter, r *http.Request, maxBody int64) ([]byte, error) {
	if err := unsupportedCharset(r); err != nil {
		return nil, err
	}
	if err := unsupportedEncoding(r); err != nil {
		return nil, err
	}
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return nil, err
	}
	text := body
	if readByBodyParser(r) {
		// The parser decodes the bytes to text before JSON.parse, dropping a leading byte order
		// mark as it does so (iconv-lite's UTF-8 decoder).
		text = bytes.TrimPrefix(text, utf8BOM)
	}
	if !utf8.Valid(text) && isJSONBody(r) { // the cheap test first: almost every body is UTF-8
		text = asUTF8Text(text)
	}
	if !bytes.Equal(text, body) {
		r.Body = io.NopCloser(bytes.NewReader(text))
	}
	return text, parsedStrictly(r, text)
}

// utf8BOM is the byte order mark in UTF-8, which some Windows tools put before a file's text.
var utf8BOM = []byte("\uFEFF")

// readBody reads the body, bounded by maxBody. One the body parser reads is inflated first when
// its Content-Encoding is gzip or deflate, as the parser inflates it, and the bound holds for
// the inflated bytes too, as the parser's limit does: a small body that inflates to gigabytes
// answers 413 once maxBody is passed.
func readBody(w http.ResponseWriter, r *http.Request, maxBody int64) ([]byte, error) {
	enc := contentEncoding(r)
	inflating := enc != "identity" && readByBodyParser(r)
	if r.Body == nil || r.Body == http.NoBody {
		if inflating && sendsBody(r) {
			// A declared but empty body is still inflated, and zlib finds it ends too soon.
			return nil, inflateError(io.EOF)
		}
		return nil, nil
	}
	src, length := io.Reader(http.MaxBytesReader(w, r.Body, maxBody)), r.ContentLength
	if length > maxBody {
		// Refused before a byte is read, as the parser's reader (raw-body) refuses a declared
		// length over its limit: a client that sends a little and waits gets its answer.
		return nil, store.Errorf(store.CodeTooLarge, "request entity too large")
	}
	if inflating {
		inflated, err := inflater(enc, src)
		if err != nil {
			return nil, inflateError(err)
		}
		src, length = http.MaxBytesReader(w, io.NopCloser(inflated), maxBody), -1
	}
	data, err := reqbody.Read(src, length, maxBody)
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return nil, store.Errorf(store.CodeTooLarge, "request entity too large")
		case inflating:
			return nil, inflateError(err)
		}
		return nil, store.Errorf(store.CodeInvalid, "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// contentEncoding is the request's Content-Encoding as the body parser reads it: its header
// lines joined as Node joins them, in lower case, identity when there is none.
func contentEncoding(r *http.Request) string {
	enc := strings.ToLower(strings.Join(r.Header.Values("Content-Encoding"), ", "))
	if enc == "" {
		return "identity"
	}
	return enc
}

// unsupportedEncoding refuses a body the body parser reads in a content encoding it cannot
// inflate, before it reads a byte, with body-parser 1.x's message. body-parser 2.x would inflate
// br too; Go's standard library has no brotli decoder, and one encoding no SDK sends is not
// worth a dependency.
func unsupportedEncoding(r *http.Request) error {
	if !readByBodyParser(r) || !sendsBody(r) {
		return nil
	}
	switch enc := contentEncoding(r); enc {
	case "identity", "gzip", "deflate":
		return nil
	default:
		return store.Errorf(store.CodeUnsupported, "unsupported content encoding \"%s\"", enc)
	}
}

// inflater reads src in the content encoding enc, gzip or deflate (zlib's format, as Node's
// createInflate reads it).
func inflater(enc string, src io.Reader) (io.Reader, error) {
	if enc == "gzip" {
		return gzip.NewReader(src)
	}
	return zlib.NewReader(src)
}

// inflatedView is a body as the body parser reads it, for the journal and the faults'
// bodyContains, which see the bytes as sent: inflated, up to limit bytes, when its
// Content-Encoding is gzip or deflate; as sent otherwise, and when it does not inflate. A body
// the journal kept only the start of inflates as far as that start goes.
func inflatedView(r *http.Request, raw []byte, limit int64) []byte {
	enc := contentEncoding(r)
	if len(raw) == 0 || enc != "gzip" && enc != "deflate" || !readByBodyParser(r) {
		return raw
	}
	rd, err := inflater(enc, bytes.NewReader(raw))
	if err != nil {
		return raw
	}
	out, _ := io.ReadAll(io.LimitReader(rd, limit))
	if len(out) == 0 {
		return raw
	}
	return out
}

// inflateError words a body that does not inflate as Node's zlib does, which is what the live
// body parser answers (400). Go's decoders tell apart fewer failures than zlib: any other
// corruption gets zlib's general "data error".
func inflateError(err error) error {
	msg := "data error"
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		msg = "incorrect header check"
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		msg = "incorrect data check"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "unexpected end of file"
	}
	return store.Errorf(store.CodeInvalid, "%s", msg)
}

// parsedStrictly checks a body as the live API's body parser does before any route runs: a
// JSON body must parse, as an object or an array (the parser's strict mode), whether or not the
// operation takes one (one that does not then ignores it), and nest no deeper than the mock
// reads. An empty body is the parser's {}, but one of white space only is not: its strict check
// finds no first character and JSON.parse is left with nothing.
func parsedStrictly(r *http.Request, body []byte) error {
	if len(body) == 0 {
		return nil
	}
	start := len(body) - len(bytes.TrimLeft(body, jsonSpace))
	if start == len(body) {
		if mediaType(r) == "application/json" {
			return store.Errorf(store.CodeInvalid, "Unexpected end of JSON input")
		}
		return nil
	}
	container := body[start] == '{' || body[start] == '['
	if container && isJSONBody(r) && nestedDeeper(body, maxBodyDepth) {
		return store.Errorf(store.CodeInvalid, "request body nests more than %d levels", maxBodyDepth)
	}
	if mediaType(r) != "application/json" {
		return nil
	}
	if !json.Valid(body) {
		return store.Errorf(store.CodeInvalid, "%s", jsonSyntaxMessage(body))
	}
	if !container {
		return store.Errorf(store.CodeInvalid, "%s", unexpectedToken(body, start))
	}
	return nil
}

// jsonSpace is the white space JSON allows around a value, which the parser's strict check
// skips; other space (a form feed, U+00A0) is a character JSON.parse stops at.
const jsonSpace = " \t\n\r"

// maxBodyDepth bounds how deep a JSON body nests. Whatever a request stores must export and
// import again, and the state document holds a value a few levels deeper than its body did,
// where encoding/json reads 10000 at most; no site sends a tenth of this.
const maxBodyDepth = 1000

// nestedDeeper reports whether JSON text nests arrays and objects more than max levels deep.
func nestedDeeper(text []byte, max int) bool {
	depth := 0
	jsonscan.Outside(text, func(_ int, c byte) bool {
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		return depth <= max
	})
	return depth > max
}

// asUTF8Text reads body as the live API's body parser does before JSON.parse: as UTF-8 text, in
// which each maximal part of a broken character reads as one U+FFFD (the WHATWG decoder's rule,
// which Node's Buffer.toString follows). Stored as sent, such bytes would be served and
// exported as JSON that is not UTF-8.
func asUTF8Text(body []byte) []byte {
	text := make([]byte, 0, len(body)+8)
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		if r == utf8.RuneError && size == 1 {
			text = utf8.AppendRune(text, utf8.RuneError)
			size = brokenCharacterLength(body)
		} else {
			text = append(text, body[:size]...)
		}
		body = body[size:]
	}
	return text
}

// brokenCharacterLength is how many bytes at the start of b, which holds no whole character
// there, make one maximal part of a broken character: a lead byte and the continuation bytes
// that could still follow it, or the one byte that can start none.
func brokenCharacterLength(b []byte) int {
	for _, l := range utf8Leads {
		if b[0] < l.first || b[0] > l.last {
			continue
		}
		i := 1
		for lo, hi := l.secondLo, l.secondHi; i < l.length && i < len(b) && b[i] >= lo && b[i] <= hi; i++ {
			lo, hi = 0x80, 0xBF
		}
		return i
	}
	return 1
}

// utf8Leads are the lead bytes of UTF-8 (the Unicode Standard's table 3-7): the length of the
// character each starts and the bytes its second byte may be.
var utf8Leads = []struct {
	first, last        byte
	length             int
	secondLo, secondHi byte
}{
	{0xC2, 0xDF, 2, 0x80, 0xBF},
	{0xE0, 0xE0, 3, 0xA0, 0xBF},
	{0xE1, 0xEC, 3, 0x80, 0xBF},
	{0xED, 0xED, 3, 0x80, 0x9F},
	{0xEE, 0xEF, 3, 0x80, 0xBF},
	{0xF0, 0xF0, 4, 0x90, 0xBF},
	{0xF1, 0xF3, 4, 0x80, 0xBF},
	{0xF4, 0xF4, 4, 0x80, 0x8F},
}

// isJSONBody reports whether the request says its body is JSON, or says nothing of it;
// multipart uploads have parse errors of their own.
func isJSONBody(r *http.Request) bool {
	mt := mediaType(r)
	return mt == "application/json" || mt == ""
}

// mediaType is the request's Content-Type without its parameters, in lower case: read on every
// request with a body, so without mime.ParseMediaType's map of parameters.
func mediaType(r *http.Request) string {
	mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// unsupportedCharset refuses a JSON body that names a charset other than a UTF one, as the live
// API's body parser does before it reads a byte. A request that sends no body (no length, no
// chunks) is not parsed, so its Content-Type goes unread.
func unsupportedCharset(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if !strings.Contains(ct, ";") || mediaType(r) != "application/json" {
		return nil
	}
	if !sendsBody(r) {
		return nil
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil // the parser takes a header it cannot read for one without a charset
	}
	charset := strings.ToLower(params["charset"])
	if charset == "" || strings.HasPrefix(charset, "utf-") {
		return nil
	}
	return store.Errorf(store.CodeUnsupported, "unsupported charset \"%s\"", strings.ToUpper(charset))
}

// sendsBody reports whether the request sends a body, by its length or its chunks, as the body
// parser tells whether there is one to parse.
func sendsBody(r *http.Request) bool {
	return r.Header.Get("Content-Length") != "" || len(r.TransferEncoding) > 0
}

// jsonSyntaxMessage words a JSON syntax error as Node's JSON.parse does, which is what the live
// API's body parser reports. A decoder tells a body that ends inside a value (io.EOF when it
// holds none, io.ErrUnexpectedEOF when it stops part way, a literal such as "tru" included)
// from one with a byte that cannot come where it is, which Unmarshal's error locates: the
// offset alone cannot tell them apart, as a bad last byte and the end both sit at the length.
func jsonSyntaxMessage(body []byte) string {
	var v any
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&v); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "Unexpected end of JSON input"
	}
	var syn *json.SyntaxError
	if errors.As(json.Unmarshal(body, &v), &syn) {
		if pos := int(syn.Offset) - 1; pos >= 0 && pos < len(body) {
			return unexpectedToken(body, pos)
		}
	}
	return "Unexpected end of JSON input"
}

// unexpectedToken is JSON.parse's message for the character that starts at byte pos of text:
// JavaScript names the character, not a byte of it, and counts the position in UTF-16 code
// units.
func unexpectedToken(text []byte, pos int) string {
	c, _ := utf8.DecodeRune(text[pos:])
	return fmt.Sprintf("Unexpected token %c in JSON at position %d", c, utf16Length(text[:pos]))
}

// utf16Length is how many UTF-16 code units the UTF-8 text takes: JavaScript's string length.
func utf16Length(text []byte) int {
	n := 0
	for _, c := range string(text) {
		n += utf16.RuneLen(c)
	}
	return n
}
