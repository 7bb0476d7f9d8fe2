package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/pull"
)

var pullCommand = &command{
	name:     "fixtures pull",
	synopsis: "mirror a project's public read side into a fixture folder",
	help: `Walks a OneEntry project's content API as a front end reads it (auth providers, forms, product
statuses, integration collections and their rows, the site's pages, blocks, menus, locales,
attribute sets and templates, the products the catalogue lists and the forms offer, the discounts with the coupons
--coupon names, and with --user the order
storages, their statuses, payment accounts and the user's profile), in each --lang, and writes
a fixture folder that "serve --fixtures DIR" serves. Each form's submissions are read once, to
learn whether the project lets a site read them (the form's answer does not say). Texts that differ between languages are
kept per language; the project's other active languages, and one it does not hold, are read
too (not written) to learn where it answers a language it lacks blank. Lists are read page by page; 429 and 5xx answers are retried with back-off; a 401 or 403 stops the pull and names the step (but for the read of a form's submissions, which only tells whether the form is private). Files the project serves at its own
media path are copied into media/; links elsewhere stay links.

Nothing secret is written: the app token is replaced by a generated one (printed at the end), and
the users log in with the password "<password>" unless --users gives a users.json of your own.

Example:
  oneentry-mock fixtures pull --url https://my-project.oneentry.cloud --app-token "$TOKEN" \
    --lang en_US,ru_RU --user me@example.com --password "$PASSWORD" --out ./my-fixtures`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var o pull.Options
		var out string
		var users []byte
		var force bool
		f.checked(&o.URL, "url", "", "URL", "the project's address, e.g. https://my-project.oneentry.cloud (no query or fragment)", func(s string) error {
			_, err := pull.ParseURL(s)
			return err
		})
		f.string(&o.AppToken, "app-token", "", "TOKEN", "the project's app token (sent, never written)")
		f.checkedList(&o.Langs, "lang", "LANGS", "comma-separated languages to read, the default one first (default en_US)", pull.CheckLang)
		f.string(&o.User, "user", "", "LOGIN", "sign in as this user to read order storages, statuses and payment accounts")
		f.string(&o.Password, "password", "", "PASSWORD", "the user's password (never written)")
		f.list(&o.Menus, "menu", "MARKERS", "comma-separated menus to read (default main): the API lists none")
		f.list(&o.Coupons, "coupon", "CODES", "comma-separated coupon codes to copy under their discounts: the API lists none")
		f.string(&o.Provider, "provider", "", "MARKER", "the auth provider to sign in with (default: the first listed)")
		f.value(usersFile{&users}, "users", "FILE", "a users.json to write instead of the pulled user")
		f.required("url", &o.URL, "the project's address")
		f.required("app-token", &o.AppToken, "the project's app token")
		fixtureOutFlags(f, &out, &force)
		f.check(func() error {
			// pull.Run refuses this too, but as a failed run (exit 1); here it is a usage error.
			if (o.User == "") != (o.Password == "") {
				return errors.New("--user and --password go together: give both to read what a signed-in user sees, or neither")
			}
			return nil
		})
		return func(ctx context.Context, _ []string, sio stdio) error {
			progress := newPullProgress(sio.stderr)
			o.Progress = progress
			set, err := pull.Run(ctx, o)
			progress.done()
			if err != nil {
				return err
			}
			if users != nil {
				set.Files[store.FileUsers] = users
			}
			return writeFixtureSet(set, out, force, sio.stdout, sio.stderr)
		}
	},
}

// usersFile reads the users.json --users names when the flag is parsed, so that a file that
// cannot be read is a usage error before the pull, not a failure after it.
type usersFile struct{ p *[]byte }

func (v usersFile) Set(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(data)) == "" {
		return fmt.Errorf("%s is empty", path)
	}
	*v.p = data
	return nil
}

func (v usersFile) String() string { return "" }

// pullProgress shows what the pull reads: one line rewritten in place on a terminal, a line
// per finished page elsewhere (a CI log).
type pullProgress struct {
	w        io.Writer
	terminal bool
	open     bool
	// shown is how many characters of the terminal's line the last step wrote, which a shorter
	// line covers with spaces: an escape to clear the line (ESC [K) shows as ←[K on a Windows
	// console without virtual-terminal processing.
	shown int
}

func newPullProgress(w io.Writer) *pullProgress {
	return &pullProgress{w: w, terminal: isTerminal(w)}
}

func (p *pullProgress) Step(name string, pages, items, total int) {
	line := "reading " + name
	switch {
	case pages == 0:
		line += "…"
	case total >= 0:
		line += fmt.Sprintf(": %d of %d", items, total)
	default:
		line += fmt.Sprintf(": %d", items)
	}
	if p.terminal {
		width := utf8.RuneCountInString(line)
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(p.shown-width, 0)))
		p.shown = width
		p.open = true
		return
	}
	if pages > 0 {
		fmt.Fprintln(p.w, line)
	}
}

// done ends the line a terminal was shown.
func (p *pullProgress) done() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open, p.shown = false, 0
	}
}
