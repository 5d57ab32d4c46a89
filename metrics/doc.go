// Package metrics counts what a weir process does, for Prometheus: runs
// accepted, completed and failed, their durations, the run queue, node
// errors by node type, HTTP requests by route and status, rate-limit
// refusals and store latency. It is the one home of the Prometheus client
// library; the other packages know nothing of it: Metrics wraps the services
// cmd/weir hands them (the run queue, storage, limiters, the API handler).
//
// Every label set is bounded: node types are those registered at start,
// routes the API's patterns, status codes 100 to 599. The counters on the
// paths every run and request takes are atomic and resolved ahead of time,
// so they take no lock.
package metrics
