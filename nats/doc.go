// Package nats connects weir processes through a NATS server: JetStream
// dispatches runs among them (Queue), core NATS subjects carry what every
// process must see (DebugRelay, TraceRelay, ReplyRelay, CacheRelay), and a JetStream
// key-value bucket counts rate-limited uses across them (Limiter). It is
// the one home of the NATS client library.
package nats
