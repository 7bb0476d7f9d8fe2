package jsonscan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/internal/jsonscan"
)

func TestOutsideSkipsStrings(t *testing.T) {
	t.Parallel()
	var got []byte
	jsonscan.Outside([]byte(`{"a[":"x\"]{","b":[1]}`), func(_ int, c byte) bool {
		got = append(got, c)
		return true
	})
	assert.Equal(t, `{:,:[1]}`, string(got))

	n := 0
	jsonscan.Outside([]byte(`[[[[`), func(int, byte) bool { n++; return n < 2 })
	assert.Equal(t, 2, n, "stops when fn says so")
}
