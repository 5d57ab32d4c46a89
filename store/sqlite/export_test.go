package sqlite

// BatchStats returns how many write transactions and operations the writer
// has committed.
func (db *DB) BatchStats() (batches, ops int64) {
	return db.batch.batches.Load(), db.batch.committed.Load()
}
