package weir

import "context"

// Names of the settings weir keeps in its store.
const (
	SettingSigningKey = "signingKey" // the key that signs API tokens
	SettingOwnerID    = "ownerId"    // the id of the user who owns the instance
)

// SettingService keeps the settings of the instance itself, such as the key
// that signs its tokens, so that every process sharing a store shares them.
type SettingService interface {
	// LoadOrStoreSetting returns the value of setting name, storing value
	// first when the setting has none. Of the processes calling it at once
	// for a setting that has none, all get the value one of them stored. It
	// returns Validation if name or value is empty.
	LoadOrStoreSetting(ctx context.Context, name string, value []byte) ([]byte, error)
}
