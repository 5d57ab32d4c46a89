// Package weir holds the domain of the weir workflow engine: applications,
// flows, API tokens, flow storage, run logs and queued runs, together with the
// service interfaces that act on them and the one application error type.
//
// It imports only the standard library. Implementations live in subpackages
// named after what they depend on (store/sqlite, http, …); only cmd/weir knows
// the concrete types.
package weir
