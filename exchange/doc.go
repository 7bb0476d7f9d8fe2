// Package exchange is the one model of a recorded HTTP exchange with the OneEntry content API,
// shared by capsules, scenario runs, drift reports, the recording proxy and replay: the
// Exchange type, masking of secrets for logs and reports, path cleaning, reading a body once
// inside a round tripper, and the JUnit XML writer of the reports built from exchanges. It
// imports nothing from this module, so every layer can use it.
package exchange
