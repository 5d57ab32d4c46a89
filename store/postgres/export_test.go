package postgres

import "context"

// Kill closes db as a killed process leaves it: its claimed runs stay
// leased until their lease expires.
func (db *DB) Kill() error {
	db.closeOnce.Do(func() {
		if db.closed == nil {
			return
		}
		close(db.closed)
		if db.stop != nil {
			db.stop()
			<-db.listen
			<-db.notified
		}
		if db.pool.Pool != nil {
			db.pool.Close()
		}
	})
	return nil
}

// InsertRawRun stores a run row with body as it is.
func (db *DB) InsertRawRun(ctx context.Context, id, flowID, body string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO runs (id, flow_id, body) VALUES ($1, $2, $3)`, id, flowID, body)
	return err
}
