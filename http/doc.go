// Package http serves weir's REST API, wire-compatible with Losant's: the
// same paths, parameters, scopes, error bodies and status codes, so Losant's
// official clients work against it unchanged. Callers import it as weirhttp.
package http
