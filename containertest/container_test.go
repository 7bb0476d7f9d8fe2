package containertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

const (
	// envBuildArgs holds extra `docker build` arguments as space-separated NAME=VALUE pairs;
	// .ci/run points GO_IMAGE at the image .ci/docker-setup makes, since CI reaches no registry.
	envBuildArgs = "ONEENTRY_CONTAINER_BUILD_ARGS"
	// envTests set to "skip" turns the tests off on a machine that has Docker but should not
	// build; set to "require" (requireValue) it makes them mandatory, as in CI.
	envTests = "ONEENTRY_CONTAINER_TESTS"

	imageRepository = "oneentry-mock"
	imageTag        = "containertest"
	containerPort   = "8080/tcp"
	nonRootUser     = "65532:65532"
	maxImageBytes   = 24_000_000

	// appToken is the app token of the default fixtures (fixtures/project.json).
	appToken = "your-app-token"

	// Bounds on every wait, so that a broken image fails the run instead of hanging it.
	buildTimeout   = 20 * time.Minute
	readyTimeout   = time.Minute
	requestTimeout = 10 * time.Second
)

// harness is the Docker connection and the image built for this package run.
type harness struct {
	pool  *dockertest.Pool
	image string
	// buildArgs are the image's build arguments.
	buildArgs []dc.BuildArg
}

var (
	setupOnce sync.Once
	setupH    *harness
	setupSkip string
	setupErr  error

	sharedOnce sync.Once
	sharedRes  *dockertest.Resource
	sharedURL  string
	sharedErr  error

	atExitMu sync.Mutex
	atExit   []func()

	httpClient = &http.Client{Timeout: requestTimeout}
)

// TestMain purges the containers shared between tests once all of them have run.
func TestMain(m *testing.M) {
	code := m.Run()
	atExitMu.Lock()
	for _, f := range atExit {
		f()
	}
	atExitMu.Unlock()
	os.Exit(code)
}

func runAtExit(f func()) {
	atExitMu.Lock()
	defer atExitMu.Unlock()
	atExit = append(atExit, f)
}

// dockerImage connects to Docker and builds the image, once per package run; it skips the
// test when no Docker engine answers.
func dockerImage(t *testing.T) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("container tests skipped with -short")
	}
	setupOnce.Do(func() {
		var took time.Duration
		var args string
		setupH, took, args, setupSkip, setupErr = setup()
		if setupH != nil {
			t.Logf("built image %s in %s (build args: %s)", setupH.image, took.Round(100*time.Millisecond), args)
		}
	})
	if setupSkip != "" {
		if os.Getenv(envTests) == requireValue {
			t.Fatalf("%s=%s, yet: %s", envTests, requireValue, setupSkip)
		}
		t.Skip(setupSkip)
	}
	require.NoError(t, setupErr)
	return setupH
}

