package sqlite

import "context"

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

// Kill closes db as a killed process leaves it: the delivery counts that
// Close would record are not, and claimed runs stay as they are.
func (db *DB) Kill() error {
	db.queue.close()
	db.batch.close()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = nil
	return db.closePools()
}

// InsertRawRun stores a run row with body as it is, without queueing it:
// databases opened afterwards load it.
func (db *DB) InsertRawRun(ctx context.Context, id, flowID, body string) error {
	return db.update(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO runs (id, flow_id, body) VALUES (?, ?, ?)`, id, flowID, body)
		return err
	})
}
