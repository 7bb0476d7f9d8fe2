// Package jsonscan walks JSON text byte by byte without decoding it, for the checks that only
// need its structure: how deep it nests, where a cut leaves an object open.
package jsonscan

// Outside calls fn with the index and value of every byte of text that stands outside a
// string (strings' quotes included neither), until fn returns false.
func Outside(text []byte, fn func(i int, c byte) bool) {
	inString, escaped := false, false
	for i, c := range text {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case !fn(i, c):
			return
		}
	}
}
