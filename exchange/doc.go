// Package exchange is the one model of a recorded HTTP exchange with the OneEntry content API,
// shared by capsules, scenario runs, drift reports, the recording proxy and replay: the
// Exchange type, masking of secrets for logs and reports, path cleaning, reading a body once
// inside a round tripper, and the JUnit XML writer of the reports built from exchanges. It also
// holds what an answer of the API looks like wherever the mock, the proxy or the replay write one
// of their own: the live error body and the content API's CORS headers. It imports only leaf
// packages of this module (datetime, internal/jsonscan), so every layer can use it.
package exchange
