package postgres

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/store/sqlstore"
)

// Defaults of the DB configuration fields.
const (
	DefaultSchema        = "public"
	DefaultLeaseDuration = 5 * time.Minute
	DefaultPollInterval  = time.Second
)

// PostgreSQL error codes the store translates.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeOutOfRange          = "22003"
)

// errClosed is returned by ClaimRuns once the DB is closed.
var errClosed = errors.New("postgres: database closed")

// DB is a PostgreSQL schema holding applications, flows, tokens, storage,
// logs and queued runs. Create it with NewDB, set its fields, then Open it.
// All methods are safe for concurrent use between Open and Close, and any
// number of DBs, in any number of processes, may share one schema.
type DB struct {
	// DSN is the connection string, a URL or key=value pairs as pgx parses
	// them (pool_max_conns and the like included).
	DSN string

	// Schema is the PostgreSQL schema holding weir's tables; Open creates it
	// when missing.
	Schema string

	// Now returns the current time for the dates the store sets; tests
	// replace it. Times are stored with millisecond precision. Leases use
	// the database server's clock, which every process shares.
	Now func() time.Time

	// LeaseDuration is how long a claimed run stays hidden from other
	// claimers before it is offered again.
	LeaseDuration time.Duration

	// PollInterval bounds how long ClaimRuns waits before looking for runs
	// again when no notification arrives (notifications can be lost while
	// the listening connection reconnects).
	PollInterval time.Duration

	// Instance names this process among those sharing the schema, stably
	// across restarts (a StatefulSet pod name, say). When set, Open offers
	// again at once the runs a previous process of the same Instance leased
	// and never completed, instead of waiting for their leases to expire.
	Instance string

	// MaxQueued caps the runs waiting or running; EnqueueRun refuses more
	// with Unavailable rather than letting the queue grow without bound.
	// Zero means DefaultMaxQueued.
	MaxQueued int

	// MaxStorageKeys caps the keys of one flow's storage: writing a new key
	// past it fails with Validation (concurrent writers of new keys may
	// overshoot it by a few). Zero means weir.DefaultMaxStorageKeys; a
	// negative value lifts the cap.
	MaxStorageKeys int

	// Logger receives warnings about the listening connection; nil
	// discards them.
	Logger *slog.Logger

	// Store serves devices, their state and commands, and access keys,
	// with the logic every SQL store shares; Open sets it.
	*sqlstore.Store

	pool     pool    // every statement outside inTx goes through it
	sdb      *sql.DB // database/sql over pool, for the shared platform store
	owner    string  // leased_by of this DB's claims
	wake     *signal
	kick     chan struct{}      // notifyOthers requests, buffered 1
	stop     context.CancelFunc // stops the listener and the notifier
	listen   chan struct{}      // closed when the listener has stopped
	notified chan struct{}      // closed when the notifier has stopped

	depth            depth
	houseMu          sync.Mutex
	nextHousekeeping time.Time

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

// NewDB returns a DB for the database at dsn, configured with the defaults.
func NewDB(dsn string) *DB {
	return &DB{
		DSN:           dsn,
		Schema:        DefaultSchema,
		Now:           time.Now,
		LeaseDuration: DefaultLeaseDuration,
		PollInterval:  DefaultPollInterval,
	}
}

// Open connects, creates the schema when missing, applies pending migrations
// and starts listening for enqueued runs. With Instance set it also releases
// the leases a previous process of that Instance left.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return errors.New("postgres: dsn required")
	}
	if db.Schema == "" {
		db.Schema = DefaultSchema
	}
	cfg, err := pgxpool.ParseConfig(db.DSN)
	if err != nil {
		return fmt.Errorf("postgres: parse dsn: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = quoteIdent(db.Schema)
	if db.owner = db.Instance; db.owner == "" {
		db.owner = randomID()
	}
	db.closed = make(chan struct{})
	db.wake = newSignal()
	db.kick = make(chan struct{}, 1)

	ctx := context.Background()
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: open: %w", err)
	}
	db.pool = pool{p}
	db.Store = db.platform()
	defer func() {
		if err != nil {
			db.sdb.Close()
			db.pool.Close()
		}
	}()
	if err := db.migrate(ctx); err != nil {
		return err
	}
	if db.Instance != "" {
		if err := db.releaseLeases(ctx); err != nil {
			return err
		}
	}
	return db.startListener(ctx, cfg.ConnConfig)
}

// Close stops the listener and the notifier, wakes blocked ClaimRuns calls, offers again the
// runs this DB leased and did not complete, and closes the pool. Closing
// twice is harmless.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.closed == nil { // never opened
			return
		}
		close(db.closed)
		if db.stop != nil {
			db.stop()
			<-db.listen
			<-db.notified
		}
		if db.pool.Pool == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.closeErr = db.releaseLeases(ctx)
		db.sdb.Close() // stops database/sql's connection opener; the pool is closed next
		db.pool.Close()
	})
	return db.closeErr
}

// logger returns Logger, or one that discards.
func (db *DB) logger() *slog.Logger {
	if db.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return db.Logger
}

// now returns the current time truncated to what the database keeps.
func (db *DB) now() time.Time { return ms(db.Now()) }

// ms returns t in UTC truncated to the millisecond.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// inTx runs fn in a transaction, committed when fn returns nil. Its error,
// like every statement's outside transactions, passes through typed.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return typed(pgx.BeginFunc(ctx, db.pool.Pool, fn))
}

// marshal encodes v as compact JSON text, leaving raw JSON as given: no HTML
// escaping.
func marshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// pgCode returns the SQLSTATE of err, or "" when err is no server error.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// pgConstraint returns the constraint err violates, or "" when err is no
// server error naming one.
func pgConstraint(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.ConstraintName
	}
	return ""
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool { return pgCode(err) == codeUniqueViolation }

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool { return pgCode(err) == codeForeignKeyViolation }

// quoteIdent quotes name as an SQL identifier.
func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// randomID returns 16 random hex digits.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// placeholders collects the arguments of a query built at run time.
type placeholders []any

// add appends v and returns its placeholder.
func (p *placeholders) add(v any) string {
	*p = append(*p, v)
	return fmt.Sprintf("$%d", len(*p))
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
