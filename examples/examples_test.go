package examples

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// root is the repository, relative to this package's directory.
const root = ".."

// mailpitSMTPPort and mailpitUIPort are where the Mailpit image listens.
const (
	mailpitSMTPPort = "1025"
	mailpitUIPort   = "8025"
)

// command is what the oneentry-mock binary defines for one command, as its help shows: its
// flags, and the ONEENTRY_MOCK_* variables it reads as their defaults.
type command struct {
	flags  map[string]string // name -> what help says of it (value names and usage)
	envs   map[string]bool
	source string
}

// binary builds cmd/oneentry-mock once for every test that asks the binary what it defines.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "examples-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "oneentry-mock")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/oneentry-mock").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := binary(); err == nil {
		_ = os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

var (
	commandLine = regexp.MustCompile(`^  (\S+(?: \S+)?)\s{2,}\S`)
	flagLine    = regexp.MustCompile(`^  --(\S+)(?: (\S+))?$`)
	envNote     = regexp.MustCompile(`env (ONEENTRY_MOCK_[A-Z0-9_]+)`)
)

// commands asks the oneentry-mock binary for its commands and their flags, by name
// ("oneentry-mock serve", "oneentry-mock scenarios run", ...), and returns the command names.
func commands(t *testing.T) (map[string]*command, []string) {
	t.Helper()
	bin, err := binary()
	require.NoError(t, err)
	help := func(args ...string) []string {
		out, err := exec.Command(bin, append(args, "--help")...).Output()
		require.NoError(t, err, "%v --help", args)
		return strings.Split(string(out), "\n")
	}
	sets := map[string]*command{}
	var names []string
	for _, line := range help() {
		m := commandLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		names = append(names, m[1])
		set := &command{flags: map[string]string{}, envs: map[string]bool{}, source: "oneentry-mock " + m[1] + " --help"}
		lines := help(strings.Fields(m[1])...)
		for i, l := range lines {
			f := flagLine.FindStringSubmatch(l)
			if f == nil || i+1 == len(lines) {
				continue
			}
			set.flags[f[1]] = strings.TrimSpace(f[2] + " " + lines[i+1])
			if e := envNote.FindStringSubmatch(lines[i+1]); e != nil {
				set.envs[e[1]] = true
			}
		}
		sets["oneentry-mock "+m[1]] = set
	}
	require.Contains(t, sets, "oneentry-mock serve")
	require.NotEmpty(t, sets["oneentry-mock serve"].envs)
	return sets, names
}

// dockerfile is what the examples rely on in the top-level Dockerfile.
type dockerfile struct {
	args       []string
	expose     []string
	env        map[string]string
	entrypoint string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	df := dockerfile{env: map[string]string{}}
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "ARG":
			name, _, _ := strings.Cut(fields[1], "=")
			df.args = append(df.args, name)
		case "EXPOSE":
			for _, p := range fields[1:] {
				port, _, _ := strings.Cut(p, "/")
				df.expose = append(df.expose, port)
			}
		case "ENV":
			for _, kv := range fields[1:] {
				if k, v, ok := strings.Cut(kv, "="); ok {
					df.env[k] = v
				}
			}
		case "ENTRYPOINT":
			df.entrypoint = strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "ENTRYPOINT")), `[]"`)
		}
	}
	require.NotEmpty(t, df.expose)
	require.NotEmpty(t, df.entrypoint)
	return df
}

type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Healthcheck struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	return readYAML[composeFile](t, filepath.Join("compose", "compose.yaml"))
}

// readYAML decodes the YAML file at path into a T, failing on keys T does not know, so an
// example that grows a setting the test does not check fails here first.
func readYAML[T any](t *testing.T, path string) T {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var v T
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&v))
	return v
}

// publish splits a compose or docker port mapping "[ip:]host:container" into host and container.
func publish(t *testing.T, mapping string) (host, container string) {
	t.Helper()
	parts := strings.Split(mapping, ":")
	require.GreaterOrEqual(t, len(parts), 2, mapping)
	return parts[len(parts)-2], parts[len(parts)-1]
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err, addr)
	return port
}

func defaultFixtures(t *testing.T) *store.Fixtures {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	return fx
}

