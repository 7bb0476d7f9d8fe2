package bolt

import (
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOpenErrorNamesPermission pins the message for a file this user may not open, which tests
// running as root cannot produce for real.
func TestOpenErrorNamesPermission(t *testing.T) {
	t.Parallel()
	err := openError(&fs.PathError{Op: "open", Path: "/data/oneentry-mock.db", Err: syscall.EACCES})
	assert.ErrorIs(t, err, fs.ErrPermission)
	assert.NotErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), "/data/oneentry-mock.db")
	assert.Contains(t, err.Error(), "read and write access")
}

// A data dir on a read-only file system is named as such, not as a damaged database.
func TestOpenErrorNamesAReadOnlyFileSystem(t *testing.T) {
	t.Parallel()
	err := openError(&fs.PathError{Op: "open", Path: "/data/oneentry-mock.db", Err: syscall.EROFS})
	assert.ErrorIs(t, err, syscall.EROFS)
	assert.NotErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), "writable file system")
}
