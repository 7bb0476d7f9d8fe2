package mail

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllowList(t *testing.T) {
	t.Parallel()
	def := NewDefaultAllowList([]string{"your-user@Email.com", "phone-login"})
	for addr, want := range map[string]bool{
		"a@example.com": true, "a@EXAMPLE.org": true, "a@example.net": true, "a@x.example": true, "a@example": true,
		"a@email.com": true, "Name <b@email.com>": true, "a@mail.email.com": true,
		"a@example.com.evil.test": false, "a@notexample.com": false, "a@gmail.com": false, "garbage": false,
	} {
		assert.Equal(t, want, def.Allows(addr), addr)
	}

	l, err := ParseAllowList(" corp.test , *.dev.test, boss@big.test ")
	require.NoError(t, err)
	assert.Equal(t, "corp.test,dev.test,boss@big.test", l.String())
	assert.True(t, l.Allows("x@corp.test"))
	assert.True(t, l.Allows("x@a.dev.test"))
	assert.True(t, l.Allows("Boss@big.test"))
	assert.False(t, l.Allows("other@big.test"))
	assert.False(t, l.Allows("x@example.com"), "a list replaces the default")

	anyone, err := ParseAllowList("*")
	require.NoError(t, err)
	assert.True(t, anyone.Allows("x@gmail.com"))

	for _, bad := range []string{"", " , ", "a b.test", "Name <a@b.test>", "x@"} {
		_, err := ParseAllowList(bad)
		assert.Error(t, err, bad)
	}
}