func setup() (h *harness, took time.Duration, args, skip string, err error) {
	if v := os.Getenv(envTests); v == "skip" {
		return nil, 0, "", "container tests skipped: " + envTests + "=skip", nil
	}
	const enable = "no Docker engine answers, so the container tests are skipped: " +
		"`sudo bash .ci/docker-setup` installs and starts one (Debian)"
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, 0, "", fmt.Sprintf("%s (%v)", enable, err), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pool.Client.PingWithContext(ctx); err != nil {
		return nil, 0, "", fmt.Sprintf("%s (%v)", enable, err), nil
	}
	pool.MaxWait = readyTimeout
	if _, err := reapOrphans(pool.Client); err != nil {
		return nil, 0, "", "", err
	}

	buildArgs, err := buildArgsFromEnv(os.Getenv)
	if err != nil {
		return nil, 0, "", "", err
	}
	buildArgs = withVersionStamp(buildArgs)
	root, err := filepath.Abs("..")
	if err != nil {
		return nil, 0, "", "", err
	}
	if _, err := os.Stat(filepath.Join(root, "Dockerfile")); err != nil {
		return nil, 0, "", "", fmt.Errorf("repository root: %w", err)
	}
	if !slices.ContainsFunc(buildArgs, func(a dc.BuildArg) bool { return a.Name == "GO_IMAGE" }) {
		// No image named: build without a registry when the Dockerfile's is not pulled.
		goImage, why, err := goImageChoice(context.Background(), pool.Client, root)
		if err != nil || why != "" {
			return nil, 0, "", why, err
		}
		if goImage != "" {
			buildArgs = append(buildArgs, dc.BuildArg{Name: "GO_IMAGE", Value: goImage})
		}
	}
	args = "Dockerfile defaults"
	if len(buildArgs) > 0 {
		var parts []string
		for _, a := range buildArgs {
			parts = append(parts, a.Name+"="+a.Value)
		}
		args = strings.Join(parts, " ")
	}

	h = &harness{pool: pool, image: imageRepository + ":" + imageTag, buildArgs: buildArgs}
	// Built here rather than by BuildAndRunWithBuildOptions, which discards the build output:
	// a failing `go build` would then show only "returned a non-zero code: 1".
	var out bytes.Buffer
	bctx, bcancel := context.WithTimeout(context.Background(), buildTimeout)
	defer bcancel()
	start := time.Now()
	err = pool.Client.BuildImage(dc.BuildImageOptions{
		Context:             bctx,
		Name:                h.image,
		Dockerfile:          "Dockerfile",
		ContextDir:          root,
		BuildArgs:           buildArgs,
		OutputStream:        &out,
		RmTmpContainer:      true,
		ForceRmTmpContainer: true,
	})
	if err != nil && registryUnreachable(out.String(), err) {
		return nil, 0, args, fmt.Sprintf("docker build (%s) could not pull its base image, so the container tests are skipped: "+
			"`sudo bash .ci/docker-setup` makes a build image from this machine's Go toolchain (%v)", args, err), nil
	}
	if err != nil {
		return nil, 0, args, "", fmt.Errorf("docker build (%s): %w\n%s", args, err, lastLines(out.String(), 60))
	}
	return h, time.Since(start), args, "", nil
}

// buildArgsFromEnv reads envBuildArgs and passes GOPROXY and GOFLAGS on, so the build stage
// fetches modules the way this machine does.
func buildArgsFromEnv(getenv func(string) string) ([]dc.BuildArg, error) {
	var args []dc.BuildArg
	seen := map[string]bool{}
	for _, kv := range strings.Fields(getenv(envBuildArgs)) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%s: %q is not NAME=VALUE", envBuildArgs, kv)
		}
		args = append(args, dc.BuildArg{Name: name, Value: value})
		seen[name] = true
	}
	for _, name := range []string{"GOPROXY", "GOFLAGS"} {
		if v := getenv(name); v != "" && !seen[name] {
			args = append(args, dc.BuildArg{Name: name, Value: v})
		}
	}
	return args, nil
}

// The version and revision the image is stamped with unless the environment names others; what
// --version prints is checked against them.
const (
	stampVersion  = "0.0.0-containertest"
	stampRevision = "containertest-revision"
)

// withVersionStamp adds the VERSION and REVISION build arguments args does not give.
func withVersionStamp(args []dc.BuildArg) []dc.BuildArg {
	for _, a := range []dc.BuildArg{{Name: "VERSION", Value: stampVersion}, {Name: "REVISION", Value: stampRevision}} {
		if !slices.ContainsFunc(args, func(b dc.BuildArg) bool { return b.Name == a.Name }) {
			args = append(args, a)
		}
	}
	return args
}

