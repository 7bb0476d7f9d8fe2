// Package webhook delivers the mock's payment callbacks to a developer's back end: signed
// JSON POSTs, retried with back-off, with every attempt kept in a delivery log for the admin
// API.
//
// # Signature scheme
//
// The scheme is Stripe's webhook signature with a different header name, so receivers can
// reuse what they already know (and most Stripe verification snippets work after renaming
// the header). Each delivery attempt carries
//
//	OneEntry-Mock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// where the HMAC is keyed with the payment account's signing secret and computed over the
// bytes
//
//	<unix seconds> "." <raw request body>
//
// A receiver verifies by recomputing the HMAC over the body exactly as received (before any
// JSON parsing or re-encoding), comparing it in constant time with each v1 value (more than
// one may be present while a secret is being rotated; any match is enough; other keys such
// as v0 are ignored), and rejecting the request when t is more than a tolerance (five
// minutes by default) away from its own clock, so a captured request cannot be replayed
// later. [Verify] does exactly this. The timestamp is taken afresh for every attempt, so
// retries are not rejected as stale.
//
// Each attempt also carries OneEntry-Mock-Event (the event name) and OneEntry-Mock-Delivery
// (the delivery id, the same on every attempt, so a receiver can drop duplicates:
// delivery is at least once).
//
// # Delivery
//
// A [Dispatcher] accepts deliveries without blocking the caller, POSTs them from a small
// pool of workers, counts any 2xx answer as delivered and anything else (other statuses,
// redirects, network errors, per-attempt timeouts) as a failed attempt to retry after a
// back-off pause, until the attempt budget is spent. Its log keeps the most recent
// deliveries with each attempt's status code, a response excerpt, error and duration.
package webhook
