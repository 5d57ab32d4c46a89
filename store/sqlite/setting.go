package sqlite

import (
	"context"
	"fmt"

	"github.com/weirhq/weir"
)

// LoadOrStoreSetting returns the value of setting name, storing value
// first when the setting has none; the writer's single transaction at a time
// makes concurrent callers agree.
func (db *DB) LoadOrStoreSetting(ctx context.Context, name string, value []byte) ([]byte, error) {
	if err := validateSetting(name, value); err != nil {
		return nil, err
	}
	var stored []byte
	err := db.update(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: setting %s: %w", name, err)
	}
	return stored, nil
}

// validateSetting returns Validation if name or value is empty.
func validateSetting(name string, value []byte) error {
	if name == "" || len(value) == 0 {
		return weir.Errorf(weir.Validation, "A setting needs a name and a value")
	}
	return nil
}

var _ weir.SettingService = (*DB)(nil)
