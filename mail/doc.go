// Package mail composes, stores and relays the e-mails the mock sends on behalf of the
// OneEntry platform: ticket confirmations when an order's payment completes and the one-time
// codes of auth providers (sign-up activation, password reset).
//
// The live service sends these from its own servers, so a front end under test never sees
// them on the wire. The mock keeps every message in an in-memory [Outbox] (capped like
// Mailpit's --max) for the admin API and tests, and can optionally hand a copy to a real
// SMTP server, such as a Mailpit sidecar, through a [Relay].
//
// Messages are real RFC 5322 / MIME documents built with the standard library: what the
// outbox shows is byte for byte what a relay delivers.
package mail
