package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/weirhq/weir"
)

// PostgreSQL error codes of class 53, insufficient resources.
const (
	codeInsufficientResources = "53000"
	codeDiskFull              = "53100"
	codeOutOfMemory           = "53200"
	codeTooManyConnections    = "53300"
)

var (
	// errFull is what a write that found no room answers: typed, so that
	// the API says 507 and the client knows nothing was changed.
	errFull = weir.Errorf(weir.InsufficientStorage, "The database has no space left; nothing was changed. Free disk space and try again")

	// errBusy is what a statement the server had no memory or connection
	// for answers: the server is overloaded, not the request wrong.
	errBusy = weir.Errorf(weir.Unavailable, "The database is out of resources; nothing was changed. Try again later")
)

// typed turns PostgreSQL's resource errors into weir's: a full disk into
// InsufficientStorage, no memory or no connection slot into Unavailable.
// The original stays in the chain, for the logs and for pgCode. PostgreSQL
// aborts the statement (and its transaction) that raised them, so nothing
// was changed. Other errors pass unchanged.
func typed(err error) error {
	if err == nil {
		return nil
	}
	switch pgCode(err) {
	case codeDiskFull:
		return fmt.Errorf("%w (%w)", errFull, err)
	case codeInsufficientResources, codeOutOfMemory, codeTooManyConnections:
		return fmt.Errorf("%w (%w)", errBusy, err)
	}
	return err
}

// pool is the connection pool every statement of the store goes through,
// outside transactions (inTx types those): it passes each error through
// typed, so resource errors reach callers as weir's.
type pool struct{ *pgxpool.Pool }

// Exec runs a statement.
func (p pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := p.Pool.Exec(ctx, sql, args...)
	return tag, typed(err)
}

// Query runs a query returning rows.
func (p pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := p.Pool.Query(ctx, sql, args...)
	if err != nil {
		return rows, typed(err)
	}
	return typedRows{rows}, nil
}

// QueryRow runs a query returning at most one row.
func (p pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return typedRow{p.Pool.QueryRow(ctx, sql, args...)}
}

// SendBatch sends the statements of b in one round trip.
func (p pool) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return typedBatch{p.Pool.SendBatch(ctx, b)}
}

// typedRow is a pgx.Row whose Scan error is typed.
type typedRow struct{ pgx.Row }

func (r typedRow) Scan(dest ...any) error { return typed(r.Row.Scan(dest...)) }

// typedRows is a pgx.Rows whose Err is typed.
type typedRows struct{ pgx.Rows }

func (r typedRows) Err() error { return typed(r.Rows.Err()) }

// typedBatch is a pgx.BatchResults whose errors are typed.
type typedBatch struct{ pgx.BatchResults }

func (b typedBatch) Exec() (pgconn.CommandTag, error) {
	tag, err := b.BatchResults.Exec()
	return tag, typed(err)
}

func (b typedBatch) Query() (pgx.Rows, error) {
	rows, err := b.BatchResults.Query()
	if err != nil {
		return rows, typed(err)
	}
	return typedRows{rows}, nil
}

func (b typedBatch) QueryRow() pgx.Row { return typedRow{b.BatchResults.QueryRow()} }

func (b typedBatch) Close() error { return typed(b.BatchResults.Close()) }
