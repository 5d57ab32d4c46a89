// Package e2e holds the end-to-end tests of weir: they build cmd/weir, start
// `weir serve`, and drive its REST API through Losant's official JavaScript
// client (npm losant-rest, pinned in js/package-lock.json) with Node's
// built-in test runner. Run them with `go test ./e2e/`; node and npm must be
// on PATH.
package e2e
