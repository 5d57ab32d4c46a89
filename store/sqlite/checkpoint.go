package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkpointInterval is the least time between two background checkpoints.
const checkpointInterval = 200 * time.Millisecond

// checkpointer copies the write-ahead log into the database file in the
// background, on a connection of its own, instead of SQLite's automatic
// checkpoint: that one runs inside the commit that crosses 1,000 pages of log,
// and its fsyncs (several milliseconds each) would hold every write waiting
// on the single writer. A passive checkpoint waits for no reader or writer,
// and the writer starts the log over once a checkpoint has copied all of it.
// Durability is unchanged: a commit is in the log, synced as Sync says,
// before it returns; the checkpoint only moves committed pages.
type checkpointer struct {
	db   *sql.DB // one connection
	kick chan struct{}
	stop chan struct{} // closed by close
	done chan struct{}
}

// openCheckpointer turns off the automatic checkpoint of the write
// connection and starts checkpointing the database at dsn in the background
// when kicked.
func openCheckpointer(wconn *sql.Conn, dsn string) (*checkpointer, error) {
	if _, err := wconn.ExecContext(context.Background(), `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	cdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	cdb.SetMaxIdleConns(1)
	cdb.SetConnMaxLifetime(0)
	cdb.SetConnMaxIdleTime(0)
	c := &checkpointer{db: cdb, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// changed tells the checkpointer that a transaction committed; it does not
// block.
func (c *checkpointer) changed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// run checkpoints after commits, at most once per checkpointInterval, until
// close. A checkpoint that fails (the database is busy or closing) leaves
// the log to the next one; nothing committed depends on it.
func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		t.Reset(checkpointInterval)
		select {
		case <-t.C:
		case <-c.stop:
			return
		}
	}
}

// close stops the checkpointer and closes its connection; call it once the
// writer has stopped. SQLite checkpoints the whole log when the last
// connection closes.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