func TestComposeServices(t *testing.T) {
	t.Parallel()
	c := readCompose(t)
	df := readDockerfile(t)
	cmds, subcommands := commands(t)
	serve := cmds["oneentry-mock serve"]
	require.Contains(t, c.Services, "sandbox")
	require.Contains(t, c.Services, "mailpit")
	require.Contains(t, c.Services, "frontend")
	sandbox, mailpit := c.Services["sandbox"], c.Services["mailpit"]

	t.Run("sandbox image", func(t *testing.T) {
		assert.Equal(t, "oneentry-mock:local", sandbox.Image)
		_, err := os.Stat(filepath.Join("compose", sandbox.Build.Context, sandbox.Build.Dockerfile))
		require.NoError(t, err, "the build context is the repository and holds the Dockerfile")
		for arg := range sandbox.Build.Args {
			assert.Contains(t, df.args, arg, "build arg %s is declared in the Dockerfile", arg)
		}
	})

	t.Run("environment", func(t *testing.T) {
		require.NotEmpty(t, sandbox.Environment)
		for name := range sandbox.Environment {
			assert.True(t, serve.envs[name], "%s is not read by oneentry-mock serve (%s)", name, serve.source)
		}
	})

	t.Run("ports", func(t *testing.T) {
		addr := sandbox.Environment["ONEENTRY_MOCK_ADDR"]
		if addr == "" {
			addr = df.env["ONEENTRY_MOCK_ADDR"]
		}
		listen := portOf(t, addr)
		assert.Contains(t, df.expose, listen, "the image exposes the port the sandbox listens on")
		require.Len(t, sandbox.Ports, 1)
		host, container := publish(t, sandbox.Ports[0])
		assert.Equal(t, listen, container, "the published port is the listening one")
		assert.Equal(t, "8080", host, "the front end and the README use localhost:8080")
	})

	t.Run("mailpit", func(t *testing.T) {
		assert.True(t, strings.HasPrefix(mailpit.Image, "axllent/mailpit:"), mailpit.Image)
		relay, err := url.Parse(sandbox.Environment["ONEENTRY_MOCK_SMTP_URL"])
		require.NoError(t, err)
		assert.Equal(t, "smtp", relay.Scheme)
		assert.Equal(t, "mailpit", relay.Hostname(), "the relay names the mailpit service")
		assert.Equal(t, mailpitSMTPPort, relay.Port(), "Mailpit's SMTP port")
		var published []string
		for _, p := range mailpit.Ports {
			_, container := publish(t, p)
			published = append(published, container)
		}
		assert.Contains(t, published, mailpitUIPort, "the Mailpit UI is reachable from the host")
		assert.Equal(t, "service_healthy", sandbox.DependsOn["mailpit"].Condition)
	})

	t.Run("healthcheck", func(t *testing.T) {
		test := sandbox.Healthcheck.Test
		require.Len(t, test, 3)
		assert.Equal(t, "CMD", test[0], "exec form: the image has no shell")
		assert.Equal(t, df.entrypoint, test[1], "the binary the image runs")
		assert.Contains(t, subcommands, test[2], "a subcommand of oneentry-mock")
		assert.Contains(t, cmds, "oneentry-mock "+test[2])
		for _, d := range []string{sandbox.Healthcheck.Interval, sandbox.Healthcheck.Timeout} {
			_, err := time.ParseDuration(d)
			assert.NoError(t, err, "compose reads %q as a Go-style duration", d)
		}
		assert.Positive(t, sandbox.Healthcheck.Retries)
	})

	t.Run("dependencies", func(t *testing.T) {
		for name, svc := range c.Services {
			for dep, d := range svc.DependsOn {
				assert.Contains(t, c.Services, dep, "%s depends on an existing service", name)
				assert.Contains(t, []string{"service_started", "service_healthy"}, d.Condition)
				if d.Condition == "service_healthy" && dep == "sandbox" {
					assert.NotEmpty(t, c.Services[dep].Healthcheck.Test)
				}
			}
		}
	})
}

