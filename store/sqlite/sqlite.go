package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

// Defaults of the DB configuration fields.
const (
	DefaultLeaseDuration = 5 * time.Minute
	DefaultBusyTimeout   = 5 * time.Second
	DefaultMaxQueued     = 100_000
)

// DB is a SQLite database holding applications, flows, tokens, storage, logs
// and queued runs. Create it with NewDB, set its fields, then Open it. All
// methods are safe for concurrent use between Open and Close.
type DB struct {
	// Path is the database file; it is created when missing.
	Path string

	// Now returns the current time; tests replace it. Times are stored with
	// millisecond precision.
	Now func() time.Time

	// Sync makes every commit durable against power loss
	// (synchronous=FULL). Without it commits survive a process crash but
	// not an OS crash (synchronous=NORMAL).
	Sync bool

	// LeaseDuration is how long a claimed run stays hidden from other
	// claimers before it is offered again.
	LeaseDuration time.Duration

	// MaxReaders caps the read connections; zero means GOMAXPROCS, at least 4.
	MaxReaders int

	// MaxQueued caps the runs waiting or running; EnqueueRun refuses more
	// with Unavailable rather than letting the queue grow without bound.
	// Zero means DefaultMaxQueued.
	MaxQueued int

	// MaxStorageKeys caps the keys of one flow's storage: writing a new key
	// past it fails with Validation. Zero means weir.DefaultMaxStorageKeys;
	// a negative value lifts the cap.
	MaxStorageKeys int

	// ReserveBytes is the size of the file kept beside the database as room
	// for deletes when the disk is full (see reserve). Zero means
	// DefaultReserveBytes; a negative value keeps none.
	ReserveBytes int64

	// Store serves devices, their state and commands, and access keys,
	// with the logic every SQL store shares; Open sets it.
	*sqlstore.Store

	wdb   *sql.DB   // one connection: every write goes through it
	wconn *sql.Conn // that connection, held by the writer goroutine
	rdb   *sql.DB   // read-only connections
	batch *batcher
	ckpt  *checkpointer // nil until Open has started it
	queue *runQueue
	stmts map[string]*sql.Stmt // write statements, owned by the writer goroutine
	room  *reserve             // nil when ReserveBytes is negative
	stuck atomic.Bool          // the write-ahead log cannot be copied for lack of space (see checkpointer)

	nextHousekeeping time.Time // owned by the writer goroutine
}

// readDriverName is the driver of the read pool; benchmarks compare it with
// the plain driver.
var readDriverName = cachingDriverName

// NewDB returns a DB for the file at path, configured with the defaults.
func NewDB(path string) *DB {
	return &DB{
		Path:          path,
		Now:           time.Now,
		LeaseDuration: DefaultLeaseDuration,
	}
}

// Open opens the database file, applies pending migrations, loads the queued
// runs (every one is pending again) and starts the writer.
func (db *DB) Open() (err error) {
	if db.Path == "" {
		return errors.New("sqlite: path required")
	}
	defer func() {
		if err != nil {
			db.closePools()
		}
	}()
	sync := "NORMAL"
	if db.Sync {
		sync = "FULL"
	}
	common := fmt.Sprintf("?_busy_timeout=%d&_fk=1", DefaultBusyTimeout.Milliseconds())
	if db.wdb, err = sql.Open("sqlite", db.Path+common+"&_journal=WAL&_sync="+sync+"&_txlock=immediate"); err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	db.wdb.SetConnMaxLifetime(0)
	db.wdb.SetConnMaxIdleTime(0)
	if err := db.migrate(); err != nil {
		return err
	}
	if db.wconn, err = db.wdb.Conn(context.Background()); err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	size := db.ReserveBytes
	if size == 0 {
		size = DefaultReserveBytes
	}
	db.room = newReserve(db.Path, size)
	db.room.restore() // on a full disk, later
	if db.ckpt, err = openCheckpointer(db.wconn, db.Path, common+"&_journal=WAL&_sync="+sync, walLimit(size), db.room, &db.stuck); err != nil {
		return err
	}

	if db.rdb, err = sql.Open(readDriverName, db.Path+common+"&_query_only=1"); err != nil {
		return fmt.Errorf("sqlite: open: %w", err)
	}
	n := db.MaxReaders
	if n <= 0 {
		n = max(4, runtime.GOMAXPROCS(0))
	}
	db.rdb.SetMaxOpenConns(n)
	db.rdb.SetMaxIdleConns(n)

	if db.queue, err = db.loadRuns(); err != nil {
		return err
	}
	db.stmts = map[string]*sql.Stmt{}
	db.batch = newBatcher(db)
	db.Store = db.platform()
	return nil
}

