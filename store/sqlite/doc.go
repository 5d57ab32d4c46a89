// Package sqlite is weir's default embedded store: one SQLite file (pure-Go
// driver, WAL journal) behind a *DB that implements every store interface of
// package weir, including the durable RunQueue.
//
// Writes go through a single connection and are group-committed by one
// writer goroutine; reads use a separate pool and run concurrently; a
// background connection checkpoints the write-ahead log, so that no commit
// waits for a checkpoint's fsyncs.
package sqlite
