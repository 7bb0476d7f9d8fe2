// Package shellword writes values as words of a POSIX shell command line, for the command lines
// the mock prints or shows to be pasted: a curl of a journal entry, the line that serves a
// written fixture folder.
package shellword

import (
	"runtime"
	"strings"
)

// Quote is s in single quotes, a quote inside closed, escaped and opened again: one word
// whatever s holds, nothing in it expanded.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Word is s as one word: as it stands when it holds only characters no shell treats specially
// (a plain path such as ./my-fixtures, a method), else quoted.
func Word(s string) string {
	if s != "" && !strings.ContainsFunc(s, special) {
		return s
	}
	return Quote(s)
}

func special(c rune) bool {
	plain := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./,+:@%", c)
	return !plain
}

// Native is s as one word of the shell a user of this system pastes a printed line into: Word
// on Unix; on Windows, where cmd.exe takes single quotes as text and a backslash is a path's
// own, s as it stands unless it holds a space or a character cmd.exe or PowerShell reads
// specially, and in double quotes then (no Windows path holds a double quote).
func Native(s string) string {
	if runtime.GOOS == "windows" {
		return windowsWord(s)
	}
	return Word(s)
}

func windowsWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t&|<>^\"%()!;,=`$'@{}[]#") {
		return s
	}
	return `"` + s + `"`
}
