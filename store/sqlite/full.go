package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weirhq/weir"
)

// errFull is what a write that found no room answers: typed, so that the
// API says 507 and the client knows nothing was changed.
var errFull = weir.Errorf(weir.InsufficientStorage, "The database has no space left; nothing was changed. Free disk space and try again")

// isFull reports whether err is SQLite's "database or disk is full".
func isFull(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL
}

// typedFull turns a full-disk error into errFull, keeping the original in
// the chain for the logs. SQLite rolls back the statement (or the whole
// transaction) that hit the limit, so the database stays as it was.
func typedFull(err error) error {
	if err != nil && isFull(err) {
		return fmt.Errorf("%w (%w)", errFull, err)
	}
	return err
}

// SetMaxPages caps the database at n pages (PRAGMA max_page_count), as a
// full disk would: writes that need more pages fail with
// InsufficientStorage and change nothing. The cap cannot go below the
// current size; zero lifts it. It returns the cap in force.
func (db *DB) SetMaxPages(ctx context.Context, n int) (int, error) {
	if n <= 0 {
		n = 0xfffffffe // SQLite's own maximum
	}
	var got int
	err := db.updateLast(ctx, func(ctx context.Context, tx *Tx) error {
		// A pragma is not a prepared-statement candidate: its argument is
		// part of the text.
		return tx.db.wconn.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", n)).Scan(&got)
	})
	return got, err
}

// IntegrityCheck runs PRAGMA integrity_check and returns nil when SQLite
// finds the database sound.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	var res string
	err := db.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	})
	if err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("sqlite: integrity check: %s", res)
	}
	return nil
}
