package mail

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

// testMessage builds a one-recipient message dated fixedDate.
func testMessage(t testing.TB, to, subject string) Message {
	t.Helper()
	m, err := Build(Draft{From: DefaultFrom, To: []string{to}, Subject: subject, Text: "body of " + subject, Date: fixedDate})
	require.NoError(t, err)
	return m
}

// recorder stands in for the relay's sleep and logger.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
	logs   testkit.Buffer
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
	return ctx.Err()
}

func (r *recorder) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (r *recorder) log() string { return r.logs.String() }

func newTestRelay(t *testing.T, opts RelayOptions) *Relay {
	t.Helper()
	rl, err := NewRelay(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rl.Close(context.Background()) })
	return rl
}

// relayOne relays m with a relay made from opts, logging to and sleeping through a new
// recorder, and returns m's final status once the relay has drained.
func relayOne(t *testing.T, opts RelayOptions, m Message) (DeliveryStatus, *recorder) {
	t.Helper()
	rec := &recorder{}
	opts.Logger, opts.Sleep = rec.logger(), rec.sleep
	rl := newTestRelay(t, opts)
	require.NoError(t, rl.Enqueue(m))
	closeRelay(t, rl)
	st, ok := rl.Status(m.ID)
	require.True(t, ok)
	return st, rec
}

// closeRelay drains the relay, which is how the tests wait for delivery without sleeping.
func closeRelay(t *testing.T, rl *Relay) {
	t.Helper()
	require.NoError(t, rl.Close(t.Context()))
}

// blockingSleep reports each back-off and then waits until the relay gives up.
type blockingSleep struct{ entered chan time.Duration }

func (b blockingSleep) sleep(ctx context.Context, d time.Duration) error {
	b.entered <- d
	<-ctx.Done()
	return ctx.Err()
}
