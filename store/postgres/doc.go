// Package postgres is weir's scale-out store: a PostgreSQL schema behind a
// *DB that implements every store interface of package weir, including the
// durable RunQueue, so that several weir processes can share one database.
//
// Runs are leased with SELECT … FOR UPDATE SKIP LOCKED; waiting claimers
// wake on LISTEN/NOTIFY, with a polling fallback.
package postgres
