package bolt

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOpenErrorNamesTheCause pins the messages for a file this user may not open and for a
// read-only file system, which tests running as root cannot produce for real: neither is
// reported as a damaged database.
func TestOpenErrorNamesTheCause(t *testing.T) {
	t.Parallel()
	for errno, want := range map[syscall.Errno]string{
		syscall.EACCES: "read and write access",
		syscall.EROFS:  "writable file system",
	} {
		err := openError(&fs.PathError{Op: "open", Path: "/data/oneentry-mock.db", Err: errno})
		assert.ErrorIs(t, err, errno)
		if errno == syscall.EACCES {
			assert.ErrorIs(t, err, fs.ErrPermission)
		}
		assert.NotErrorIs(t, err, ErrIncompatible)
		assert.Contains(t, err.Error(), "/data/oneentry-mock.db")
		assert.Contains(t, err.Error(), want)
	}
}
