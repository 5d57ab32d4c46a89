package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoDatabase is returned by Backup, Restore and IntegrityCheck when a
// path holds no weir database.
var ErrNoDatabase = errors.New("no weir database")

// Exists reports whether path is a weir database: a SQLite file whose
// migrations weir applied. It creates nothing.
func Exists(ctx context.Context, path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	db, err := sql.Open("sqlite", path+"?_busy_timeout=5000&_query_only=1")
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return n == 1, nil
}

// Backup writes a consistent copy of the weir database at src to the new
// file dst, while other connections and processes keep writing src: VACUUM
// INTO copies one read snapshot, so the copy holds every transaction
// committed before Backup started and none half. The copy is written
// beside dst, checked with integrity_check, synced to disk and only then
// given dst's name; dst must not exist.
func Backup(ctx context.Context, src, dst string) error {
	if ok, err := Exists(ctx, src); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%s: %w", src, ErrNoDatabase)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists", dst)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp.Close()
	os.Remove(tmp.Name()) // VACUUM INTO writes only a file that does not exist
	defer os.Remove(tmp.Name())

	db, err := sql.Open("sqlite", src+"?_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp.Name()); err != nil {
		return fmt.Errorf("backup: %w", typedFull(err))
	}
	if err := IntegrityCheck(ctx, tmp.Name()); err != nil {
		return fmt.Errorf("backup: the copy: %w", err)
	}
	if err := syncFile(tmp.Name()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Link(tmp.Name(), dst); err != nil { // fails rather than replace a file made meanwhile
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(filepath.Dir(dst))
}

// Restore copies the backup file src to dst, the database path of a data
// directory that holds none (weir must not be running on it). It checks
// src with integrity_check first, and writes dst under a temporary name
// until the copy is synced to disk.
func Restore(ctx context.Context, src, dst string) error {
	if err := IntegrityCheck(ctx, src); err != nil {
		return fmt.Errorf("restore: %s: %w", src, err)
	}
	for _, p := range []string{dst, dst + "-wal", dst + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("restore: %s already exists; restore into a data directory without a database", p)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp := dst + ".restore"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return syncFile(filepath.Dir(dst))
}

// IntegrityCheck runs SQLite's integrity_check on the weir database at path
// and returns an error listing the problems it finds.
func IntegrityCheck(ctx context.Context, path string) error {
	if ok, err := Exists(ctx, path); err != nil {
		return err
	} else if !ok {
		return ErrNoDatabase
	}
	db, err := sql.Open("sqlite", path+"?_busy_timeout=5000&_query_only=1")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity_check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// copyFile copies src to the new file dst and syncs it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncFile flushes the file or directory at path to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
