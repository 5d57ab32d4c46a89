package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// checkpointInterval is the least time between two background checkpoints.
const checkpointInterval = 200 * time.Millisecond

// restartFrames is the size of the write-ahead log, in pages, past which the
// writer checkpoints the log itself so that its next transaction starts the
// log over (4,096 pages: 16 MiB at SQLite's default page size). A variable
// for tests.
var restartFrames int64 = 4096

// journalSizeLimit is the size to which SQLite truncates the log file when
// it starts the log over, so that a log that once grew (a burst, or a
// reader that held it) gives its disk space back.
const journalSizeLimit = 32 << 20

// checkpointer copies the write-ahead log into the database file in the
// background, on a connection of its own, instead of SQLite's automatic
// checkpoint: that one runs inside the commit that crosses 1,000 pages of log,
// and its fsyncs (several milliseconds each) would hold every write waiting
// on the single writer. A passive checkpoint waits for no reader or writer,
// and the writer starts the log over once a checkpoint has copied all of it.
// Durability is unchanged: a commit is in the log, synced as Sync says,
// before it returns; the checkpoint only moves committed pages.
//
// Under sustained load that alone lets the log grow without bound: SQLite
// starts the log over only in a write transaction that begins when every
// frame has been copied, and with commits following each other the
// background checkpoint is always a commit or more behind (a 30 s webhook
// load grew the log to 350 MB). So when a checkpoint finds more than
// restartFrames pages in the log, it asks the writer to checkpoint once
// between two transactions (restartDue): with no commit in between, the
// copy catches up and the writer's next transaction starts the log over. The
// background checkpoint has copied most of the log by then, so the writer
// pauses for little more than one sync of the database file.
type checkpointer struct {
	db         *sql.DB // one connection
	kick       chan struct{}
	stop       chan struct{} // closed by close
	done       chan struct{}
	restartDue atomic.Bool
}

// openCheckpointer turns off the automatic checkpoint of the write
// connection and starts checkpointing the database at dsn in the background
// when kicked.
func openCheckpointer(wconn *sql.Conn, dsn string) (*checkpointer, error) {
	for _, pragma := range []string{`PRAGMA wal_autocheckpoint = 0`, fmt.Sprintf(`PRAGMA journal_size_limit = %d`, journalSizeLimit)} {
		if _, err := wconn.ExecContext(context.Background(), pragma); err != nil {
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
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
		var busy, frames, copied int64
		err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
		if err == nil && frames > restartFrames {
			c.restartDue.Store(true)
		}
		t.Reset(checkpointInterval)
		select {
		case <-t.C:
		case <-c.stop:
			return
		}
	}
}

// restart checkpoints the log on the writer's connection, if a background
// checkpoint asked for it, so that the writer's next transaction starts the
// log over. Only the writer goroutine calls it, between transactions. A
// checkpoint that fails leaves the log to the next request.
func (c *checkpointer) restart(wconn *sql.Conn) {
	if c.restartDue.Load() {
		c.restartDue.Store(false)
		_, _ = wconn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
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
