package capsule

import (
	"fmt"
	"sort"
	"strings"
)

// Shape returns the shape of a JSON document: its keys and value types, without the values.
// Objects list their keys sorted, arrays the distinct shapes of their elements; scalars are
// "string", "number", "boolean" or "null". Two bodies with the same keys and types at every
// level have the same shape: {"authData":[{"marker":"email_reg","value":"a@b.c"}]} and the same
// with other values. An empty or non-JSON body has the shape "".
func Shape(body []byte) string {
	n := parseBody(body)
	if n == nil {
		return ""
	}
	return shapeOf(n)
}

func shapeOf(n *node) string {
	switch n.kind {
	case kindArray:
		return "[" + strings.Join(elementShapes(n), "|") + "]"
	case kindObject:
		keys := make([]int, len(n.keys))
		for i := range keys {
			keys[i] = i
		}
		sort.Slice(keys, func(a, b int) bool { return n.keys[keys[a]] < n.keys[keys[b]] })
		var b strings.Builder
		b.WriteByte('{')
		for i, idx := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteKey(n.keys[idx]))
			b.WriteByte(':')
			b.WriteString(shapeOf(n.vals[idx]))
		}
		b.WriteByte('}')
		return b.String()
	default:
		return n.kind.String()
	}
}

func quoteKey(k string) string { return fmt.Sprintf("%q", k) }

func elementShapes(n *node) []string {
	seen := map[string]bool{}
	var out []string
	for _, item := range n.items {
		s := shapeOf(item)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// shapeDiff lists how the shape of got differs from the shape of recorded, each difference as
// "<pointer>: <what>", at most limit of them. Array elements are compared as sets of shapes: got
// may send fewer kinds of element than were recorded, or none at all, but no new kind.
func shapeDiff(recorded, got *node, limit int) []string {
	var out []string
	add := func(format string, args ...any) bool {
		if len(out) < limit {
			out = append(out, fmt.Sprintf(format, args...))
		}
		return len(out) < limit
	}
	var walk func(ptr string, a, b *node) bool
	walk = func(ptr string, a, b *node) bool {
		at := ptr
		if at == "" {
			at = "body"
		}
		switch {
		case a == nil && b == nil:
			return true
		case a == nil:
			return add("%s: recorded no body, got %s", at, b.kind)
		case b == nil:
			return add("%s: recorded %s, got no body", at, a.kind)
		case a.kind != b.kind:
			return add("%s: recorded %s, got %s", at, a.kind, b.kind)
		case a.kind == kindObject:
			for i, k := range a.keys {
				bv, ok := b.get(k)
				if !ok {
					if !add("%s: key %q missing", at, k) {
						return false
					}
					continue
				}
				if !walk(ptr+"/"+pointerToken(k), a.vals[i], bv) {
					return false
				}
			}
			for _, k := range b.keys {
				if _, ok := a.get(k); !ok {
					if !add("%s: key %q was not recorded", at, k) {
						return false
					}
				}
			}
		case a.kind == kindArray:
			if len(a.items) == 0 || len(b.items) == 0 {
				return true
			}
			known := map[string]bool{}
			for _, s := range elementShapes(a) {
				known[s] = true
			}
			for i, item := range b.items {
				if known[shapeOf(item)] {
					continue
				}
				if !walk(fmt.Sprintf("%s/%d", ptr, i), nearestElement(a, item), item) {
					return false
				}
			}
		}
		return true
	}
	walk("", recorded, got)
	return out
}

// nearestElement picks the recorded element whose shape is closest to item, so a difference is
// described against the element the sender most likely meant.
func nearestElement(arr, item *node) *node {
	best, bestScore := arr.items[0], -1
	for _, cand := range arr.items {
		if s := len(shapeDiff(cand, item, 50)); bestScore < 0 || s < bestScore {
			best, bestScore = cand, s
		}
	}
	return best
}

// shapesCompatible reports whether got's body has the shape of recorded's under the rules of
// shapeDiff.
func shapesCompatible(recorded, got *node) bool {
	return len(shapeDiff(recorded, got, 1)) == 0
}
