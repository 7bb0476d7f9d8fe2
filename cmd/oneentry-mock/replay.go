package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/oneentry-mock/oneentry-mock/capsule"
)

// replayConfig is the configuration of the replay command.
type replayConfig struct {
	Capsule string
	Addr    string
	serverOptions
}

const replayHelp = `usage: oneentry-mock replay CAPSULE [flags]

Serves a capsule recorded by "oneentry-mock proxy" as the API, to reproduce a bug offline.
Requests are matched in recording order by method, path, query, body shape (keys and types, not
values) and the bearer token the recording issued; each recorded exchange answers once (a GET
asked again repeats its last answer). Token placeholders are served as working values. A request
that matches nothing gets a 404 in the live error shape naming the nearest recorded request and
what differed. POST /__admin/reset starts again from the first exchange.

flags:
`

func parseReplayConfig(args []string, getenv func(string) string, stderr io.Writer) (replayConfig, error) {
	env := envLookup(getenv)
	var cfg replayConfig
	fs := flag.NewFlagSet("oneentry-mock replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), replayHelp)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Addr, "addr", env.get("ADDR", ":8080"), "listen address (env ONEENTRY_MOCK_ADDR)")
	finishServerFlags := addServerFlags(fs, env, &cfg.serverOptions)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return cfg, err
	}
	if len(positional) != 1 {
		return cfg, fmt.Errorf("replay: want one capsule file, got %d arguments", len(positional))
	}
	cfg.Capsule = positional[0]
	if err := finishServerFlags(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// parseInterspersed parses flags that may come before or after the positional arguments
// ("replay FILE --addr :9000"), which the flag package alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func runReplay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseReplayConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.serverOptions, stderr)
	c, err := capsule.Load(cfg.Capsule)
	if err != nil {
		return err
	}
	h, err := capsule.NewReplay(c, capsule.ReplayOptions{Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "oneentry-mock replay listening on http://%s\n", displayAddr(ln.Addr()))
	fmt.Fprintf(stdout, "  capsule:   %s (%d exchanges, profile %s)\n", cfg.Capsule, len(c.Exchanges), c.Profile)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	return serve(ctx, srv, ln, cfg.ShutdownTimeout)
}
