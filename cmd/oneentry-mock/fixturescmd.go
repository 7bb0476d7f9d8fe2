package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/internal/shellword"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

var fromCapsuleCommand = &command{
	name:     "fixtures from-capsule",
	synopsis: "derive a fixture set from a capsule's recorded answers",
	args:     "CAPSULE",
	nargs:    1,
	help: `Derives a fixture set from the answers a capsule recorded, so that "serve --fixtures DIR" is a
sandbox of the recorded project: forms and products as recorded, payment accounts, order storages,
auth providers and users recorded or rebuilt from the orders, sessions and logins that used them.
The app token is the capsule's placeholder and users log in with the password "<password>". What
had to be guessed is printed. The set is checked by loading it before anything is written.

Example:
  oneentry-mock fixtures from-capsule capsules/capsule-20260101T120000Z.json --out ./my-fixtures`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var out string
		var force bool
		fixtureOutFlags(f, &out, &force)
		return func(_ context.Context, args []string, sio stdio) error {
			return fromCapsule(args[0], out, force, sio.stdout, sio.stderr)
		}
	},
}

func fromCapsule(path, out string, force bool, stdout, stderr io.Writer) error {
	c, err := capsule.Load(path)
	if err != nil {
		return err
	}
	set, err := capsule.DeriveFixtures(c)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFixtureSet(set, out, force, stdout, stderr)
}

// fixtureOutFlags defines --out and --force of a command that writes a fixture set, and checks
// them before the command does any work: --out must be a folder or one that can be made, and,
// without --force, hold none of the files every set has.
func fixtureOutFlags(f *flags, out *string, force *bool) {
	f.string(out, "out", "", "DIR", "folder to write the fixture files to (created if missing)")
	f.bool(force, "force", false, "overwrite fixture files already in the folder")
	f.required("out", out, "the folder to write to")
	f.check(func() error {
		if err := checkFolderToMake(*out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		return refuseOverwrite(*out, everySetsFiles, *force)
	})
}

// everySetsFiles are the files capsule.DeriveFixtures puts in every set it derives, and so in
// every set either command writes.
var everySetsFiles = []string{capsule.FixtureProject, capsule.FixtureAuthProviders, capsule.FixtureUsers,
	capsule.FixtureForms, capsule.FixtureProducts, capsule.FixtureOrderStorages, capsule.FixturePaymentAccounts}

// checkFolderToMake fails when dir is not a folder and cannot be made one: it, or the nearest
// of its parents that exists, is a file.
func checkFolderToMake(dir string) error {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		switch {
		case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && filepath.Dir(p) != p:
			continue
		case err != nil:
			return err
		case info.IsDir():
			return nil
		case p == filepath.Clean(dir):
			return fmt.Errorf("%s is a file, not a folder", dir)
		default:
			return fmt.Errorf("cannot make the folder %s: %s is a file", dir, p)
		}
	}
}

// refuseOverwrite fails, unless force is set, when dir already holds one of the files names.
func refuseOverwrite(dir string, names []string, force bool) error {
	if force {
		return nil
	}
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%s already has %s; use --force to overwrite", dir, name)
		}
	}
	return nil
}

// writeFixtureSet checks that out, once set is written into it, loads as serve would load it:
// the set's files with those out holds already (a pages.json of a pull before, say), then
// writes the set, all or nothing, and says how to serve it. A set that cannot make a valid
// sandbox leaves the folder untouched.
func writeFixtureSet(set *capsule.FixtureSet, out string, force bool, stdout, stderr io.Writer) error {
	if err := refuseOverwrite(out, slices.Sorted(maps.Keys(set.Files)), force); err != nil {
		return err
	}
	fx, err := store.LoadFixtures(set.FS(out))
	if err != nil {
		return fmt.Errorf("the fixtures do not load in %s, which is left as it was: %w", out, err)
	}
	if err := set.WriteDir(out); err != nil {
		return err // it names the path
	}
	for _, n := range set.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	fmt.Fprintf(stdout, "wrote %d fixture files to %s\n", len(set.Files), out)
	fmt.Fprintf(stdout, "  serve them: oneentry-mock serve --fixtures %s\n", shellword.Native(out))
	fmt.Fprintf(stdout, "  app token: %s\n", fx.Project.AppToken)
	for _, u := range fx.Users {
		fmt.Fprintf(stdout, "  login:     %s / %s (auth provider %q)\n", u.Identifier, u.Password, u.AuthProviderIdentifier)
	}
	return nil
}
