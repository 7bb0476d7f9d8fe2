package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"strings"
)

// command is one entry of the command table.
type command struct {
	// name is what follows oneentry-mock on the command line: "serve", "scenarios run".
	name string
	// synopsis is one line: the command list shows it and help starts with it.
	synopsis string
	// args is the usage after the name and before [flags], e.g. "CAPSULE".
	args string
	// nargs is how many positional arguments the command takes.
	nargs int
	// help says what the command does and ends with an example.
	help string
	// env makes every flag default to its environment variable (envName).
	env bool
	// flags defines the command's flags on f, parsing into values the returned run reads.
	flags func(f *flags, getenv func(string) string) runFunc
}

// runFunc runs a command whose flags are parsed; args are its positional arguments.
type runFunc func(ctx context.Context, args []string, io stdio) error

// configFlags is the flags function of a command that takes no arguments and whose flags all
// parse, through define, into one config that run is given.
func configFlags[C any](define func(*flags, *C), run func(context.Context, C, stdio) error) func(*flags, func(string) string) runFunc {
	return func(f *flags, _ func(string) string) runFunc {
		var cfg C
		define(f, &cfg)
		return func(ctx context.Context, _ []string, sio stdio) error {
			return run(ctx, cfg, sio)
		}
	}
}

// stdio is what a running command reads and writes besides its flags.
type stdio struct {
	getenv         func(string) string
	stdout, stderr io.Writer
}

// commands is the command table; a name with a space is a subcommand of its first word.
var commands []*command

func init() {
	commands = []*command{serveCommand, healthcheckCommand, scenariosRunCommand, scenariosListCommand,
		driftCommand, proxyCommand, replayCommand, fromCapsuleCommand, pullCommand, versionCommand}
}

// exitError ends the process with a specific code (scenario and drift runs use 1 and 2).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// exitUsage is the exit code of a command line that cannot be run.
const exitUsage = 2

// usageError is a command line that cannot be run: the error, then where help is.
func usageError(name string, err error) error {
	prog, msg := "oneentry-mock", err.Error()
	if name != "" {
		prog, msg = prog+" "+name, name+": "+msg
	}
	// The flag package names flags with one dash; help and the README use two.
	msg = flagDash.ReplaceAllString(msg, "${1}--${2}")
	// A refused value is quoted back, and a URL's password (--smtp-url) would end up in a
	// CI log with it.
	msg = urlPassword.ReplaceAllString(msg, "${1}xxxxx@")
	return exitError{code: exitUsage, msg: fmt.Sprintf("%s\nRun '%s --help' for usage.", msg, prog)}
}

// flagDash matches a flag name as the flag package writes it in its messages ("flag needs an
// argument: -addr", "invalid value … for flag -x", "invalid boolean value … for -x").
var flagDash = regexp.MustCompile(`((?:flag |for |defined: |argument: ))-([a-z])`)

// urlPassword matches the user and password of a URL written in a message.
var urlPassword = regexp.MustCompile(`(://[^\s:/@"]*:)[^\s@"]*@`)

// run is main without the process: arguments, environment and output are parameters, so
// tests drive it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--version" {
		args = append([]string{"version"}, args[1:]...)
	}
	if len(args) > 0 && isHelp(args[0]) {
		return writeHelpFor(stdout, "", args[1:], getenv)
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		group := ""
		if len(args) > 0 && hasGroup(args[0]) {
			group = args[0]
			args = args[1:]
		}
		switch {
		case len(args) > 0 && isHelp(args[0]):
			return writeHelpFor(stdout, group, args[1:], getenv)
		case len(args) == 0 && group == "":
			return usageError("", errors.New("no command given"))
		case len(args) == 0:
			return usageError(group, errors.New("a subcommand is required"))
		default:
			return usageError(group, fmt.Errorf("unknown command %q", strings.TrimSpace(group+" "+args[0])))
		}
	}
	runCmd, positional, err := cmd.parse(rest, getenv)
	if errors.Is(err, flag.ErrHelp) {
		cmd.writeHelp(stdout, getenv)
		return nil
	}
	if err != nil {
		return usageError(cmd.name, err)
	}
	return runCmd(ctx, positional, stdio{getenv: getenv, stdout: stdout, stderr: stderr})
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

// writeHelpFor answers "help NAME…" within group ("" for all): the help of the command NAME…
// names, as its --help shows it, the command list of a group, or with no name the list of group.
func writeHelpFor(w io.Writer, group string, name []string, getenv func(string) string) error {
	full := append(strings.Fields(group), name...)
	if cmd, rest := lookup(full); cmd != nil && len(rest) == 0 {
		cmd.writeHelp(w, getenv)
		return nil
	}
	switch {
	case len(name) == 0:
		writeCommandList(w, group)
	case group == "" && len(name) == 1 && hasGroup(name[0]):
		writeCommandList(w, name[0])
	default:
		return usageError(group, fmt.Errorf("unknown command %q", strings.Join(full, " ")))
	}
	return nil
}

// lookup finds the command args name, the longest name first, and returns the rest of args.
func lookup(args []string) (*command, []string) {
	var best *command
	var rest []string
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) <= len(args) && strings.Join(args[:len(words)], " ") == c.name &&
			(best == nil || len(words) > len(strings.Fields(best.name))) {
			best, rest = c, args[len(words):]
		}
	}
	return best, rest
}

// hasGroup reports whether word starts the name of a subcommand.
func hasGroup(word string) bool {
	for _, c := range commands {
		if strings.HasPrefix(c.name, word+" ") {
			return true
		}
	}
	return false
}