// buildArg is the value of the build argument name in args, "" when not given.
func buildArg(args []dc.BuildArg, name string) string {
	for _, a := range args {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// startContainer returns the base URL of a container of the image with the default
// configuration, started once per package run, ready, and purged when the package's tests end.
// Tests that share it must not depend on state other tests change.
func startContainer(t *testing.T) (baseURL string) {
	t.Helper()
	_, baseURL = sharedContainer(t)
	return baseURL
}

func sharedContainer(t *testing.T) (*dockertest.Resource, string) {
	t.Helper()
	h := dockerImage(t)
	sharedOnce.Do(func() {
		sharedRes, sharedURL, sharedErr = h.run(nil, nil)
		if sharedRes != nil {
			res := sharedRes
			runAtExit(func() {
				if err := h.pool.Purge(res); err != nil {
					fmt.Fprintln(os.Stderr, "containertest: purge shared container:", err)
				}
			})
		}
	})
	require.NoError(t, sharedErr)
	return sharedRes, sharedURL
}

// runContainer starts a container of its own for the test, purged when the test ends.
func runContainer(t *testing.T, env, mounts []string, host ...func(*dc.HostConfig)) (*dockertest.Resource, string) {
	t.Helper()
	h := dockerImage(t)
	res, baseURL, err := h.run(env, mounts, host...)
	if res != nil {
		t.Cleanup(func() {
			if err := h.pool.Purge(res); err != nil {
				t.Logf("purge container: %v", err)
			}
		})
	}
	require.NoError(t, err)
	return res, baseURL
}

// run starts a container and waits until /healthz answers 200. It returns the resource even
// with an error, so that the caller purges it.
func (h *harness) run(env, mounts []string, host ...func(*dc.HostConfig)) (*dockertest.Resource, string, error) {
	res, err := h.pool.RunWithOptions(&dockertest.RunOptions{
		Repository: imageRepository,
		Tag:        imageTag,
		Env:        env,
		Mounts:     mounts,
		Labels:     ownerLabels(),
	}, host...)
	if err != nil {
		return nil, "", fmt.Errorf("run %s: %w", h.image, err)
	}
	hostPort := res.GetHostPort(containerPort)
	if hostPort == "" {
		return res, "", fmt.Errorf("port %s is not published", containerPort)
	}
	baseURL := "http://" + hostPort

	var exited *dc.State
	err = h.pool.Retry(func() error {
		c, err := h.pool.Client.InspectContainer(res.Container.ID)
		if err != nil {
			return err
		}
		if !c.State.Running {
			exited = &c.State
			return nil // nothing left to wait for
		}
		return getOK(baseURL + "/healthz")
	})
	switch {
	case exited != nil:
		return res, "", fmt.Errorf("container exited with code %d before serving\n%s",
			exited.ExitCode, h.logs(res))
	case err != nil:
		return res, "", fmt.Errorf("waiting for %s/healthz: %w\n%s", baseURL, err, h.logs(res))
	}
	return res, baseURL, nil
}

func getOK(url string) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}

// logs returns the container's stdout and stderr, for failure messages.
func (h *harness) logs(res *dockertest.Resource) string {
	stdout, stderr, err := h.output(res)
	if err != nil {
		return "(no logs: " + err.Error() + ")"
	}
	return "stdout:\n" + lastLines(stdout, 40) + "\nstderr:\n" + lastLines(stderr, 40)
}

func (h *harness) output(res *dockertest.Resource) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	var out, errOut bytes.Buffer
	err = h.pool.Client.Logs(dc.LogsOptions{
		Context:      ctx,
		Container:    res.Container.ID,
		OutputStream: &out,
		ErrorStream:  &errOut,
		Stdout:       true,
		Stderr:       true,
	})
	return out.String(), errOut.String(), err
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// call sends a request with the default fixtures' app token (and a bearer when given) and
// returns the status and body.
func call(t *testing.T, method, url, body, bearer string) (int, []byte) {
	t.Helper()
	header := []string{"x-app-token", appToken}
	if bearer != "" {
		header = append(header, "Authorization", "Bearer "+bearer)
	}
	return testkit.Call(t, http.DefaultClient, method, url, body, header...)
}

func TestContainerImage(t *testing.T) {
	t.Parallel()
	h := dockerImage(t)
	img, err := h.pool.Client.InspectImage(h.image)
	require.NoError(t, err)
	t.Logf("image size: %d bytes (%.1f MB)", img.Size, float64(img.Size)/1e6)

	assert.Less(t, img.Size, int64(maxImageBytes), "the image should hold little more than the static binary")
	require.NotNil(t, img.Config)
	assert.Equal(t, nonRootUser, img.Config.User)
	assert.Equal(t, []string{"/oneentry-mock"}, img.Config.Entrypoint)
	assert.Equal(t, []string{"serve"}, img.Config.Cmd)
	assert.Contains(t, img.Config.ExposedPorts, dc.Port(containerPort))
	assert.Contains(t, img.Config.Env, "ONEENTRY_MOCK_ADDR=0.0.0.0:8080")
	if assert.NotNil(t, img.Config.Healthcheck) {
		assert.Equal(t, []string{"CMD", "/oneentry-mock", "healthcheck"}, img.Config.Healthcheck.Test)
	}
}

// The image's --version prints the VERSION and REVISION it was built with: the build context
// has no .git for Go to stamp a revision from.
func TestContainerVersion(t *testing.T) {
	t.Parallel()
	h := dockerImage(t)
	res, err := h.pool.RunWithOptions(&dockertest.RunOptions{
		Repository: imageRepository,
		Tag:        imageTag,
		Cmd:        []string{"--version"},
		Labels:     ownerLabels(),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := h.pool.Purge(res); err != nil {
			t.Logf("purge container: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	code, err := h.pool.Client.WaitContainerWithContext(res.Container.ID, ctx)
	require.NoError(t, err)
	require.Equal(t, 0, code, h.logs(res))
	stdout, _, err := h.output(res)
	require.NoError(t, err)
	version, revision := buildArg(h.buildArgs, "VERSION"), buildArg(h.buildArgs, "REVISION")
	assert.True(t, strings.HasPrefix(stdout, "oneentry-mock "+version+" (rev "+revision+")"), stdout)
}

func TestWithVersionStamp(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []dc.BuildArg{{Name: "GO_IMAGE", Value: "g"}, {Name: "VERSION", Value: stampVersion}, {Name: "REVISION", Value: stampRevision}},
		withVersionStamp([]dc.BuildArg{{Name: "GO_IMAGE", Value: "g"}}))
	given := []dc.BuildArg{{Name: "REVISION", Value: "abc"}, {Name: "VERSION", Value: "v1.2.3"}}
	assert.Equal(t, given, withVersionStamp(slices.Clone(given)), "the environment's values win")
}

func TestContainerServes(t *testing.T) {
	t.Parallel()
	res, baseURL := sharedContainer(t)
	require.NoError(t, getOK(baseURL+"/healthz"))

	stdout, _, err := dockerImage(t).output(res)
	require.NoError(t, err)
	first, _, _ := strings.Cut(stdout, "\n")
	assert.Regexp(t, regexp.MustCompile(`^oneentry-mock listening on http://\S+:8080$`), first,
		"the first stdout line announces the address, from ONEENTRY_MOCK_ADDR")
}

// In a container with a memory limit, the state's limit is half of it and the runtime's soft
// limit nine tenths, read from the container's own cgroup.
func TestContainerMemoryLimitFollowsTheContainer(t *testing.T) {
	t.Parallel()
	const memory = 256 << 20
	limited := func(hc *dc.HostConfig) { hc.Memory = memory }
	gauge := func(baseURL, name string) float64 {
		status, body := call(t, http.MethodGet, baseURL+"/metrics", "", "")
		require.Equal(t, http.StatusOK, status)
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
		require.NotNil(t, m, name)
		v, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)
		return v
	}
	_, baseURL := runContainer(t, nil, nil, limited)
	assert.Equal(t, float64(memory/2), gauge(baseURL, "oneentry_mock_max_memory_bytes"))
	assert.Equal(t, float64(memory/10*9), gauge(baseURL, "go_gc_gomemlimit_bytes"))

	_, baseURL = runContainer(t, []string{"GOMEMLIMIT=100MiB"}, nil, limited)
	assert.Equal(t, float64(100<<20), gauge(baseURL, "go_gc_gomemlimit_bytes"), "GOMEMLIMIT wins")
}

func TestContainerRunsAsNonRoot(t *testing.T) {
	t.Parallel()
	res, _ := sharedContainer(t)
	h := dockerImage(t)
	c, err := h.pool.Client.InspectContainer(res.Container.ID)
	require.NoError(t, err)
	assert.Equal(t, nonRootUser, c.Config.User)

	// ps arguments without spaces: the client puts them in the query string unescaped.
	top, err := h.pool.Client.TopContainer(res.Container.ID, "-opid,uid,comm")
	require.NoError(t, err)
	uidCol := slices.Index(top.Titles, "UID")
	require.GreaterOrEqual(t, uidCol, 0, "ps titles: %v", top.Titles)
	require.NotEmpty(t, top.Processes)
	for _, p := range top.Processes {
		assert.Equal(t, "65532", p[uidCol], "process %v", p)
	}
}

func TestContainerHealthcheck(t *testing.T) {
	t.Parallel()
	res, _ := sharedContainer(t)
	h := dockerImage(t)

	// Docker runs the first probe one interval after the start; the image sets 5s.
	var health dc.Health
	err := h.pool.Retry(func() error {
		c, err := h.pool.Client.InspectContainer(res.Container.ID)
		if err != nil {
			return err
		}
		health = c.State.Health
		if health.Status == "unhealthy" {
			return nil // final for this test; reported below
		}
		if health.Status != "healthy" {
			return fmt.Errorf("health %q", health.Status)
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "healthy", health.Status, "health log: %+v", health.Log)

	code, err := res.Exec([]string{"/oneentry-mock", "healthcheck"}, dockertest.ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, 0, code, "healthcheck against the running server")

	var stderr bytes.Buffer
	code, err = res.Exec([]string{"/oneentry-mock", "healthcheck", "--url", "http://127.0.0.1:1/healthz"},
		dockertest.ExecOptions{StdErr: &stderr})
	require.NoError(t, err)
	assert.Equal(t, 1, code, "healthcheck against a closed port; stderr: %s", stderr.String())
}

func TestContainerFixturesFolder(t *testing.T) {
	t.Parallel()
	const productID, changedPrice = 10, 150

	dir := filepath.Join(t.TempDir(), "fixtures")
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("..", "fixtures"))))
	setProductPrice(t, filepath.Join(dir, "products.json"), productID, changedPrice)
	// The server runs as uid 65532, whatever the umask made of the copy.
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	}))

	_, custom := runContainer(t, []string{"ONEENTRY_MOCK_FIXTURES=/fixtures"}, []string{dir + ":/fixtures:ro"})
	productPath := "/api/content/products/" + strconv.Itoa(productID) + "?langCode=en_US"
	assert.Equal(t, json.Number(strconv.Itoa(changedPrice)), productPrice(t, custom+productPath),
		"the mounted folder replaces the embedded fixtures")
	assert.NotEqual(t, json.Number(strconv.Itoa(changedPrice)), productPrice(t, startContainer(t)+productPath),
		"without the mount the embedded fixtures are served")
}