func TestComposeFrontend(t *testing.T) {
	t.Parallel()
	c := readCompose(t)
	frontend := c.Services["frontend"]
	require.Len(t, frontend.Volumes, 1)
	src, target, ok := strings.Cut(frontend.Volumes[0], ":")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(target, "/usr/share/nginx/html"), "nginx serves the folder")
	data, err := os.ReadFile(filepath.Join("compose", src, "index.html"))
	require.NoError(t, err)
	page := string(data)

	find := func(re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(page)
		require.Len(t, m, 2, re)
		return m[1]
	}
	api, err := url.Parse(find(`params\.get\('api'\) \|\| '([^']+)'`))
	require.NoError(t, err)
	host, _ := publish(t, c.Services["sandbox"].Ports[0])
	assert.Equal(t, host, api.Port(), "the page calls the sandbox's published port")
	assert.NotRegexp(t, `(src|href)="https?://(?:[^l]|l[^o])`, page, "no external assets")

	fx := defaultFixtures(t)
	assert.Equal(t, fx.Project.AppToken, find(`params\.get\('token'\) \|\| '([^']+)'`))
	login, password := find(`login: '([^']+)'`), find(`password: '([^']+)'`)
	found := false
	for _, u := range fx.Users {
		found = found || (u.Identifier == login && u.Password == password)
	}
	assert.True(t, found, "the page logs in as a fixture user")
	account, ok := fx.PaymentAccount(find(`paymentAccountIdentifier: '([^']+)'`))
	require.True(t, ok)
	assert.True(t, account.HasCheckout(), "the page pays through the mock's checkout page")

	// The page calls /__admin from its own origin: the sandbox must list that origin.
	pagePort, _ := publish(t, frontend.Ports[0])
	allowed := strings.Split(c.Services["sandbox"].Environment["ONEENTRY_MOCK_ADMIN_ALLOW_ORIGIN"], ",")
	for i := range allowed {
		allowed[i] = strings.TrimSpace(allowed[i])
	}
	assert.Contains(t, allowed, "http://localhost:"+pagePort, "the sandbox grants the front end's origin access to /__admin")
	assert.Equal(t, "localhost", api.Hostname(), "a loopback Host, which the admin API answers without --allowed-hosts")

	content := validator(t, contracts.Load)
	admin := validator(t, contracts.LoadAdmin)
	paths := regexp.MustCompile(`'(/(?:api/content|__admin)/[^']*)'`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, paths)
	for _, m := range paths {
		v := admin
		if strings.HasPrefix(m[1], "/api/content/") {
			v = content
		}
		assert.True(t, routes(t, v, m[1]), "%s is an operation of the contracts", m[1])
	}
}

func validator(t *testing.T, load func(context.Context) (*openapi3.T, error)) *contracts.Validator {
	t.Helper()
	doc, err := load(t.Context())
	require.NoError(t, err)
	v, err := contracts.NewValidator(doc)
	require.NoError(t, err)
	return v
}

// routes reports whether path is an operation of v's contract for some method.
func routes(t *testing.T, v *contracts.Validator, path string) bool {
	t.Helper()
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		err := v.ValidateRequest(t.Context(), httptest.NewRequest(method, path, nil))
		if !errors.Is(err, contracts.ErrNoRoute) {
			return true
		}
	}
	return false
}

type workflowFile struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn         string            `yaml:"runs-on"`
		TimeoutMinutes int               `yaml:"timeout-minutes"`
		Env            map[string]string `yaml:"env"`
		Steps          []workflowStep    `yaml:"steps"`
	} `yaml:"jobs"`
}

type workflowStep struct {
	Name string         `yaml:"name"`
	Uses string         `yaml:"uses"`
	If   string         `yaml:"if"`
	Run  string         `yaml:"run"`
	With map[string]any `yaml:"with"`
}

// shellWords splits a command line as a POSIX shell would for the simple lines of the
// workflow: blanks and the operators ; | & separate words, quotes group them, $NAME and
// ${NAME} expand from env.
func shellWords(line string, env map[string]string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' && quote == 0:
			quote, inWord = c, true
		case c == '"':
			if quote == '"' {
				quote = 0
			} else {
				quote, inWord = c, true
			}
		case strings.IndexByte(" \t;|&", c) >= 0 && quote == 0:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i, w := range words {
		words[i] = os.Expand(w, func(name string) string { return env[name] })
	}
	return words
}

// commandLines returns every shell line of the job's run steps, continuation lines joined.
func commandLines(steps []workflowStep, env map[string]string) [][]string {
	var out [][]string
	for _, st := range steps {
		script := strings.ReplaceAll(st.Run, "\\\n", " ")
		for line := range strings.Lines(script) {
			if words := shellWords(strings.TrimSpace(line), env); len(words) > 0 {
				out = append(out, words)
			}
		}
	}
	return out
}

// flagValues parses --name value and --name=value pairs; it fails on anything that is no flag.
func flagValues(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok {
			name, ok = strings.CutPrefix(args[i], "-")
		}
		require.True(t, ok, "%q in %q is not a flag", args[i], args)
		if n, v, eq := strings.Cut(name, "="); eq {
			out[n] = v
			continue
		}
		require.Less(t, i+1, len(args), "flag %s has no value", name)
		out[name] = args[i+1]
		i++
	}
	return out
}

