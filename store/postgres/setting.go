package postgres

import (
	"context"
	"fmt"

	"github.com/weirhq/weir"
)

// LoadOrStoreSetting returns the value of setting name, storing value
// first when the setting has none. An insert racing another DB's waits for
// it on the primary key and then reads the value that DB stored.
func (db *DB) LoadOrStoreSetting(ctx context.Context, name string, value []byte) ([]byte, error) {
	if name == "" || len(value) == 0 {
		return nil, weir.Errorf(weir.Validation, "A setting needs a name and a value")
	}
	var stored []byte
	_, err := db.pool.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		name, value)
	if err == nil {
		// A statement of its own: its snapshot sees a row another DB
		// committed while the insert waited.
		err = db.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&stored)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: setting %s: %w", name, err)
	}
	return stored, nil
}

var _ weir.SettingService = (*DB)(nil)
