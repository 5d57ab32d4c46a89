package sqlite

// BatchStats returns how many write transactions and operations the writer
// has committed.
func (db *DB) BatchStats() (batches, ops int64) {
	return db.batch.batches.Load(), db.batch.committed.Load()
}

// PrepareReads sets whether databases opened afterwards keep their read
// queries prepared (the default) or parse each one.
func PrepareReads(on bool) {
	readDriverName = "sqlite"
	if on {
		readDriverName = cachingDriverName
	}
}

// CachingDriverName is the driver name of connections that keep queries
// prepared.
const CachingDriverName = cachingDriverName
