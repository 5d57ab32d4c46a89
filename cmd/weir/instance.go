package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/store/postgres"
	"github.com/weirhq/weir/store/sqlite"
)

// store is everything weir needs from a store; store/sqlite and
// store/postgres both provide it.
type store interface {
	weir.ApplicationService
	weir.FlowService
	weir.FlowVersionService
	weir.TokenService
	weir.StorageService
	weir.NodeStateService
	weir.LogService
	weir.LogPruner
	weir.RunQueue
	weir.WebhookService
	weir.ExperienceEndpointService
	Close() error
}

// instance is an opened data directory and store: the database, the signing
// key and the id of the user who owns the instance.
type instance struct {
	DB      store
	Signer  *auth.Signer
	OwnerID string
}

// openInstance opens (creating on first use) the data directory of cfg and
// its store: SQLite in the data directory, or PostgreSQL when cfg.Store is a
// postgres:// URL. The signing key and owner id stay in the data directory,
// so processes sharing a PostgreSQL store must share those two files.
func openInstance(cfg Config) (*instance, error) {
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	key, err := auth.LoadOrCreateKey(dir)
	if err != nil {
		return nil, err
	}
	owner, err := loadOrCreateOwner(filepath.Join(dir, "owner.id"))
	if err != nil {
		return nil, err
	}
	db, err := openStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return &instance{DB: db, Signer: &auth.Signer{Key: key}, OwnerID: owner}, nil
}

// openStore opens the store cfg names.
func openStore(cfg Config) (store, error) {
	if strings.HasPrefix(cfg.Store, "postgres://") || strings.HasPrefix(cfg.Store, "postgresql://") {
		db := postgres.NewDB(cfg.Store)
		if u, err := url.Parse(cfg.Store); err == nil && u.Query().Get("search_path") != "" {
			db.Schema = u.Query().Get("search_path") // weir's tables live in that schema
		}
		return db, db.Open()
	}
	db := sqlite.NewDB(filepath.Join(cfg.DataDir, "weir.db"))
	db.Sync = cfg.Sync
	return db, db.Open()
}

// loadOrCreateOwner reads the owner's user id from file, creating it first.
func loadOrCreateOwner(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err == nil {
		id := strings.TrimSpace(string(b))
		if !weir.ValidID(id) {
			return "", fmt.Errorf("%s does not hold a valid id", file)
		}
		return id, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	id := weir.NewID()
	if err := os.WriteFile(file, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write owner id: %w", err)
	}
	return id, nil
}

// createToken stores a token record and returns the signed token.
func (in *instance) createToken(ctx context.Context, t *weir.Token) (string, error) {
	if t.Status == "" {
		t.Status = weir.TokenActive
	}
	if err := in.DB.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return in.Signer.Sign(t)
}

// ensureOwnerToken creates and returns a user token when the owner has none
// yet, so that a new instance can be used at once. It returns "" otherwise.
func (in *instance) ensureOwnerToken(ctx context.Context) (string, error) {
	_, n, err := in.DB.FindTokens(ctx, weir.TokenFilter{
		OwnerID: in.OwnerID, OwnerType: weir.OwnerUser, ListOptions: weir.ListOptions{PerPage: 1},
	})
	if err != nil || n > 0 {
		return "", err
	}
	return in.createToken(ctx, &weir.Token{
		OwnerID: in.OwnerID, OwnerType: weir.OwnerUser, Name: "owner",
		Scope: []string{"all.User"}, CreatorID: in.OwnerID, CreatorType: "user", CreatorName: "weir",
	})
}
