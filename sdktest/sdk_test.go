//go:build unix

// Package sdktest drives the mock with the official OneEntry JS SDK (npm package oneentry), in the
// version the seed scenario was written against and in the newest one, through node's test runner
// in sdktest/node.
package sdktest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

const enableHint = "run `npm ci --prefix sdktest/node` from the module root (needs Node.js 20+ and the npm registry) to enable it"

// TestOfficialSDK builds the server binary and runs every node test in sdktest/node against it.
func TestOfficialSDK(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; install Node.js 20+ and " + enableHint)
	}
	if _, err := os.Stat(filepath.Join("node", "node_modules", "oneentry-latest")); err != nil {
		t.Skip("sdktest/node/node_modules is missing; " + enableHint)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "oneentry-mock")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/oneentry-mock")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/oneentry-mock: %v\n%s", err, out)
	}

	calls := filepath.Join(t.TempDir(), "sdk-calls.txt")
	if err := os.WriteFile(calls, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "--test-timeout=60000")
	cmd.Dir = "node"
	cmd.Env = append(os.Environ(), "ONEENTRY_MOCK_BIN="+bin, "ONEENTRY_SDK_CALLS="+calls, "NO_COLOR=1")
	// The node tests start one server process each; a process group lets a timeout (or a crashed
	// test file) take all of them down instead of leaving servers listening.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()

	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	err = cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // servers a test failed to stop; ESRCH when there are none
	_ = pw.Close()
	<-done

	if ctx.Err() != nil {
		t.Fatalf("node --test did not finish in time: %v", ctx.Err())
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		t.Fatalf("node --test failed (exit code %d); the failing tests are in the log above", exitErr.ExitCode())
	}
	if err != nil {
		t.Fatalf("node --test: %v", err)
	}

	// Every method of the newest SDK and of SDK 1.0.115 must have run in some test, or be listed
	// as not served.
	check := exec.CommandContext(ctx, node, filepath.Join("lib", "methods.mjs"), calls)
	check.Dir = "node"
	out, err := check.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("node lib/methods.mjs: %v", err)
	}
}