// Close wakes blocked ClaimRuns calls, records how many times each queued
// run was delivered, stops the writer after committing the writes already
// submitted and closes the database. Closing twice is
// harmless.
func (db *DB) Close() error {
	var saveErr error
	if db.queue != nil {
		db.queue.close()
		if db.batch != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if saveErr = db.saveDeliveries(ctx); errors.Is(saveErr, errClosed) {
				saveErr = nil // closed before: nothing more was claimed since
			}
			cancel()
		}
	}
	if db.batch != nil {
		db.batch.close()
	}
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = nil
	return errors.Join(saveErr, db.closePools())
}

func (db *DB) closePools() error {
	var errs []error
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
		db.ckpt = nil
	}
	if db.wconn != nil {
		errs = append(errs, db.wconn.Close())
		db.wconn = nil
	}
	if db.rdb != nil {
		errs = append(errs, db.rdb.Close())
	}
	if db.wdb != nil {
		errs = append(errs, db.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// walLimit is the size of the write-ahead log beyond which the writer
// checkpoints it so that it starts over, and to which its file is cut back: restartFrames pages (16 MiB), or half the reserve when that
// is less (8 MiB by default), so that the reserve holds room for the
// database file to grow by the whole log, and for deletes.
func walLimit(reserve int64) int64 {
	if reserve <= 0 {
		reserve = DefaultReserveBytes
	}
	return min(restartFrames*pageSize, reserve/2)
}

// maxStorageKeys is the cap on keys per flow in force; 0 for none.
func (db *DB) maxStorageKeys() int { return weir.StorageKeyCap(db.MaxStorageKeys) }

// now returns the current time truncated to what the database keeps.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Millisecond)
}

// view runs fn in a read-only transaction with a consistent snapshot.
func (db *DB) view(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx is a write transaction shared by the operations of one batch, on the
// single write connection. Helpers that take a *Tx compose inside it. Its
// statements are prepared once per database.
type Tx struct {
	db  *DB
	now time.Time // when the batch began, truncated to milliseconds

	onCommit []func()
}

// ExecContext executes query.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stmt, err := tx.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

// QueryContext runs query.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := tx.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

// QueryRowContext runs query for at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	stmt, err := tx.db.stmt(ctx, query)
	if err != nil {
		return tx.db.wconn.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return stmt.QueryRowContext(ctx, args...)
}

// stmt returns query prepared on the write connection. Only the writer
// goroutine calls it.
func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts[query]; ok {
		return s, nil
	}
	s, err := db.wconn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.stmts[query] = s
	return s, nil
}

// OnCommit registers fn to run after the transaction commits; it is dropped
// if the current operation fails.
func (tx *Tx) OnCommit(fn func()) { tx.onCommit = append(tx.onCommit, fn) }

// millis converts t to stored Unix milliseconds.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis converts stored Unix milliseconds to a UTC time.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// marshal encodes v as compact JSON text, leaving raw JSON as given: no
// HTML escaping.
func marshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// isConstraint reports whether err is the SQLite constraint violation code.
func isConstraint(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) ||
		isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}

// Interface guards.
var (
	_ weir.ApplicationService = (*DB)(nil)
	_ weir.FlowService        = (*DB)(nil)
	_ weir.FlowVersionService = (*DB)(nil)
	_ weir.TokenService       = (*DB)(nil)
	_ weir.StorageService     = (*DB)(nil)
	_ weir.LogService         = (*DB)(nil)
	_ weir.RunQueue           = (*DB)(nil)
)
