package reqbody

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadSetsAsideNoMoreThanTheTrustedPartOfADeclaredLength(t *testing.T) {
	// A client that declares 10 MiB and sends three bytes before it stalls.
	stalled := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errors.New("connection reset")))
	got, err := Read(stalled, 10<<20, 20<<20)
	require.Error(t, err)
	assert.Equal(t, "abc", string(got))
	assert.LessOrEqual(t, cap(got), TrustedDeclaredLength+1)
}

func TestReadReadsWhatArrives(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 3*TrustedDeclaredLength+5)
	for name, c := range map[string]struct {
		body          []byte
		declared, max int64
	}{
		"as declared, in one buffer": {[]byte(`{"a":1}`), 7, 100},
		"longer than declared":       {[]byte(`{"a":12345}`), 3, 100},
		"declared beyond the trust":  {long, int64(len(long)), 1 << 20},
		"undeclared":                 {long, -1, 1 << 20},
		"declared beyond the limit":  {long, 1 << 30, 1 << 20},
		"one byte a read":            {long[:1000], 1000, 1 << 20},
	} {
		r := io.Reader(bytes.NewReader(c.body))
		if name == "one byte a read" {
			r = iotest.OneByteReader(r)
		}
		got, err := Read(r, c.declared, c.max)
		require.NoError(t, err, name)
		assert.Equal(t, c.body, got, name)
	}
	got, err := Read(bytes.NewReader([]byte(`{"a":1}`)), 7, 100)
	require.NoError(t, err)
	assert.Equal(t, 8, cap(got), "a body that arrives as declared takes one allocation")
}
