package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// envPrefix starts the environment variable of every flag of a command that reads them.
const envPrefix = "ONEENTRY_MOCK_"

// envName is the variable that gives flag name its default: ONEENTRY_MOCK_ and the name in
// upper snake case (--access-token-ttl: ONEENTRY_MOCK_ACCESS_TOKEN_TTL).
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flags is the flag set of one command: every flag parses into its typed value once, and
// checks registered with check run after parsing; both fail as usage errors.
type flags struct {
	fs     *flag.FlagSet
	checks []func() error
	// meta names each flag's value in help (--addr ADDR); a bool flag has none.
	meta map[string]string
}

func newFlags(name string) *flags {
	fs := flag.NewFlagSet("oneentry-mock "+name, flag.ContinueOnError)
	return &flags{fs: fs, meta: map[string]string{}}
}

func (f *flags) value(v flag.Value, name, meta, usage string) {
	f.fs.Var(v, name, usage)
	f.meta[name] = meta
}

// check adds a test of the parsed values, such as a flag that is required.
func (f *flags) check(fn func() error) { f.checks = append(f.checks, fn) }

// required fails the parse when the string flag name is left empty.
func (f *flags) required(name string, p *string, what string) {
	f.check(func() error {
		if *p == "" {
			return fmt.Errorf("--%s is required: %s", name, what)
		}
		return nil
	})
}

func (f *flags) string(p *string, name, def, meta, usage string) {
	*p = def
	f.value((*stringValue)(p), name, meta, usage)
}

func (f *flags) bool(p *bool, name string, def bool, usage string) {
	f.fs.BoolVar(p, name, def, usage)
}

// duration defines a positive duration flag that also accepts bare seconds ("36000"), as the
// live provider config states its lifetimes.
func (f *flags) duration(p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	f.value((*durationValue)(p), name, "DURATION", usage)
}

// positive defines a positive integer flag.
func (f *flags) positive(p *int64, name string, def int64, meta, usage string) {
	*p = def
	f.value((*positiveValue)(p), name, meta, usage)
}

// oneOf defines a string flag whose value must be one of allowed.
func (f *flags) oneOf(p *string, name, def string, allowed []string, usage string) {
	*p = def
	f.value(&enumValue{p: p, allowed: allowed}, name, strings.Join(allowed, "|"), usage)
}

// profile defines a compat profile flag; def "" leaves the profile zero until the flag is given.
func (f *flags) profile(p *sandbox.Profile, name, def, usage string) {
	if def != "" {
		prof, err := sandbox.ParseProfile(def)
		if err != nil {
			panic(err) // a built-in default
		}
		*p = prof
	}
	f.value(&profileValue{p: p}, name, strings.Join(sandbox.ProfileNames(), "|"), usage)
}

// flows defines --only: comma-separated scenario flow names, every flow when not given.
func (f *flags) flows(p *[]scenarios.Flow) {
	*p = scenarios.All()
	f.value(&flowsValue{p: p}, "only", "FLOWS", "comma-separated flows to run (default all): "+strings.Join(scenarios.Names(), ","))
}

// checked defines a string flag whose value, when given, must pass check: what the command
// will do with it is tried at parse time, so a bad value is a usage error naming the flag
// rather than a failure later on.
func (f *flags) checked(p *string, name, def, meta, usage string, check func(string) error) {
	*p = def
	f.value(&checkedValue{p: p, check: check}, name, meta, usage)
}

// addr defines a listen address flag: host:port with a port from 0 (any free one) to 65535.
func (f *flags) addr(p *string, def, usage string) {
	f.checked(p, "addr", def, "ADDR", usage, checkListenAddr)
}

// checkListenAddr refuses what net.Listen would refuse, or read differently than meant: an empty
// address listens on every interface, which must be asked for (0.0.0.0:8080 or :8080).
func checkListenAddr(s string) error {
	if s == "" {
		return errors.New("want HOST:PORT such as 127.0.0.1:8080 (0.0.0.0:8080 for every interface), got an empty value")
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want HOST:PORT such as 127.0.0.1:8080, got %q", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q: the port must be a number from 0 to 65535", s)
	}
	return nil
}

// url defines a flag holding an http(s) URL; empty until given.
func (f *flags) url(p **url.URL, name, meta, usage string) {
	f.value(&urlValue{p: p}, name, meta, usage)
}

// repeat defines a flag that may be given several times; each value passes through parse.
func (f *flags) repeat(p *[]string, name, meta, usage string, parse func(string) error) {
	f.value(&repeatValue{p: p, parse: parse}, name, meta, usage)
}

// list defines a flag that takes a comma-separated list and may be given several times; the
// uses on the command line add up and replace its environment variable's list.
func (f *flags) list(p *[]string, name, meta, usage string) {
	f.value(&listValue{p: p}, name, meta, usage)
}

// checkedList defines a list flag like list whose every item must pass check.
func (f *flags) checkedList(p *[]string, name, meta, usage string, check func(string) error) {
	f.value(&listValue{p: p, check: check}, name, meta, usage)
}

type listValue struct {
	p *[]string
	// check, when set, tests each item.
	check func(string) error
	// replace is set once the environment is applied: the first use on the command line
	// starts a new list.
	replace bool
}

func (v *listValue) Set(s string) error {
	var items []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if v.check != nil {
			if err := v.check(item); err != nil {
				return err
			}
		}
		items = append(items, item)
	}
	if v.replace {
		*v.p, v.replace = nil, false
	}
	*v.p = append(*v.p, items...)
	return nil
}

