package main

import (
	"flag"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commandFlags returns the flags command c defines.
func commandFlags(c *command) []*flag.Flag {
	f := newFlags(c.name)
	c.flags(f, envMap(nil))
	var out []*flag.Flag
	f.fs.VisitAll(func(fl *flag.Flag) { out = append(out, fl) })
	return out
}

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, arg := range []string{"--help", "-h"} {
				stdout, _, err := runCmd(t, nil, append(strings.Fields(c.name), arg)...)
				require.NoError(t, err, "help is not an error")
				first, _, _ := strings.Cut(stdout, "\n")
				assert.Equal(t, "oneentry-mock "+c.name+": "+c.synopsis, first, "help starts with the synopsis line")
				assert.Contains(t, stdout, "usage: oneentry-mock "+c.name)
				assert.Contains(t, stdout, "Example:\n  oneentry-mock ", "help ends with an example")
				for _, fl := range commandFlags(c) {
					assert.Contains(t, stdout, "\n  --"+fl.Name, "flags are shown as --flag")
					if c.env {
						assert.Contains(t, stdout, "env "+envName(fl.Name))
					}
				}
				assert.NotRegexp(t, `(?m)^\s+-[a-z]`, stdout, "no single-dash flags")
			}
		})
	}
}

func TestEveryUsageErrorExits2(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		lines := map[string][]string{"unknown flag": {"--bogus"}}
		if c.nargs == 0 {
			lines["stray argument"] = []string{"stray"}
		} else {
			lines["missing argument"] = nil
		}
		for _, fl := range commandFlags(c) {
			if _, isBool := fl.Value.(interface{ IsBoolFlag() bool }); !isBool {
				lines["no value for --"+fl.Name] = []string{"--" + fl.Name}
				break
			}
		}
		for _, fl := range commandFlags(c) {
			switch fl.Value.(type) {
			case interface{ IsBoolFlag() bool }:
				lines["bad boolean for --"+fl.Name] = []string{"--" + fl.Name + "=maybe"}
			case *urlValue:
				lines["bad URL for --"+fl.Name] = []string{"--" + fl.Name, "notaurl"}
			}
		}
		for name, args := range lines {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				if c.nargs > 0 && name != "missing argument" {
					args = append(args, "file")
				}
				_, stderr, err := runCmd(t, nil, append(strings.Fields(c.name), args...)...)
				require.Equal(t, 2, exitCode(t, err), "%v", err)
				var exit exitError
				require.ErrorAs(t, err, &exit)
				first, rest, _ := strings.Cut(exit.msg, "\n")
				assert.True(t, strings.HasPrefix(first, c.name+": "), "the error comes first: %q", first)
				assert.NotRegexp(t, `(^|[ :])-[a-z]`, first, "flags are named --flag")
				assert.Equal(t, "Run 'oneentry-mock "+c.name+" --help' for usage.", rest)
				assert.Empty(t, stderr, "no flag list")
			})
		}
	}
}