// `docker stop` lets a request in flight finish, then the server exits 0 (docs/container.md).
func TestContainerStopIsGraceful(t *testing.T) {
	t.Parallel()
	h := dockerImage(t)
	res, baseURL := runContainer(t, nil, nil)
	status, body := call(t, http.MethodPost, baseURL+"/__admin/faults",
		`{"path":"/api/content/forms/marker/tickets_form","latency":{"fixedMs":1500}}`, "")
	require.Equal(t, http.StatusCreated, status, string(body))

	inFlight := make(chan int, 1)
	go func() {
		req, err := http.NewRequest(http.MethodGet, baseURL+"/api/content/forms/marker/tickets_form?langCode=en_US", nil)
		if err != nil {
			inFlight <- 0
			return
		}
		req.Header.Set("x-app-token", appToken)
		resp, err := httpClient.Do(req)
		if err != nil {
			inFlight <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		inFlight <- resp.StatusCode
	}()
	require.Eventually(t, func() bool {
		status, body := call(t, http.MethodGet, baseURL+"/__admin/faults", "", "")
		var rules []struct{ Matched int }
		return status == http.StatusOK && json.Unmarshal(body, &rules) == nil && len(rules) == 1 && rules[0].Matched == 1
	}, requestTimeout, 20*time.Millisecond, "the slow request reaches the server")

	// What `docker stop` sends first; dockertest's containers are told to stop with SIGWINCH.
	require.NoError(t, h.pool.Client.KillContainer(dc.KillContainerOptions{ID: res.Container.ID, Signal: dc.SIGTERM}))
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	code, err := h.pool.Client.WaitContainerWithContext(res.Container.ID, ctx)
	require.NoError(t, err, h.logs(res))
	assert.Equal(t, 0, code, h.logs(res))
	assert.Equal(t, http.StatusOK, <-inFlight, "the request in flight is answered")
}

// A named volume on /data takes the image's /data, which belongs to the server's uid, so state
// kept there survives the container: a new container on the same volume has it.
func TestContainerDataDirOnANamedVolume(t *testing.T) {
	t.Parallel()
	h := dockerImage(t)
	volume, err := h.pool.Client.CreateVolume(dc.CreateVolumeOptions{
		Name:   "oneentry-mock-test-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Labels: ownerLabels(),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.pool.Client.RemoveVolumeWithOptions(dc.RemoveVolumeOptions{Name: volume.Name}) })
	env, mounts := []string{"ONEENTRY_MOCK_DATA_DIR=/data"}, []string{volume.Name + ":/data"}
	sandboxes := func(baseURL string) int {
		status, body := call(t, http.MethodGet, baseURL+"/__admin/sandboxes", "", "")
		require.Equal(t, http.StatusOK, status, string(body))
		var list []json.RawMessage
		require.NoError(t, json.Unmarshal(body, &list))
		return len(list)
	}

	first, baseURL := runContainer(t, env, mounts)
	status, body := call(t, http.MethodPost, baseURL+"/__admin/sandboxes", "", "")
	require.Equal(t, http.StatusCreated, status, string(body))
	require.Equal(t, 2, sandboxes(baseURL))
	require.NoError(t, h.pool.Purge(first))

	_, baseURL = runContainer(t, env, mounts)
	assert.Equal(t, 2, sandboxes(baseURL), "the sandbox made in the first container")
}

// setProductPrice rewrites the price of one product in a products.json fixture, both the
// top-level price and the price attribute it is derived from, so that the file stays coherent.
func setProductPrice(t *testing.T, path string, id, price int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var products []map[string]any
	require.NoError(t, dec.Decode(&products), "products.json is a list of products")
	found := false
	for _, p := range products {
		if p["id"] != json.Number(strconv.Itoa(id)) {
			continue
		}
		found = true
		p["price"] = price
		if attrs, ok := p["attributeValues"].(map[string]any); ok {
			if attr, ok := attrs["price"].(map[string]any); ok {
				attr["value"] = price
			}
		}
	}
	require.True(t, found, "product %d in %s", id, path)
	out, err := json.MarshalIndent(products, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, out, 0o644))
}

func productPrice(t *testing.T, url string) json.Number {
	t.Helper()
	status, body := call(t, http.MethodGet, url, "", "")
	require.Equal(t, http.StatusOK, status, "GET %s: %s", url, body)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var product struct {
		Price json.Number `json:"price"`
	}
	require.NoError(t, dec.Decode(&product), "%s", body)
	return product.Price
}

// TestContainerScenarios runs the whole scenario suite against the container, in a sandbox of
// its own, as a CI job sharing the container would. The container runs hardened as the docs say
// it can (read-only root, no capabilities, no privilege gain), so nothing the suite does, nor a
// large upload, may need to write outside a data dir.
func TestContainerScenarios(t *testing.T) {
	t.Parallel()
	_, baseURL := runContainer(t, nil, nil, func(hc *dc.HostConfig) {
		hc.ReadonlyRootfs, hc.CapDrop, hc.SecurityOpt = true, []string{"ALL"}, []string{"no-new-privileges"}
	})
	upload, contentType := testkit.FileForm(t, nil, "files", "large.bin", bytes.Repeat([]byte("x"), 5<<20))
	status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, baseURL+"/api/content/files?type=page&entity=editor&id=1", upload.String(),
		"x-app-token", appToken, "Content-Type", contentType)
	require.Equal(t, http.StatusCreated, status, "a 5 MiB upload on a read-only root: %s", body)

	status, body = call(t, http.MethodPost, baseURL+"/__admin/sandboxes", "", "")
	require.Equal(t, http.StatusCreated, status, "create sandbox: %s", body)
	var sandbox struct {
		AppToken string `json:"appToken"`
		Users    []struct {
			Identifier string `json:"identifier"`
			Password   string `json:"password"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal(body, &sandbox))
	require.Len(t, sandbox.Users, 2)

	tg := scenarios.URLTarget(baseURL, sandbox.AppToken)
	tg.User = scenarios.Credentials{Login: sandbox.Users[0].Identifier, Password: sandbox.Users[0].Password}
	tg.User2 = scenarios.Credentials{Login: sandbox.Users[1].Identifier, Password: sandbox.Users[1].Password}
	results := scenarios.Run(t.Context(), tg, scenarios.All()...)
	require.Len(t, results, len(scenarios.All()))
	assert.True(t, tg.Admin, "the container's admin endpoints answer")
	for _, r := range results {
		for _, step := range r.Steps {
			assert.Empty(t, step.Violations, "%s / %s breaks the contract", r.Flow, step.Name)
			if !assert.Equal(t, scenarios.StatusPassed, step.Status, "%s / %s", r.Flow, step.Name) {
				t.Logf("%s / %s:\n%s", r.Flow, step.Name, scenarios.Details(step))
			}
		}
		assert.Empty(t, r.Err, r.Flow)
	}
}

func TestBuildArgsFromEnv(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env     map[string]string
		want    []dc.BuildArg
		wantErr bool
	}{
		"none": {env: map[string]string{}},
		"local base image and proxy": {
			env: map[string]string{envBuildArgs: " GO_IMAGE=oneentry-mock/go-build:local  RUNTIME_IMAGE=scratch ", "GOPROXY": "https://proxy.example"},
			want: []dc.BuildArg{
				{Name: "GO_IMAGE", Value: "oneentry-mock/go-build:local"},
				{Name: "RUNTIME_IMAGE", Value: "scratch"},
				{Name: "GOPROXY", Value: "https://proxy.example"},
			},
		},
		"explicit wins over the environment": {
			env:  map[string]string{envBuildArgs: "GOFLAGS=-mod=mod", "GOFLAGS": "-buildvcs=false"},
			want: []dc.BuildArg{{Name: "GOFLAGS", Value: "-mod=mod"}},
		},
		"empty value": {
			env:  map[string]string{envBuildArgs: "GOFLAGS="},
			want: []dc.BuildArg{{Name: "GOFLAGS", Value: ""}},
		},
		"not a pair": {env: map[string]string{envBuildArgs: "GO_IMAGE"}, wantErr: true},
		"no name":    {env: map[string]string{envBuildArgs: "=x"}, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := buildArgsFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLastLines(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a\nb", lastLines("a\nb\n", 5))
	assert.Equal(t, "…\nc\nd", lastLines("a\nb\nc\nd\n", 2))
}
