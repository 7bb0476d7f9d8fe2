package shellword

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A word is pasted into a shell as it is: the shell reads back exactly the value.
func TestWord(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"./my-fixtures":  "./my-fixtures",
		"/tmp/a_b/c.d,1": "/tmp/a_b/c.d,1",
		"t/my out":       `'t/my out'`,
		"it's":           `'it'\''s'`,
		"$HOME/x":        `'$HOME/x'`,
		"~/x":            `'~/x'`,
		`C:\fixtures`:    `'C:\fixtures'`,
		"":               "''",
		"a;rm -rf b":     `'a;rm -rf b'`,
		"*.json":         `'*.json'`,
		"фикстуры/набор": `'фикстуры/набор'`,
	} {
		assert.Equal(t, want, Word(in), in)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell to paste into")
	}
	for _, in := range []string{"t/my out", "it's", "a 'b' \"c\" $d `e` \\f\n!g", "", "~/x"} {
		got, err := exec.Command(sh, "-c", "printf %s "+Word(in)).Output()
		require.NoError(t, err, in)
		assert.Equal(t, in, string(got), "what the shell reads back")
	}
}

// On Windows a path is pasted into cmd.exe or PowerShell: backslashes stay as they are, and a
// path with a space is one word in double quotes, which both read so.
func TestWindowsWord(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`C:\fixtures`:                `C:\fixtures`,
		`.\my-fixtures`:              `.\my-fixtures`,
		`C:\Users\John Doe\fixtures`: `"C:\Users\John Doe\fixtures"`,
		`D:\a&b`:                     `"D:\a&b"`,
		`C:\it's`:                    `"C:\it's"`,
		"":                           `""`,
	} {
		assert.Equal(t, want, windowsWord(in), in)
	}
}
