// Package drift compares the mock with another side, step by step through the scenario flows:
// a live project, any URL serving the OneEntry API, or a recorded capsule. For every step it
// reports the mock's contract violations, the other side's, and every difference between the
// two answers, classified as breaking, warning or info. Values that change from run to run
// (ids, dates, tokens, fingerprints, redacted placeholders, and any configured JSON pointer) are
// not compared; locale maps are unwrapped first, as the SDK does, so both sides are compared as
// a client sees them. An allow file acknowledges known differences until an expiry date.
package drift