func (v *listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

type checkedValue struct {
	p     *string
	check func(string) error
}

func (v *checkedValue) Set(s string) error {
	if err := v.check(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

func (v *checkedValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

type stringValue string

func (s *stringValue) Set(v string) error { *s = stringValue(v); return nil }
func (s *stringValue) String() string     { return string(*s) }

type durationValue time.Duration

// maxSeconds is the most whole seconds a time.Duration holds (about 292 years).
const maxSeconds = int64(math.MaxInt64 / time.Second)

// errTooLong names the limit: a longer value would wrap around silently (to a lifetime that has
// ended at once, or to a negative one).
var errTooLong = fmt.Errorf("longer than the longest duration, %d seconds (%s, about 292 years)", maxSeconds, time.Duration(maxSeconds)*time.Second)

// goDuration matches what time.ParseDuration reads, whatever the size of the numbers: when it
// matches and the parse failed, the value was too long.
var goDuration = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

func (d *durationValue) Set(v string) error {
	parsed, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.ParseInt(v, 10, 64)
		tooLong := serr == nil && (secs > maxSeconds || secs < -maxSeconds) ||
			errors.Is(serr, strconv.ErrRange) || goDuration.MatchString(v)
		switch {
		case tooLong && strings.HasPrefix(v, "-"):
			return errors.New("must be positive")
		case tooLong:
			return fmt.Errorf("%q is %w", v, errTooLong)
		case serr != nil:
			return fmt.Errorf("%q is not a duration such as 30s, 10h or 36000", v)
		}
		parsed = time.Duration(secs) * time.Second
	}
	if parsed <= 0 {
		return errors.New("must be positive")
	}
	*d = durationValue(parsed)
	return nil
}

func (d *durationValue) String() string { return time.Duration(*d).String() }

// lifetime defines a duration flag like duration for a token's lifetime, at least a second:
// tokens carry whole seconds, so a shorter one would end the second it began.
func (f *flags) lifetime(p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	f.value((*lifetimeValue)(p), name, "DURATION", usage)
}

type lifetimeValue time.Duration

func (d *lifetimeValue) Set(v string) error {
	var parsed durationValue
	if err := parsed.Set(v); err != nil {
		return err
	}
	if time.Duration(parsed) < time.Second {
		return errors.New("must be at least 1s: tokens carry whole seconds")
	}
	*d = lifetimeValue(parsed)
	return nil
}

func (d *lifetimeValue) String() string { return time.Duration(*d).String() }

// intervalOrOff defines a duration flag like duration whose 0 turns what it paces off.
func (f *flags) intervalOrOff(p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	f.value((*intervalValue)(p), name, "DURATION", usage)
}

type intervalValue time.Duration

func (d *intervalValue) Set(v string) error {
	if off, err := time.ParseDuration(v); err == nil && off == 0 {
		*d = 0
		return nil
	}
	if err := (*durationValue)(d).Set(v); err != nil {
		return fmt.Errorf("%w, or 0 for off", err)
	}
	return nil
}

func (d *intervalValue) String() string { return time.Duration(*d).String() }

type positiveValue int64

func (n *positiveValue) Set(v string) error {
	parsed, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", v)
	}
	if parsed <= 0 {
		return errors.New("must be positive")
	}
	*n = positiveValue(parsed)
	return nil
}

func (n *positiveValue) String() string { return strconv.FormatInt(int64(*n), 10) }

type enumValue struct {
	p       *string
	allowed []string
}

func (e *enumValue) Set(v string) error {
	for _, a := range e.allowed {
		if v == a {
			*e.p = v
			return nil
		}
	}
	n := len(e.allowed)
	want := strings.Join(e.allowed, ", ")
	if n > 1 {
		want = strings.Join(e.allowed[:n-1], ", ") + " or " + e.allowed[n-1]
	}
	return fmt.Errorf("want %s, got %q", want, v)
}

func (e *enumValue) String() string {
	if e.p == nil {
		return ""
	}
	return *e.p
}

type profileValue struct{ p *sandbox.Profile }

func (v *profileValue) Set(s string) error {
	p, err := sandbox.ParseProfile(s)
	if err != nil {
		return err
	}
	*v.p = p
	return nil
}

func (v *profileValue) String() string {
	if v.p == nil {
		return ""
	}
	return v.p.Name
}

type flowsValue struct{ p *[]scenarios.Flow }

func (v *flowsValue) Set(s string) error {
	var names []string
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	flows, err := scenarios.Select(names...)
	if err != nil {
		return err
	}
	*v.p = flows
	return nil
}

func (v *flowsValue) String() string { return "" }

type urlValue struct{ p **url.URL }

func (v *urlValue) Set(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an http(s) URL, got %q", s)
	}
	// url.Parse takes any digits as a port; a dial to one out of range fails only when used.
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
		}
	}
	*v.p = u
	return nil
}

func (v *urlValue) String() string {
	if v.p == nil || *v.p == nil {
		return ""
	}
	return (*v.p).String()
}

type repeatValue struct {
	p     *[]string
	parse func(string) error
}

func (v *repeatValue) Set(s string) error {
	if err := v.parse(s); err != nil {
		return err
	}
	*v.p = append(*v.p, s)
	return nil
}

func (v *repeatValue) String() string { return "" }
