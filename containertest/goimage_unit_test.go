package containertest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These need no Docker: they pin how the tests find a build image without a registry.

func TestDockerfileGoImage(t *testing.T) {
	t.Parallel()
	img, err := dockerfileGoImage("..")
	require.NoError(t, err)
	assert.Regexp(t, `^golang:\d`, img)
}

func TestGoImageTarHoldsTheToolchain(t *testing.T) {
	t.Parallel()
	goroot := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(goroot, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(goroot, "bin", "go"), []byte("#!go"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(goroot, "test"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(goroot, "test", "big"), []byte("x"), 0o644))

	var buf bytes.Buffer
	require.NoError(t, writeGoImageTar(&buf, goroot))
	entries := map[string]*tar.Header{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		entries[h.Name] = h
	}
	require.Contains(t, entries, "usr/local/go/bin/go")
	assert.EqualValues(t, 0o755, entries["usr/local/go/bin/go"].Mode&0o777)
	assert.Equal(t, "/usr/local/go/bin/go", entries["usr/local/bin/go"].Linkname, "go is on the default PATH")
	assert.EqualValues(t, 0o1777, entries["tmp/"].Mode&0o7777)
	assert.NotContains(t, entries, "usr/local/go/test/big")
}

func TestRegistryUnreachable(t *testing.T) {
	t.Parallel()
	assert.True(t, registryUnreachable(`Step 1/12 : FROM golang:1.26-bookworm`, errors.New(`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host`)))
	assert.False(t, registryUnreachable("main.go:3:1: syntax error", errors.New("The command '/bin/sh -c go build' returned a non-zero code: 1")))
}