// parse defines the command's flags, applies their environment variables, then the command
// line; flags may come before or after positional arguments ("replay FILE --addr :9000").
func (c *command) parse(args []string, getenv func(string) string) (runFunc, []string, error) {
	f := newFlags(c.name)
	runCmd := c.flags(f, getenv)
	positional, err := c.parseDefined(f, args, getenv)
	return runCmd, positional, err
}

// parseDefined parses args into the flags defined on f.
func (c *command) parseDefined(f *flags, args []string, getenv func(string) string) ([]string, error) {
	f.fs.SetOutput(io.Discard)
	f.fs.Usage = func() {}
	// A bad variable fails the parse only once the command line has been read: --help, which
	// the error points to, still shows the help.
	var envErr error
	if c.env {
		f.fs.VisitAll(func(fl *flag.Flag) {
			if v := getenv(envName(fl.Name)); v != "" && envErr == nil {
				if serr := fl.Value.Set(v); serr != nil {
					envErr = fmt.Errorf("--%s: %s=%q: %w", fl.Name, envName(fl.Name), v, serr)
				}
			}
		})
		f.fs.VisitAll(func(fl *flag.Flag) {
			if l, ok := fl.Value.(*listValue); ok {
				l.replace = true // the command line's list wins over the variable's
			}
		})
	}
	var positional []string
	for {
		if err := f.fs.Parse(args); err != nil {
			if envErr != nil && !errors.Is(err, flag.ErrHelp) {
				return nil, envErr
			}
			return nil, err
		}
		args = f.fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if envErr != nil {
		return nil, envErr
	}
	if len(positional) != c.nargs {
		if c.nargs == 0 {
			return nil, fmt.Errorf("unexpected arguments %q", positional)
		}
		return nil, fmt.Errorf("want %s, got %d arguments", c.args, len(positional))
	}
	for _, check := range f.checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return positional, nil
}

// writeHelp prints the synopsis, usage, description with example, and the flags as --flag.
func (c *command) writeHelp(w io.Writer, getenv func(string) string) {
	f := newFlags(c.name)
	c.flags(f, getenv)
	usage := "oneentry-mock " + c.name
	if c.args != "" {
		usage += " " + c.args
	}
	fmt.Fprintf(w, "oneentry-mock %s: %s\n\nusage: %s [flags]\n\n%s\n", c.name, c.synopsis, usage, strings.TrimSpace(c.help))
	n := 0
	f.fs.VisitAll(func(fl *flag.Flag) {
		if n == 0 {
			fmt.Fprint(w, "\nflags:\n")
		}
		n++
		fmt.Fprintf(w, "  --%s", fl.Name)
		if m := f.meta[fl.Name]; m != "" {
			fmt.Fprintf(w, " %s", m)
		}
		fmt.Fprintf(w, "\n      %s", fl.Usage)
		var notes []string
		if fl.DefValue != "" && fl.DefValue != "false" {
			notes = append(notes, fmt.Sprintf("default %q", fl.DefValue))
		}
		if c.env {
			notes = append(notes, "env "+envName(fl.Name))
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(notes, "; "))
		}
		fmt.Fprintln(w)
	})
}

// writeCommandList prints the commands of group ("" for all) with their synopses.
func writeCommandList(w io.Writer, group string) {
	prefix := "oneentry-mock"
	if group != "" {
		prefix += " " + group
	}
	fmt.Fprintf(w, "usage: %s <command> [flags]\n\ncommands:\n", prefix)
	for _, c := range commands {
		if group == "" || strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(w, "  %-22s %s\n", c.name, c.synopsis)
		}
	}
	fmt.Fprintf(w, "\nRun \"oneentry-mock <command> --help\" for a command's flags; oneentry-mock --version prints the version.\n")
}

var versionCommand = &command{
	name:     "version",
	synopsis: "print the module version and VCS revision of this build",
	help: `The version is the one a release build was stamped with (npm/pack.sh), else the module's (a
tag for "go install ...@v1.2.3", a pseudo-version or "(devel)" for a local build);
the revision, its time and "modified" come from the VCS stamp Go puts in the build.

Example:
  oneentry-mock --version`,
	flags: func(*flags, func(string) string) runFunc {
		return func(_ context.Context, _ []string, io stdio) error {
			info, ok := debug.ReadBuildInfo()
			fmt.Fprintln(io.stdout, versionLine(info, ok, linkStamp{version: version, revision: revision}))
			return nil
		}
	},
}

// version, when set at link time (-ldflags "-X main.version=1.2.3", as npm/pack.sh does for
// the release binaries and the Dockerfile from its VERSION argument), is the version printed
// instead of the module's.
var version string

// revision, when set at link time (the Dockerfile's REVISION argument), is the VCS revision
// printed when Go stamped none: a build whose source has no .git, as the image's context.
var revision string

// linkStamp is what the build set with -X: version and revision, each "" when not set.
type linkStamp struct{ version, revision string }

// versionLine describes a build: "oneentry-mock v1.2.3 (rev 0c8d639, 2026-12-01T10:00:00Z, modified)".
func versionLine(info *debug.BuildInfo, ok bool, linked linkStamp) string {
	if !ok {
		return "oneentry-mock (unknown version: no build info)"
	}
	v := info.Main.Version
	if linked.version != "" {
		v = linked.version
	}
	if v == "" {
		v = "(devel)"
	}
	var stamp []string
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := cmp.Or(settings["vcs.revision"], linked.revision); rev != "" {
		stamp = append(stamp, "rev "+rev)
	}
	if t := settings["vcs.time"]; t != "" {
		stamp = append(stamp, t)
	}
	if settings["vcs.modified"] == "true" {
		stamp = append(stamp, "modified")
	}
	if len(stamp) == 0 {
		stamp = append(stamp, "no VCS revision")
	}
	return fmt.Sprintf("oneentry-mock %s (%s) %s", v, strings.Join(stamp, ", "), info.GoVersion)
}
