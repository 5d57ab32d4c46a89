package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/weirhq/weir/store/sqlite"
)

const (
	backupUsage  = "usage: weir backup --data DIR FILE\n\nWrites a consistent copy of the SQLite database of DIR to FILE (which must not exist), also while weir serve runs.\n\n"
	restoreUsage = "usage: weir restore --data DIR FILE\n\nCopies the backup FILE into DIR as its database; DIR must hold none, and weir must not run on it.\n\n"
)

// runBackup is the backup subcommand: a consistent copy of the SQLite
// database of a data directory, taken while weir serve may be writing it.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, file, err := parseBackupArgs("weir backup", backupUsage, args, stderr)
	if err != nil || file == "" {
		return err
	}
	src := filepath.Join(cfg.DataDir, dbFile)
	if err := sqlite.Backup(ctx, src, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", src, file)
	return nil
}

// runRestore is the restore subcommand: a backup made by weir backup
// becomes the database of a data directory that has none.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, file, err := parseBackupArgs("weir restore", restoreUsage, args, stderr)
	if err != nil || file == "" {
		return err
	}
	dst := filepath.Join(cfg.DataDir, dbFile)
	if err := sqlite.Restore(ctx, file, dst); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s to %s; start weir serve --data %s\n", file, dst, cfg.DataDir)
	return nil
}

// parseBackupArgs parses --data DIR FILE (and --store, to refuse
// PostgreSQL); file is "" after -h.
func parseBackupArgs(name, usage string, args []string, stderr io.Writer) (Config, string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	cfg := DefaultConfig()
	str(fs, &cfg.DataDir, "data", "WEIR_DATA", "data directory")
	str(fs, &cfg.Store, "store", "WEIR_STORE", "the store weir serve uses; only sqlite can be backed up this way")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return cfg, "", ignoreHelp(err)
	}
	if isPostgres(cfg.Store) {
		return cfg, "", fmt.Errorf("%s copies the SQLite store only; back up PostgreSQL with pg_dump (see the README)", name)
	}
	switch len(rest) {
	case 0:
		fs.Usage()
		return cfg, "", fmt.Errorf("missing FILE")
	case 1:
		return cfg, rest[0], nil
	}
	return cfg, "", fmt.Errorf("unexpected argument %q", rest[1])
}
