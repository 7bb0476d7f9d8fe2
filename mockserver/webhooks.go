package mockserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// webhookHub gives each sandbox its own delivery log, created on its first callback so that
// sandboxes without webhooks cost no goroutines.
type webhookHub struct {
	client *http.Client
	log    *slog.Logger

	mu          sync.Mutex
	byToken     map[string]*webhook.Dispatcher
	closed      bool
	newDispatch func() *webhook.Dispatcher
}

func newWebhookHub(client *http.Client, logger *slog.Logger) *webhookHub {
	h := &webhookHub{client: client, log: logger, byToken: map[string]*webhook.Dispatcher{}}
	h.newDispatch = func() *webhook.Dispatcher {
		return webhook.New(webhook.Options{Client: h.client, Logger: h.log, Workers: 2})
	}
	return h
}

func (h *webhookHub) dispatcher(sb *sandbox, create bool) *webhook.Dispatcher {
	h.mu.Lock()
	defer h.mu.Unlock()
	d := h.byToken[sb.token]
	if d == nil && create && !h.closed {
		d = h.newDispatch()
		h.byToken[sb.token] = d
	}
	return d
}

func (h *webhookHub) send(sb *sandbox, url string, secret []byte, event string, body []byte, requestID string) {
	d := h.dispatcher(sb, true)
	if d == nil {
		return
	}
	d.Enqueue(webhook.Delivery{URL: url, Secret: secret, Event: event, Body: body, RequestID: requestID})
}

func (h *webhookHub) list(sb *sandbox, f webhook.Filter) []webhook.Record {
	d := h.dispatcher(sb, false)
	if d == nil {
		return []webhook.Record{}
	}
	return d.List(f)
}

// drop stops the dispatcher of a removed or reset sandbox.
func (h *webhookHub) drop(ctx context.Context, sb *sandbox) {
	h.mu.Lock()
	d := h.byToken[sb.token]
	delete(h.byToken, sb.token)
	h.mu.Unlock()
	if d != nil {
		_ = d.Close(ctx)
	}
}

func (h *webhookHub) close(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	all := h.byToken
	h.byToken = map[string]*webhook.Dispatcher{}
	h.mu.Unlock()
	var errs []error
	for _, d := range all {
		errs = append(errs, d.Close(ctx))
	}
	return errors.Join(errs...)
}

func itoa(n int) string { return strconv.Itoa(n) }
