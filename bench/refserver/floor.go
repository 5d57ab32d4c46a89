package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

// maxBatch caps the runs that share one commit, as in weir's writer.
const maxBatch = 1024

// floor is the floor's counter: every run is a counter increment and a log
// row written in a transaction of the single writer goroutine, which
// group-commits the runs waiting for it; run returns after the commit. As in
// weir's store, the write-ahead log is checkpointed in the background
// (passive, at most every 200 ms after commits) rather than inside the
// commit that crosses SQLite's 1,000 pages, whose fsyncs would hold the
// writer.
type floor struct {
	db     *sql.DB
	conn   *sql.Conn // the writer's connection
	incr   *sql.Stmt
	get    *sql.Stmt
	insert *sql.Stmt

	mu     sync.RWMutex // held for reading while submitting, for writing to close ops
	closed bool
	ops    chan *floorOp
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error

	dirty    atomic.Bool   // a commit since the last checkpoint
	stopCkpt chan struct{} // closed to stop the checkpointer
	ckptDone chan struct{}
}

// floorOp is one run waiting for its commit.
type floorOp struct {
	kind string
	data []byte
	incr bool
	n    int64
	err  chan error
}

const floorSchema = `
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, n) VALUES ('s1', 0), ('presses', 0);
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL);`

// openFloor opens (creating it when missing) the database at path in WAL
// mode with synchronous=NORMAL, or FULL when syncFull, and starts the writer.
func openFloor(path string, syncFull bool) (*floor, error) {
	sync := "NORMAL"
	if syncFull {
		sync = "FULL"
	}
	db, err := sql.Open("sqlite", path+"?_busy_timeout=5000&_journal=WAL&_sync="+sync)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(3) // the writer's, the checkpointer's and one for reading the counts
	ctx := context.Background()
	f := &floor{db: db, ops: make(chan *floorOp, maxBatch), done: make(chan struct{}),
		stopCkpt: make(chan struct{}), ckptDone: make(chan struct{})}
	if f.conn, err = db.Conn(ctx); err == nil {
		_, err = f.conn.ExecContext(ctx, floorSchema+`PRAGMA wal_autocheckpoint = 0;`)
	}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&f.incr, `UPDATE counters SET n = n + 1 WHERE name = ? RETURNING n`},
		{&f.get, `SELECT n FROM counters WHERE name = ?`},
		{&f.insert, `INSERT INTO runs (kind, at, data) VALUES (?, ?, ?)`},
	} {
		if err == nil {
			*p.st, err = f.conn.PrepareContext(ctx, p.q)
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("floor: open %s: %w", path, err)
	}
	go f.write()
	go f.checkpoint()
	return f, nil
}

// checkpoint copies the log into the database file every 200 ms when
// something was committed, until close. A checkpoint that fails leaves the
// log to the next one; nothing committed depends on it.
func (f *floor) checkpoint() {
	defer close(f.ckptDone)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-f.stopCkpt:
			return
		}
		if f.dirty.Swap(false) {
			_, _ = f.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (f *floor) run(kind string, data []byte, incr bool) (int64, error) {
	o := &floorOp{kind: kind, data: data, incr: incr, err: make(chan error, 1)}
	f.mu.RLock()
	if f.closed {
		f.mu.RUnlock()
		return 0, errors.New("floor: closed")
	}
	f.ops <- o
	f.mu.RUnlock()
	if err := <-o.err; err != nil {
		return 0, err
	}
	return o.n, nil
}

// write is the writer goroutine: it takes the waiting runs (yielding once
// more while new ones keep arriving, as weir's writer does) and commits
// them in one transaction, until ops is closed and drained.
func (f *floor) write() {
	defer close(f.done)
	batch := make([]*floorOp, 0, maxBatch)
	for o := range f.ops {
		batch = append(batch[:0], o)
		for more := true; more && len(batch) < maxBatch; {
			runtime.Gosched()
			n := len(batch)
		collect:
			for len(batch) < maxBatch {
				select {
				case o, ok := <-f.ops:
					if !ok {
						more = false
						break collect
					}
					batch = append(batch, o)
				default:
					break collect
				}
			}
			more = more && len(batch) > n
		}
		err := f.commit(batch)
		for _, o := range batch {
			o.err <- err
		}
	}
}

// commit runs batch in one transaction; any failure fails every run of it.
func (f *floor) commit(batch []*floorOp) (err error) {
	ctx := context.Background()
	if _, err := f.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.conn.ExecContext(ctx, `ROLLBACK`)
		}
	}()
	now := time.Now().UnixMilli()
	for _, o := range batch {
		st := f.get
		if o.incr {
			st = f.incr
		}
		if err := st.QueryRowContext(ctx, o.kind).Scan(&o.n); err != nil {
			return err
		}
		if _, err := f.insert.ExecContext(ctx, o.kind, now, string(o.data)); err != nil {
			return err
		}
	}
	if _, err = f.conn.ExecContext(ctx, `COMMIT`); err == nil {
		f.dirty.Store(true)
	}
	return err
}

func (f *floor) counts() (map[string]int64, error) {
	m := map[string]int64{}
	rows, err := f.db.Query(`SELECT name, n FROM counters UNION ALL SELECT 'runs', count(*) FROM runs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		m[k] = n
	}
	return m, rows.Err()
}

// close stops taking runs, waits for the writer to commit the queued ones
// and closes the database. Calls after the first return its error.
func (f *floor) close() error {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.closed = true
		close(f.ops)
		f.mu.Unlock()
		<-f.done
		close(f.stopCkpt)
		<-f.ckptDone
		for _, st := range []*sql.Stmt{f.incr, f.get, f.insert} {
			st.Close()
		}
		f.conn.Close()
		f.closeErr = f.db.Close() // the last connection to close checkpoints the whole log
	})
	return f.closeErr
}
