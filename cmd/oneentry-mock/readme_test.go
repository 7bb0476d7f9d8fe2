package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// repoRoot is the repository, relative to this package.
const repoRoot = "../.."

// codeBlocks returns the lines of the fenced code blocks of a Markdown file in language lang.
func codeBlocks(t *testing.T, file, lang string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, file))
	require.NoError(t, err)
	var blocks [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```"+lang:
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// shellCommands splits the shell lines of a file's sh blocks into commands: lines ending in
// "\" joined to the next, comments dropped, "a && b" split, each command as words (quotes
// removed; the documents quote no spaces).
func shellCommands(t *testing.T, file string) [][]string {
	t.Helper()
	var out [][]string
	for _, block := range codeBlocks(t, file, "sh") {
		var joined []string
		pending := ""
		for _, line := range block {
			if cont, ok := strings.CutSuffix(strings.TrimRight(line, " "), "\\"); ok {
				pending += cont + " "
				continue
			}
			joined = append(joined, pending+line)
			pending = ""
		}
		for _, line := range joined {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			for _, part := range strings.Split(line, "&&") {
				words := strings.Fields(part)
				for i, w := range words {
					words[i] = strings.Trim(w, `"'`)
				}
				if len(words) > 0 && !strings.HasPrefix(words[0], "#") {
					out = append(out, words)
				}
			}
		}
	}
	return out
}

// toolArgs returns the arguments of a command line that runs this tool, however it is
// started: npx [its flags] oneentry-mock, go run ./cmd/oneentry-mock, or the binary.
func toolArgs(words []string) ([]string, bool) {
	if len(words) >= 2 && words[0] == "npx" {
		i := 1
		for i < len(words) && strings.HasPrefix(words[i], "-") {
			if words[i] == "--package" || words[i] == "-p" {
				i++ // its value
			}
			i++
		}
		if i < len(words) && words[i] == "oneentry-mock" {
			return words[i+1:], true
		}
	}
	switch {
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/oneentry-mock":
		return words[3:], true
	case len(words) >= 1 && (words[0] == "oneentry-mock" || words[0] == "./oneentry-mock"):
		return words[1:], true
	}
	return nil, false
}

