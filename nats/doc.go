// Package nats connects weir processes through a NATS server: JetStream
// dispatches runs among them, and core NATS subjects carry what every
// process must see (live debug messages, webhook replies, rate limits). It
// is the one home of the NATS client library.
package nats