func TestTopLevelCommandLine(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		args     []string
		wantCode int
		want     string
	}{
		"no command":         {nil, 2, "no command given"},
		"unknown":            {[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		"group alone":        {[]string{"scenarios"}, 2, "scenarios: a subcommand is required"},
		"unknown in group":   {[]string{"scenarios", "walk"}, 2, `unknown command "scenarios walk"`},
		"fixtures alone":     {[]string{"fixtures"}, 2, "fixtures: a subcommand is required"},
		"help":               {[]string{"--help"}, 0, "healthcheck"},
		"group help":         {[]string{"scenarios", "--help"}, 0, "scenarios list"},
		"help of a group":    {[]string{"help", "scenarios"}, 0, "scenarios list"},
		"help unknown":       {[]string{"help", "nosuchcommand"}, 2, `unknown command "nosuchcommand"`},
		"help two unknown":   {[]string{"help", "serve", "extra"}, 2, `unknown command "serve extra"`},
		"group help unknown": {[]string{"scenarios", "help", "walk"}, 2, `unknown command "scenarios walk"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, _, err := runCmd(t, nil, tc.args...)
			require.Equal(t, tc.wantCode, exitCode(t, err), "%v", err)
			if err != nil {
				assert.Contains(t, err.Error(), tc.want)
				assert.Contains(t, err.Error(), "--help' for usage.")
				return
			}
			assert.Contains(t, stdout, tc.want)
		})
	}
	stdout, _, err := runCmd(t, nil, "--help")
	require.NoError(t, err)
	for _, c := range commands {
		assert.Contains(t, stdout, c.name+" ", "the command list names every command")
		assert.Contains(t, stdout, c.synopsis)
	}
}

// "help NAME" and "GROUP help SUB" show what NAME --help shows.
func TestHelpCommandShowsTheCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want, _, err := runCmd(t, nil, append(strings.Fields(c.name), "--help")...)
			require.NoError(t, err)
			lines := [][]string{append([]string{"help"}, strings.Fields(c.name)...), append([]string{"--help"}, strings.Fields(c.name)...)}
			if group, sub, ok := strings.Cut(c.name, " "); ok {
				lines = append(lines, []string{group, "help", sub}, []string{group, "-h", sub})
			}
			for _, args := range lines {
				got, _, err := runCmd(t, nil, args...)
				require.NoError(t, err, "%q", args)
				assert.Equal(t, want, got, "%q", args)
			}
		})
	}
}

// --help shows the help whatever the environment holds: a bad variable's error points to it.
func TestHelpDespiteBadVariables(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		if !c.env {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for _, fl := range commandFlags(c) {
				env[envName(fl.Name)] = "\x00not a value"
			}
			want, _, err := runCmd(t, nil, append(strings.Fields(c.name), "--help")...)
			require.NoError(t, err)
			for _, help := range []string{"--help", "-h"} {
				got, _, err := runCmd(t, env, append(strings.Fields(c.name), "--log-format", "json", help)...)
				require.NoError(t, err, help)
				assert.Equal(t, want, got, help)
			}
			_, _, err = runCmd(t, env, strings.Fields(c.name)...)
			assert.Equal(t, exitUsage, exitCode(t, err), "without --help the variable is still refused")
		})
	}
	_, _, err := runCmd(t, map[string]string{"ONEENTRY_MOCK_ADDR": "foo"}, "serve", "--help")
	require.NoError(t, err)
}

func TestVersion(t *testing.T) {
	t.Parallel()
	long, _, err := runCmd(t, nil, "--version")
	require.NoError(t, err)
	short, _, err := runCmd(t, nil, "version")
	require.NoError(t, err)
	assert.Equal(t, long, short)
	assert.True(t, strings.HasPrefix(long, "oneentry-mock "), long)

	info := &debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0c8d639"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, "oneentry-mock v1.2.3 (rev 0c8d639, 2026-12-01T10:00:00Z, modified) go1.25.0", versionLine(info, true, linkStamp{}))
	assert.Equal(t, "oneentry-mock 1.2.4 (rev 0c8d639, 2026-12-01T10:00:00Z, modified) go1.25.0", versionLine(info, true, linkStamp{version: "1.2.4", revision: "ffff"}),
		"a stamped version wins; Go's revision wins over a stamped one")
	noVCS := &debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "(devel)"}}
	assert.Equal(t, "oneentry-mock (devel) (no VCS revision) go1.25.0", versionLine(noVCS, true, linkStamp{}))
	// The container image's build: no .git in its context, version and revision from build args.
	assert.Equal(t, "oneentry-mock v1.3.0 (rev 302bf47a1b2c) go1.25.0", versionLine(noVCS, true, linkStamp{version: "v1.3.0", revision: "302bf47a1b2c"}))
	assert.Equal(t, "oneentry-mock unknown (rev unknown) go1.25.0", versionLine(noVCS, true, linkStamp{version: "unknown", revision: "unknown"}))
	assert.Contains(t, versionLine(nil, false, linkStamp{}), "unknown version")
}

func TestEnvNameFollowsTheFlag(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ONEENTRY_MOCK_ACCESS_TOKEN_TTL", envName("access-token-ttl"))
	assert.Equal(t, "ONEENTRY_MOCK_ADDR", envName("addr"))
	// What a required flag or argument needs, so that the parse gets as far as the flag tested.
	base := map[string]string{"ONEENTRY_MOCK_UPSTREAM": "https://p.example", "ONEENTRY_MOCK_RECORD": "d"}
	candidates := []string{"live-2026", "sdk-1.0.115", "json", "text", "warn", "error", "7s", "42", "9", "https://q.example", "https://r.example", "true", "false",
		"127.0.0.1:9001", "127.0.0.1:9002", "smtp://q.example:2525", "smtp://r.example"}
	for _, c := range commands {
		if !c.env {
			continue
		}
		var args []string
		for range c.nargs {
			args = append(args, "file")
		}
		for _, fl := range commandFlags(c) {
			t.Run(c.name+"/"+fl.Name, func(t *testing.T) {
				t.Parallel()
				// Two valid values as the flag prints them once set, the first not the default.
				var values []string
				for _, v := range candidates {
					if fl.Value.Set(v) == nil && !slices.Contains(values, fl.Value.String()) {
						values = append(values, fl.Value.String())
					}
				}
				require.GreaterOrEqual(t, len(values), 2, "candidate values for --%s", fl.Name)
				if values[0] == fl.DefValue {
					values[0], values[1] = values[1], values[0]
				}
				parsed := func(env map[string]string, args []string) string {
					t.Helper()
					f := newFlags(c.name)
					c.flags(f, envMap(nil))
					_, err := c.parseDefined(f, args, envMap(env))
					require.NoError(t, err)
					return f.fs.Lookup(fl.Name).Value.String()
				}
				env := maps.Clone(base)
				env[envName(fl.Name)] = values[0]
				assert.Equal(t, values[0], parsed(env, args), "the variable beats the default")
				assert.Equal(t, values[1], parsed(env, append([]string{"--" + fl.Name + "=" + values[1]}, args...)), "the flag beats the variable")

				env[envName(fl.Name)] = "\x00not a value"
				f := newFlags(c.name)
				c.flags(f, envMap(nil))
				if _, err := c.parseDefined(f, args, envMap(env)); err != nil {
					assert.Contains(t, err.Error(), "--"+fl.Name+": "+envName(fl.Name), "a bad variable names its flag")
				}
			})
		}
	}
}

func TestDurationsAndSizes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		value   string
		want    time.Duration
		wantErr string
	}{
		"go duration":  {"90s", 90 * time.Second, ""},
		"bare seconds": {"36000", 10 * time.Hour, ""},
		"zero":         {"0", 0, "must be positive"},
		"negative":     {"-5s", 0, "must be positive"},
		"garbage":      {"soon", 0, `"soon" is not a duration`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var d durationValue
			err := d.Set(tc.value)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, time.Duration(d))
		})
	}
	var n positiveValue
	assert.ErrorContains(t, n.Set("lots"), `"lots" is not a whole number`)
	assert.ErrorContains(t, n.Set("0"), "must be positive")
	require.NoError(t, n.Set("4096"))
	assert.Equal(t, positiveValue(4096), n)
}
