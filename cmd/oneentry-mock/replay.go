package main

import (
	"context"
	"fmt"
	"io"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/internal/graceful"
)

// replayConfig is the configuration of the replay command.
type replayConfig struct {
	Capsule string
	Addr    string
	Loop    bool
	serverOptions
}

var replayCommand = &command{
	name:     "replay",
	synopsis: "serve a capsule as the API, to reproduce a recorded bug offline",
	args:     "CAPSULE",
	nargs:    1,
	env:      true,
	help: `Serves a capsule recorded by "oneentry-mock proxy" as the API, to reproduce a bug offline.
Requests are matched in recording order by method, path, query, body shape (keys and types, not
values) and the bearer token the recording issued; each recorded exchange answers once (a GET
asked again repeats its last answer); with --loop, a request that finds nothing left starts
the capsule over, so a front end can be run against it again and again. Token placeholders
are served as working values, and a recorded URL with a placeholder in it (a payment URL, say)
as a link to a page of the replay naming it. A request that matches nothing gets a 404 in the
live error shape naming the nearest recorded request and what differed. POST /__admin/reset
starts again from the first exchange.

Example:
  oneentry-mock replay capsules/capsule-20260101T120000Z.json --loop --addr 127.0.0.1:9000`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var cfg replayConfig
		replayFlags(f, &cfg)
		return func(ctx context.Context, args []string, sio stdio) error {
			cfg.Capsule = args[0]
			return runReplay(ctx, cfg, sio.stdout, sio.stderr)
		}
	},
}

// replayFlags defines the flags of replay on f, parsing into cfg.
func replayFlags(f *flags, cfg *replayConfig) {
	f.addr(&cfg.Addr, defaultAddr, "listen address")
	f.bool(&cfg.Loop, "loop", false, "start over from the first exchange when a request finds none left")
	addServerFlags(f, &cfg.serverOptions)
}

func runReplay(ctx context.Context, cfg replayConfig, stdout, stderr io.Writer) error {
	logger, flushLog := newLogger(cfg.serverOptions, stderr)
	defer flushLog()
	c, err := capsule.Load(cfg.Capsule)
	if err != nil {
		return err
	}
	h, err := capsule.NewReplay(c, capsule.ReplayOptions{Logger: logger, Loop: cfg.Loop})
	if err != nil {
		return err
	}
	ln, err := listen(cfg.Addr, "oneentry-mock replay", stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  capsule:   %s (%d exchanges, profile %s)\n", cfg.Capsule, len(c.Exchanges), c.Profile)
	srv, ln := newHTTPServer(h, ln, cfg.serverOptions, logger)
	return graceful.Serve(ctx, srv, ln, cfg.ShutdownTimeout, graceful.Drain{})
}
