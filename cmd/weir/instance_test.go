package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
)

// mustOpenInstance opens the instance of cfg, closed at cleanup.
func mustOpenInstance(t *testing.T, cfg Config) *instance {
	t.Helper()
	in, err := openInstance(cfg)
	if err != nil {
		t.Fatalf("openInstance: %v", err)
	}
	t.Cleanup(func() { in.DB.Close() })
	return in
}

// TestOpenInstanceImportsKeyAndOwnerFilesOK opens a data directory as an
// older weir left it, with signing.key and owner.id beside the SQLite
// database, and checks that the instance keeps that key and owner, also
// once the files are gone.
func TestOpenInstanceImportsKeyAndOwnerFilesOK(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	old := mustOpenInstance(t, cfg) // the database exists already
	old.DB.Close()
	key, owner := []byte("an older weir's 32-byte key.....!"), weir.NewID()
	if err := os.WriteFile(filepath.Join(cfg.DataDir, auth.KeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, ownerFile), []byte(owner+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// But a database with a key already keeps it: only a first open imports.
	fresh := DefaultConfig()
	fresh.DataDir = t.TempDir()
	for _, name := range []string{auth.KeyFile, ownerFile} {
		b, _ := os.ReadFile(filepath.Join(cfg.DataDir, name))
		if err := os.WriteFile(filepath.Join(fresh.DataDir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	in := mustOpenInstance(t, fresh)
	if !bytes.Equal(in.Signer.Key, key) || in.OwnerID != owner {
		t.Fatalf("first open: key %q, owner %s; want the files' %q, %s", in.Signer.Key, in.OwnerID, key, owner)
	}
	tok, err := in.Signer.Sign(&weir.Token{ID: weir.NewID(), OwnerID: owner, OwnerType: weir.OwnerUser})
	if err != nil {
		t.Fatal(err)
	}
	in.DB.Close()
	for _, name := range []string{auth.KeyFile, ownerFile} {
		if err := os.Remove(filepath.Join(fresh.DataDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	again := mustOpenInstance(t, fresh)
	if !bytes.Equal(again.Signer.Key, key) || again.OwnerID != owner {
		t.Fatalf("open without the files: key %q, owner %s; want %q, %s", again.Signer.Key, again.OwnerID, key, owner)
	}
	if _, err := again.Signer.Verify(tok); err != nil {
		t.Errorf("a token signed before the files were removed no longer verifies: %v", err)
	}

	kept := mustOpenInstance(t, cfg) // its database had a key before the files appeared
	if bytes.Equal(kept.Signer.Key, key) || kept.OwnerID == owner || !bytes.Equal(kept.Signer.Key, old.Signer.Key) ||
		kept.OwnerID != old.OwnerID {
		t.Errorf("files added to a data directory whose database has a key replaced it")
	}
}

// TestOpenInstanceKeepsKeyAndOwnerInStoreOK opens a new data directory
// twice: the key and owner stay, and no file holds them.
func TestOpenInstanceKeepsKeyAndOwnerInStoreOK(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	first := mustOpenInstance(t, cfg)
	first.DB.Close()
	second := mustOpenInstance(t, cfg)
	if len(first.Signer.Key) != auth.KeySize || !bytes.Equal(first.Signer.Key, second.Signer.Key) ||
		!weir.ValidID(first.OwnerID) || first.OwnerID != second.OwnerID {
		t.Fatalf("opens gave key %x, owner %s then %x, %s; want one key of %d bytes and one valid owner id",
			first.Signer.Key, first.OwnerID, second.Signer.Key, second.OwnerID, auth.KeySize)
	}
	for _, name := range []string{auth.KeyFile, ownerFile} {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s in the data directory: %v, want none", name, err)
		}
	}
}

// TestOpenInstancesOnPostgresAgreeOK starts processes together on one
// PostgreSQL schema, each with a data directory of its own: all get the same
// key and owner.
func TestOpenInstancesOnPostgresAgreeOK(t *testing.T) {
	store := mustPostgresStore(t)
	const n = 4
	ins := make([]*instance, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		cfg := DefaultConfig()
		cfg.DataDir, cfg.Store = t.TempDir(), store
		wg.Add(1)
		go func() {
			defer wg.Done()
			ins[i], errs[i] = openInstance(cfg)
		}()
	}
	wg.Wait()
	for i, in := range ins {
		if errs[i] != nil {
			t.Fatalf("openInstance %d: %v", i, errs[i])
		}
		t.Cleanup(func() { in.DB.Close() })
	}
	for i, in := range ins {
		if !bytes.Equal(in.Signer.Key, ins[0].Signer.Key) || in.OwnerID != ins[0].OwnerID {
			t.Errorf("instance %d has key %x, owner %s; instance 0 %x, %s", i, in.Signer.Key, in.OwnerID,
				ins[0].Signer.Key, ins[0].OwnerID)
		}
	}
}
