package weir

import (
	"context"
	"encoding/json"
)

// Storage limits.
const (
	MaxStorageKeyLength = 255
	MaxStorageValueSize = 16 * 1024
	// DefaultMaxStorageKeys is how many keys one flow's storage may hold
	// unless the server is configured otherwise.
	DefaultMaxStorageKeys = 10_000
)

// StorageKeyCap returns the cap on keys per flow that a store's setting n
// means: n when positive, DefaultMaxStorageKeys when 0, and 0 (no cap) when
// negative.
func StorageKeyCap(n int) int {
	switch {
	case n < 0:
		return 0
	case n == 0:
		return DefaultMaxStorageKeys
	}
	return n
}

// StorageMetadata summarizes a flow's storage.
type StorageMetadata struct {
	KeysCount  int `json:"keysCount"`
	MemoryUsed int `json:"memoryUsed"` // bytes of serialized values and keys
}

// ValidateStorageEntry checks a key's length, a value's serialized size and
// that its numbers can be read back (CheckJSONNumbers).
func ValidateStorageEntry(key string, value json.RawMessage) error {
	if n := len([]rune(key)); n < 1 || n > MaxStorageKeyLength {
		return Errorf(Validation, "entry.key must be between 1 and %d characters", MaxStorageKeyLength)
	}
	if len(value) > MaxStorageValueSize {
		return Errorf(Validation, "entry.value is larger than the %d byte limit", MaxStorageValueSize)
	}
	return CheckJSONNumbers(value, "entry.value")
}

// StorageService holds each flow's persistent key/value storage, shared by
// all versions and concurrent runs of the flow. Values are JSON texts. Every
// method is safe for concurrent use and each call is atomic. The writes
// apply at most once per Effect their context names (see Effect).
type StorageService interface {
	// StorageEntries returns every key of the flow's storage with its value.
	StorageEntries(ctx context.Context, flowID string) (map[string]json.RawMessage, error)

	// StorageEntry returns the value of key and whether it exists.
	StorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, bool, error)

	// SetStorageEntry creates or replaces key.
	SetStorageEntry(ctx context.Context, flowID, key string, value json.RawMessage) error

	// DeleteStorageEntry removes key and returns its previous value, or nil
	// when it did not exist.
	DeleteStorageEntry(ctx context.Context, flowID, key string) (json.RawMessage, error)

	// IncrStorageEntry atomically adds delta to the number stored at key (an
	// absent key counts as 0) and returns the new value. It returns
	// Validation if the stored value is not a number.
	IncrStorageEntry(ctx context.Context, flowID, key string, delta float64) (float64, error)

	// ClearStorageEntries removes every key of the flow's storage.
	ClearStorageEntries(ctx context.Context, flowID string) error

	// StorageMetadata counts the flow's keys and the bytes they use.
	StorageMetadata(ctx context.Context, flowID string) (StorageMetadata, error)
}
