package main

import (
	"cmp"
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
	weir.RunRecorder
	weir.WebhookService
	weir.ExperienceEndpointService
	weir.SettingService
	weir.DeviceService
	weir.DeviceStateService
	weir.DeviceCommandService
	weir.DeviceLogService
	weir.DeviceRecipeService
	weir.ApplicationKeyService
	weir.EventService
	weir.DataService
	weir.InactivityService
	weir.DataTableService
	weir.QueueStatter
	weir.ExperienceViewService
	weir.ApplicationFileService
	weir.ExperienceVersionService
	weir.KeptResourceService
	weir.ExperienceUserService
	weir.ExperienceGroupService
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
// postgres:// URL. The signing key and owner id live in the store, so
// processes sharing a PostgreSQL store need nothing shared on disk; the
// first open of a store takes them from the data directory's signing.key and
// owner.id files when an older weir left them there.
func openInstance(cfg Config) (*instance, error) {
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := openStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	ctx := context.Background()
	key, err := signingKey(ctx, db, dir)
	if err == nil {
		var owner string
		if owner, err = ownerID(ctx, db, filepath.Join(dir, ownerFile)); err == nil {
			return &instance{DB: db, Signer: &auth.Signer{Key: key}, OwnerID: owner}, nil
		}
	}
	db.Close()
	return nil, err
}

// dbFile is the name of the SQLite database in the data directory.
const dbFile = "weir.db"

// isPostgres reports whether the --store value names PostgreSQL.
func isPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// openExistingInstance is openInstance for the commands that work on an
// instance weir serve made (token, flow import and export): with SQLite,
// a data directory without a weir database is an error, not a new instance.
func openExistingInstance(cfg Config) (*instance, error) {
	ctx := context.Background()
	if isPostgres(cfg.Store) {
		schema := storeSchema(cfg.Store)
		ok, err := postgres.Exists(ctx, cfg.Store, schema)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("schema %s of the --store database holds no weir instance; pass the --store weir serve uses, or start weir serve with it first", cmp.Or(schema, postgres.DefaultSchema))
		}
		return openInstance(cfg)
	}
	ok, err := sqlite.Exists(ctx, filepath.Join(cfg.DataDir, dbFile))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s holds no weir database (%s); pass the --data directory weir serve uses (default %s), or start weir serve --data %s first",
			cfg.DataDir, dbFile, DefaultConfig().DataDir, cfg.DataDir)
	}
	return openInstance(cfg)
}

// storeSchema returns the search_path a PostgreSQL --store URL names, or "".
func storeSchema(store string) string {
	u, err := url.Parse(store)
	if err != nil {
		return ""
	}
	return u.Query().Get("search_path")
}

// openStore opens the store cfg names.
func openStore(cfg Config) (store, error) {
	if isPostgres(cfg.Store) {
		db := postgres.NewDB(cfg.Store)
		db.MaxStorageKeys = cfg.StorageKeys
		if cfg.StorageKeys == 0 {
			db.MaxStorageKeys = -1 // no limit
		}
		if schema := storeSchema(cfg.Store); schema != "" {
			db.Schema = schema // weir's tables live in that schema
		}
		return db, db.Open()
	}
	db := sqlite.NewDB(filepath.Join(cfg.DataDir, dbFile))
	db.Sync = cfg.Sync
	db.MaxStorageKeys = cfg.StorageKeys
	if cfg.StorageKeys == 0 {
		db.MaxStorageKeys = -1 // no limit
	}
	return db, db.Open()
}

// ownerFile is the name of the file in the data directory that held the
// owner's user id before the store kept it.
const ownerFile = "owner.id"

// signingKey returns the store's signing key, storing the one in dir's key
// file, or else a new one, when the store has none.
func signingKey(ctx context.Context, db weir.SettingService, dir string) ([]byte, error) {
	key, err := auth.ReadKeyFile(dir)
	if err == nil && key == nil {
		key, err = auth.NewKey()
	}
	if err != nil {
		return nil, err
	}
	if key, err = db.LoadOrStoreSetting(ctx, weir.SettingSigningKey, key); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return key, nil
}

// ownerID returns the owner's user id the store keeps, storing the one in
// file, or else a new one, when the store has none.
func ownerID(ctx context.Context, db weir.SettingService, file string) (string, error) {
	id := weir.NewID()
	b, err := os.ReadFile(file)
	switch {
	case err == nil:
		if id = strings.TrimSpace(string(b)); !weir.ValidID(id) {
			return "", fmt.Errorf("%s does not hold a valid id", file)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("owner id: %w", err)
	}
	stored, err := db.LoadOrStoreSetting(ctx, weir.SettingOwnerID, []byte(id))
	if err != nil {
		return "", fmt.Errorf("owner id: %w", err)
	}
	if id = string(stored); !weir.ValidID(id) {
		return "", fmt.Errorf("owner id: the store holds no valid id")
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
