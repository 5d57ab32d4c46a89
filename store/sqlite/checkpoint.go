package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointInterval is the least time between two background checkpoints.
const checkpointInterval = 200 * time.Millisecond

// restartFrames is the most the write-ahead log holds, in pages, before the
// writer checkpoints and truncates it itself (4,096 pages: 16 MiB at
// SQLite's default page size); a database's reserve may lower it (see
// walLimit). A variable for tests.
var restartFrames int64 = 4096

// pageSize is SQLite's default page size, which weir's databases use.
const pageSize = 4096

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
// load grew the log to 350 MB). So once the log file is over limit bytes,
// the writer checkpoints it between two transactions (see restart): with no
// commit in between, the copy catches up and the writer's next transaction
// starts the log over, and SQLite cuts the file back to the limit
// (journal_size_limit). The background checkpoint has copied most of the
// log by then, so the writer pauses for little more than one sync of the
// database file, a few milliseconds. A reader holding an older snapshot (a
// backup) keeps the log from starting over meanwhile; the checkpoint waits
// for no reader.
//
// On a full disk the log cannot be copied (the database file has no room to
// grow into), so it cannot start over and every commit makes it longer: the
// space a user frees would be eaten by the log at once and weir would stay
// full until a restart. So a write that finds the disk full has the
// checkpointer truncate the log (a TRUNCATE checkpoint waits for readers and
// writers up to the busy timeout, copies all of it and gives its space
// back); when that fails for lack of space, the log is stuck: writes other
// than deletes are refused without touching the log, the reserve is
// released to give the database file room, and the checkpoint is tried
// again every checkpointInterval until it succeeds. The limit is at most
// half the reserve: room for the database file to grow by the whole log,
// and for deletes.
type checkpointer struct {
	db      *sql.DB // one connection
	walPath string
	limit   int64
	room    *reserve // nil for none

	truncate atomic.Bool  // the next checkpoint truncates the log
	stuck    *atomic.Bool // the last checkpoint found no room; the DB's, read by writers
	mu       sync.Mutex   // held by each checkpoint, so that two never run at once

	kick chan struct{}
	stop chan struct{} // closed by close
	done chan struct{}
}

// openCheckpointer turns off the automatic checkpoint of the write
// connection and starts checkpointing the database at path (opened with the
// DSN parameters params) in the background when kicked.
func openCheckpointer(wconn *sql.Conn, path, params string, limit int64, room *reserve, stuck *atomic.Bool) (*checkpointer, error) {
	for _, pragma := range []string{`PRAGMA wal_autocheckpoint = 0`, fmt.Sprintf(`PRAGMA journal_size_limit = %d`, limit)} {
		if _, err := wconn.ExecContext(context.Background(), pragma); err != nil {
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
	}
	cdb, err := sql.Open("sqlite", path+params)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	cdb.SetMaxIdleConns(1)
	cdb.SetConnMaxLifetime(0)
	cdb.SetConnMaxIdleTime(0)
	c := &checkpointer{db: cdb, walPath: path + "-wal", limit: limit, room: room, stuck: stuck, kick: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
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

// full tells the checkpointer that a write found the disk full: the next
// checkpoint truncates the log. It does not block.
func (c *checkpointer) full() {
	c.truncate.Store(true)
	c.changed()
}

// run checkpoints after commits, at most once per checkpointInterval, until
// close; while the log is stuck, also without commits. A checkpoint that
// fails otherwise (the database is busy or closing) leaves the log to the
// next one; nothing committed depends on it.
func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		if !c.stuck.Load() {
			select {
			case <-c.kick:
			case <-c.stop:
				return
			}
		}
		c.checkpoint()
		t.Reset(checkpointInterval)
		select {
		case <-t.C:
		case <-c.stop:
			return
		}
	}
}

// checkpoint runs one checkpoint: passive, or truncating the log after a
// write found the disk full; then it restores the reserve if it can.
func (c *checkpointer) checkpoint() {
	defer c.room.restore()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.truncate.Swap(false) && !c.stuck.Load() {
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		return
	}
	if c.stuck.Load() {
		c.room.release()
	}
	var busy, logged, copied int
	err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &copied)
	switch {
	case isFull(err):
		c.stuck.Store(true)
	case err == nil && busy == 0:
		c.stuck.Store(false)
	default: // busy: try again
		c.truncate.Store(true)
		c.changed()
	}
}

// restart is called by the writer goroutine between transactions, on the
// write connection: when the log file is over its limit, because the
// background checkpoints did not keep up with the writes, it copies what it
// can of the log, so that the next transaction starts it over. A log it
// cannot copy for lack of space is stuck (see checkpointer); a checkpoint
// that fails otherwise leaves the log to the next transaction, and so does
// a background checkpoint in progress, while the log is less than half as
// large again as its limit. Past that the writer waits for the background
// checkpoint: on a disk (or a machine) slow enough that commits keep coming
// while one checkpoint runs, the log would otherwise grow by every commit
// made meanwhile, and eat into the reserve the limit is half of.
func (c *checkpointer) restart(conn *sql.Conn) {
	st, err := os.Stat(c.walPath)
	if err != nil || st.Size() <= c.limit {
		return
	}
	if !c.mu.TryLock() {
		if st.Size() <= c.limit+c.limit/2 {
			return
		}
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	if _, err := conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); isFull(err) {
		c.stuck.Store(true)
		c.changed()
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
