// Package examples holds ready-to-copy ways of running the sandbox: compose/ (the sandbox with
// Mailpit and a front-end placeholder) and ci/ (a GitHub Actions job that runs the contract
// tests against the container). They are not run by the test suite, which needs no network or
// Docker; its tests check instead that every service name, port, flag and environment variable
// they use is one the server really has.
package examples
