package containertest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireValue of envTests makes the container tests mandatory: whatever would skip them (no
// Docker engine, no way to build) fails them instead. .ci/run sets it once Docker is ready.
const requireValue = "require"

// localGoRepository holds the build images made from this machine's Go toolchain, tagged by
// Go version, so the tests build without a registry (as .ci/docker-setup does for CI).
const localGoRepository = "oneentry-mock/go-build"

// dockerfileGoImage is the Dockerfile's default build image (its ARG GO_IMAGE).
func dockerfileGoImage(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^ARG GO_IMAGE=(\S+)`).FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("the Dockerfile declares no ARG GO_IMAGE default")
	}
	return string(m[1]), nil
}

// goImageChoice picks the build stage's image when the environment names none: the
// Dockerfile's default when the engine has it, else an image made from this machine's Go
// toolchain (imported once per Go version), so that no registry is needed. It returns the
// GO_IMAGE build argument ("" for the Dockerfile's default) or, when neither is possible, why
// the tests cannot build (skip).
func goImageChoice(ctx context.Context, client *dc.Client, root string) (goImage, skip string, err error) {
	def, err := dockerfileGoImage(root)
	if err != nil {
		return "", "", err
	}
	if _, err := client.InspectImage(def); err == nil {
		return "", "", nil
	}
	// The image .ci/docker-setup imports, when it holds this Go version; else one of our own.
	if img, err := client.InspectImage(localGoRepository + ":local"); err == nil && img.Config != nil &&
		img.Config.Labels["org.golang.version"] == runtime.Version() {
		return localGoRepository + ":local", "", nil
	}
	local := localGoRepository + ":" + runtime.Version()
	if _, err := client.InspectImage(local); err == nil {
		return local, "", nil
	}
	goroot := hostGoroot()
	if runtime.GOOS != "linux" || goroot == "" {
		// A toolchain for another OS cannot run in a Linux container: the build needs the
		// Dockerfile's image, from a registry.
		return "", "", nil
	}
	if err := importGoImage(ctx, client, goroot, local); err != nil {
		return "", fmt.Sprintf("%s is not pulled and the build image could not be made from this machine's Go toolchain (%v): "+
			"`sudo bash .ci/docker-setup` makes it, or pull %s", def, err, def), nil
	}
	return local, "", nil
}

// hostGoroot is the GOROOT of the go command on PATH, the toolchain that runs these tests.
func hostGoroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// importGoImage imports an image holding the Go toolchain at goroot under /usr/local/go (go
// on the default PATH through /usr/local/bin), CA certificates for the module proxy and a
// /tmp: everything `CGO_ENABLED=0 go build` needs, with no shell or libc.
func importGoImage(ctx context.Context, client *dc.Client, goroot, image string) error {
	repo, tag, _ := strings.Cut(image, ":")
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeGoImageTar(pw, goroot)) }()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	err := client.ImportImage(dc.ImportImageOptions{
		Repository: repo, Tag: tag, Source: "-", InputStream: pr, OutputStream: io.Discard, Context: ctx,
	})
	_ = pr.CloseWithError(err)
	return err
}

func writeGoImageTar(w io.Writer, goroot string) error {
	tw := tar.NewWriter(w)
	now := time.Now()
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: now})
	}
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "root", "go", "usr", "usr/local", "usr/local/bin"} {
		if err := dir(d, 0o755); err != nil {
			return err
		}
	}
	if err := dir("tmp", 0o1777); err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "usr/local/bin/go", Linkname: "/usr/local/go/bin/go", Mode: 0o777, ModTime: now}); err != nil {
		return err
	}
	if certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		if err := tw.WriteHeader(&tar.Header{Name: "etc/ssl/certs/ca-certificates.crt", Mode: 0o644, Size: int64(len(certs)), ModTime: now}); err != nil {
			return err
		}
		if _, err := tw.Write(certs); err != nil {
			return err
		}
	}
	root := os.DirFS(goroot)
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "test" && d.IsDir() {
			return fs.SkipDir // the toolchain's own test suite: large, and no build needs it
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if hdr.Linkname, err = os.Readlink(filepath.Join(goroot, p)); err != nil {
				return err
			}
		}
		hdr.Name = path.Join("usr/local/go", p)
		if d.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// registryUnreachable reports whether a failed build failed because the base image could
// not be pulled.
func registryUnreachable(output string, err error) bool {
	s := strings.ToLower(output + " " + fmt.Sprint(err))
	for _, sign := range []string{"pull access denied", "failed to resolve", "failed to do request", "no such host",
		"i/o timeout", "tls handshake timeout", "connection refused", "manifest unknown", "error pulling image", "failed to fetch"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

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
