// Command oneentry-mock runs a local, stateful mock of the OneEntry content API.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	// The container image has no zone database; fixtures name zones such as Europe/Moscow.
	_ "time/tzdata"
)

func main() {
	ctx, stop := untilStopSignal(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		var exit exitError
		if errors.As(err, &exit) {
			if exit.msg != "" {
				fmt.Fprintln(os.Stderr, "oneentry-mock:", exit.msg)
			}
			os.Exit(exit.code)
		}
		fmt.Fprintln(os.Stderr, "oneentry-mock:", err)
		os.Exit(1)
	}
}

// repeatedStopWindow is how long after the first stop signal further ones are taken as copies
// of it. One Ctrl-C often arrives more than once: a terminal signals its whole foreground
// process group, so the binary gets it from the terminal and again from the npx wrapper (npm
// scripts, process managers and docker can deliver a stop twice the same way).
const repeatedStopWindow = time.Second

// untilStopSignal returns a context that ends at the first of sigs, which asks for a graceful
// stop. Copies of that signal within repeatedStopWindow are ignored; after it the signals get
// their default handling back, so a further one ends the process at once, as a second Ctrl-C
// does for most servers, should the graceful stop hang.
func untilStopSignal(parent context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	// Received but never read after the first: the signal package drops what does not fit,
	// which is what ignoring the copies takes.
	received := make(chan os.Signal, 1)
	signal.Notify(received, sigs...)
	go func() {
		select {
		case <-received:
			cancel()
			time.AfterFunc(repeatedStopWindow, func() { signal.Stop(received) })
		case <-ctx.Done():
			signal.Stop(received)
		}
	}()
	return ctx, cancel
}
