package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

const fixturesUsage = `usage: oneentry-mock fixtures <subcommand> [flags]

subcommands:
  from-capsule CAPSULE --out DIR   derive a fixture set from a capsule's recorded answers

Run "oneentry-mock fixtures from-capsule --help" for its flags.
`

const fromCapsuleHelp = `usage: oneentry-mock fixtures from-capsule CAPSULE --out DIR [--force]

Derives a fixture set from the answers a capsule recorded, so that "serve --fixtures DIR" is a
sandbox of the recorded project: forms and products as recorded, payment accounts, order storages,
auth providers and users recorded or rebuilt from the orders, sessions and logins that used them.
The app token is the capsule's placeholder and users log in with the password "<password>". What
had to be guessed is printed. The set is checked by loading it before anything is written.

flags:
`

// runFixtures dispatches the fixtures subcommands.
func runFixtures(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, fixturesUsage)
		return exitError{code: 2}
	}
	switch args[0] {
	case "from-capsule":
		return runFromCapsule(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, fixturesUsage)
		return nil
	default:
		fmt.Fprint(stderr, fixturesUsage)
		return exitError{code: 2, msg: fmt.Sprintf("unknown fixtures subcommand %q", args[0])}
	}
}

func runFromCapsule(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("oneentry-mock fixtures from-capsule", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), fromCapsuleHelp)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "folder to write the fixture files to (created if missing)")
	force := fs.Bool("force", false, "overwrite fixture files already in the folder")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return fmt.Errorf("fixtures from-capsule: want one capsule file, got %d arguments", len(positional))
	}
	if *out == "" {
		return errors.New("fixtures from-capsule: --out DIR is required")
	}
	c, err := capsule.Load(positional[0])
	if err != nil {
		return err
	}
	set, err := capsule.DeriveFixtures(c)
	if err != nil {
		return fmt.Errorf("%s: %w", positional[0], err)
	}
	if !*force {
		for name := range set.Files {
			if _, err := os.Stat(filepath.Join(*out, name)); err == nil {
				return fmt.Errorf("%s already has %s; use --force to overwrite", *out, name)
			}
		}
	}
	// The set is loaded as serve would load it before anything is written: a capsule that
	// cannot make a valid sandbox leaves the folder untouched.
	tmp, err := os.MkdirTemp("", "oneentry-mock-fixtures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := set.WriteDir(tmp); err != nil {
		return err
	}
	fx, err := store.LoadFixtures(os.DirFS(tmp))
	if err != nil {
		return fmt.Errorf("the derived fixtures do not load: %w", err)
	}
	if err := set.WriteDir(*out); err != nil {
		return err
	}
	for _, n := range set.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	fmt.Fprintf(stdout, "wrote %d fixture files to %s\n", len(set.Files), *out)
	fmt.Fprintf(stdout, "  serve them: oneentry-mock serve --fixtures %s\n", *out)
	fmt.Fprintf(stdout, "  app token: %s\n", fx.Project.AppToken)
	for _, u := range fx.Users {
		fmt.Fprintf(stdout, "  login:     %s / %s (auth provider %q)\n", u.Identifier, u.Password, u.AuthProviderIdentifier)
	}
	return nil
}