// TestReadmeCommands runs the commands of the README's front page as it writes them, so the
// page cannot drift from the tool: every command is one this test knows how to check, and
// each passes.
func TestReadmeCommands(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	ciRun, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	require.NoError(t, err)

	var image string
	served, starts := 0, map[string]bool{}
	for _, words := range shellCommands(t, "README.md") {
		line := strings.Join(words, " ")
		if args, ok := toolArgs(words); ok {
			starts[words[0]] = true
			require.NotEmpty(t, args, line)
			if args[0] != "serve" {
				_, stderr, err := runCmd(t, nil, args...)
				require.NoError(t, err, "%s: %s", line, stderr)
				continue
			}
			// serve as written, on a free port instead of 8080 (a later --addr wins).
			url, _ := startServe(t, args[1:], nil)
			resp, err := http.Get(url + "/healthz")
			require.NoError(t, err, line)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode, line)
			served++
			continue
		}
		switch {
		case len(words) >= 2 && words[0] == "docker" && words[1] == "build":
			assert.Equal(t, ".", words[len(words)-1], "%s: builds the repository's Dockerfile", line)
			for i, w := range words {
				if w == "-t" || w == "--tag" {
					image = words[i+1]
				}
			}
			require.NotEmpty(t, image, "%s names its image", line)
			// The context has no .git: what --version prints comes from these two.
			for _, arg := range []string{"VERSION", "REVISION"} {
				assert.Contains(t, line, "--build-arg "+arg+"=", "%s: stamps the version", line)
				assert.Regexp(t, `(?m)^ARG `+arg+`=`, string(dockerfile), "the Dockerfile declares %s", arg)
			}
		case len(words) >= 2 && words[0] == "docker" && words[1] == "run":
			assert.Equal(t, image, words[len(words)-1], "%s runs the image the build line makes", line)
			for i, w := range words {
				if w == "-p" || w == "--publish" {
					parts := strings.Split(words[i+1], ":")
					assert.Equal(t, "127.0.0.1", parts[0], "%s publishes on loopback only", line)
					assert.Contains(t, string(dockerfile), "EXPOSE "+parts[len(parts)-1])
					assert.Contains(t, string(dockerfile), "ONEENTRY_MOCK_ADDR=0.0.0.0:"+parts[len(parts)-1], "the image listens on the published port")
				}
			}
		case len(words) == 3 && words[0] == "bash" && words[1] == "npm/pack.sh":
			// Builds the npm package into a folder, which the npx line after it runs: as the
			// script's usage says (and .ci/run packs and runs it), OUTDIR/oneentry-mock-<version>.tgz.
			script, err := os.ReadFile(filepath.Join(repoRoot, "npm", "pack.sh"))
			require.NoError(t, err)
			assert.Contains(t, string(script), "OUTDIR/oneentry-mock-<version>.tgz")
			assert.Contains(t, string(readme), "--package ./"+words[2]+"/oneentry-mock-*.tgz oneentry-mock", "%s: npx runs the package it built", line)
		case len(words) >= 2 && words[0] == "go" && words[1] == "test":
			assert.Equal(t, "./...", words[len(words)-1], line)
			// -race and a longer bound per package do not change what runs.
			assert.Regexp(t, `(?m)^go test (-race )?(-timeout \w+ )?\./\.\.\.$`, string(ciRun), ".ci/run runs the README's test command")
		default:
			t.Errorf("README command %q: TestReadmeCommands does not know how to check it", line)
		}
	}
	assert.Equal(t, 2, served, "npx and go run both start serve")
	assert.True(t, starts["npx"] && starts["go"], "the three ways to start: npx, docker, go run")
	assert.NotEmpty(t, image, "the docker way")

	// What the page promises about the running sandbox.
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	text := string(readme)
	assert.Contains(t, text, "`http://"+defaultAddr+"`")
	assert.Contains(t, text, "http://"+defaultAddr+"/__admin/ui/", "the dashboard URL")
	assert.Contains(t, text, "app token `"+fx.Project.AppToken+"`")
	assert.Contains(t, text, "`"+fx.Users[0].Identifier+"` / `"+fx.Users[0].Password+"`")
	npmIndex, err := os.ReadFile(filepath.Join(repoRoot, "npm", "index.js"))
	require.NoError(t, err)
	assert.Contains(t, string(npmIndex), "/__admin/ui/", "startMock's dashboardUrl is the README's")

	// The first screen holds all of the above, and the glossary, before the documentation table.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l == "## Documentation" {
			assert.LessOrEqual(t, i, 60, "the front page's first screen is at most 60 lines")
		}
	}
	for _, word := range []string{"sandbox", "fixtures", "compat profile", "scenario", "drift", "capsule"} {
		assert.Regexp(t, `(?m)^\| `+word+` \|`, text, "the glossary explains %q", word)
	}
}

// TestDocumentedCommandsParse checks every command line of the documentation pages against
// the command table: a renamed flag or command fails here, not in a reader's terminal.
func TestDocumentedCommandsParse(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	require.NoError(t, err)
	files = append(files, filepath.Join(repoRoot, "README.md"), filepath.Join(repoRoot, "npm", "README.md"))
	n := 0
	for _, f := range files {
		rel, err := filepath.Rel(repoRoot, f)
		require.NoError(t, err)
		for _, words := range shellCommands(t, rel) {
			args, ok := toolArgs(words)
			if !ok || len(args) == 0 || isHelp(args[0]) || args[0] == "--version" {
				continue
			}
			// The pages run from the repository's root; this test runs two folders below it.
			for i, a := range args {
				if info, err := os.Stat(filepath.Join(repoRoot, a)); err == nil && info.Mode().IsRegular() {
					args[i] = filepath.Join(repoRoot, a)
				}
			}
			cmd, rest := lookup(args)
			if !assert.NotNil(t, cmd, "%s: %q names no command", rel, strings.Join(words, " ")) {
				continue
			}
			_, _, err := cmd.parse(rest, func(string) string { return "" })
			assert.NoError(t, err, "%s: %q", rel, strings.Join(words, " "))
			n++
		}
	}
	assert.Greater(t, n, 10)
}

// The capsule file names the documentation shows are the ones proxy writes.
func TestDocumentedCapsuleNames(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "capsules.md"))
	require.NoError(t, err)
	p, err := capsulePath(t.TempDir(), time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	name := filepath.Base(p)
	assert.Contains(t, string(doc), "capsules/"+name)
	for _, m := range regexp.MustCompile(`capsules/(\S+?\.json)`).FindAllStringSubmatch(string(doc), -1) {
		assert.Equal(t, name, m[1], "every capsule name in docs/capsules.md has proxy's form")
	}
}