func TestCIWorkflow(t *testing.T) {
	t.Parallel()
	wf := readYAML[workflowFile](t, filepath.Join("ci", "github-actions.yml"))
	require.NotEmpty(t, wf.On, "the workflow has triggers")
	require.Len(t, wf.Jobs, 1)
	cmds, _ := commands(t)
	df := readDockerfile(t)
	compose := readCompose(t)

	for name, job := range wf.Jobs {
		t.Run(name, func(t *testing.T) {
			assert.NotEmpty(t, job.RunsOn)
			assert.Positive(t, job.TimeoutMinutes)
			lines := commandLines(job.Steps, job.Env)
			find := func(prefix ...string) []string {
				t.Helper()
				for _, l := range lines {
					if len(l) >= len(prefix) && slices.Equal(l[:len(prefix)], prefix) {
						return l[len(prefix):]
					}
				}
				t.Fatalf("no step runs %q", prefix)
				return nil
			}

			// The image: built from the repository's Dockerfile with arguments it declares.
			build := find("docker", "build")
			require.Equal(t, ".", build[len(build)-1], "the build context is the repository")
			built := flagValues(t, build[:len(build)-1])
			image := built["tag"]
			assert.Equal(t, compose.Services["sandbox"].Image, image, "the same image tag as the compose example")
			for flag, v := range built {
				switch flag {
				case "build-arg":
					arg, _, _ := strings.Cut(v, "=")
					assert.Contains(t, df.args, arg)
				case "tag":
				default:
					t.Errorf("unexpected docker build flag %s", flag)
				}
			}

			// The container: detached, the listening port published, only real variables.
			run := find("docker", "run", "--detach")
			require.Equal(t, image, run[len(run)-1], "runs the image just built")
			ran := flagValues(t, run[:len(run)-1])
			host, container := publish(t, ran["publish"])
			assert.Equal(t, portOf(t, df.env["ONEENTRY_MOCK_ADDR"]), container)
			assert.Contains(t, df.expose, container)
			if env, ok := ran["env"]; ok {
				name, _, _ := strings.Cut(env, "=")
				assert.True(t, cmds["oneentry-mock serve"].envs[name], "%s is read by serve", name)
			}
			base := "http://localhost:" + host

			// Waits on the health endpoint before testing.
			var waits, adminURLs []string
			for _, l := range lines {
				for _, w := range l {
					if u, ok := strings.CutPrefix(w, base); ok {
						if u == "/healthz" {
							waits = append(waits, w)
						}
						if strings.HasPrefix(u, "/__admin/") {
							adminURLs = append(adminURLs, u)
						}
					}
				}
			}
			assert.NotEmpty(t, waits, "a step polls %s/healthz", base)
			admin := validator(t, contracts.LoadAdmin)
			for _, u := range adminURLs {
				assert.True(t, routes(t, admin, u), "%s is in admin.yaml", u)
			}

			// The tool: built from the repository, then the two commands with real flags.
			tool := find("go", "build", "-o")
			require.Len(t, tool, 2)
			_, err := os.Stat(filepath.Join(root, tool[1]))
			require.NoError(t, err, "the command's package exists")
			bin := "./" + tool[0]
			var reports []string

			scen := flagValues(t, find(bin, "scenarios", "run"))
			set := cmds["oneentry-mock scenarios run"]
			for flag := range scen {
				assert.Contains(t, set.flags, flag, "scenarios run has --%s (%s)", flag, set.source)
			}
			assert.Equal(t, base, scen["target"], "the scenarios run against the container")
			assert.Equal(t, "junit", scen["format"])
			assert.Contains(t, set.flags["format"], scen["format"], "a format scenarios run writes")
			reports = append(reports, scen["out"])

			dr := flagValues(t, find(bin, "drift"))
			set = cmds["oneentry-mock drift"]
			for flag := range dr {
				assert.Contains(t, set.flags, flag, "drift has --%s (%s)", flag, set.source)
			}
			assert.Contains(t, drift.Formats, dr["format"])
			assert.Equal(t, "markdown", dr["format"])
			for _, file := range []string{dr["target"], dr["allow"]} {
				_, err := os.Stat(filepath.Join(root, file))
				assert.NoError(t, err, "%s is in the repository", file)
			}
			reports = append(reports, dr["out"])

			// Both reports are kept.
			var kept []string
			for _, st := range job.Steps {
				if strings.HasPrefix(st.Uses, "actions/upload-artifact@") {
					path, _ := st.With["path"].(string)
					kept = append(kept, strings.Fields(path)...)
				}
			}
			for _, r := range reports {
				assert.Contains(t, kept, r, "the %s report is uploaded", r)
			}
		})
	}
}
