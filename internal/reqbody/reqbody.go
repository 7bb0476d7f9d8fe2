// Package reqbody reads request bodies into memory.
package reqbody

import "io"

// TrustedDeclaredLength is how much of a declared Content-Length is set aside before the bytes
// arrive: every JSON body of the API fits, and a connection that declares megabytes and
// stalls holds no more than this.
const TrustedDeclaredLength = 64 << 10

// Read is io.ReadAll starting from a buffer sized by the declared length, when there is one
// within limit, so that a body usually arrives in one allocation rather than several doublings.
// The one spare byte lets the read see EOF without growing; a body longer than declared is still
// read whole. The declaration is the client's word, not bytes received: beyond
// TrustedDeclaredLength the buffer grows only as the bytes come.
func Read(body io.Reader, length, limit int64) ([]byte, error) {
	if length <= 0 || length > limit {
		return io.ReadAll(body)
	}
	b := make([]byte, 0, min(length, TrustedDeclaredLength)+1)
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
