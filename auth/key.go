package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the length in bytes of a generated signing key.
const KeySize = 32

// KeyFile is the name of the file in the data directory that held the
// signing key before the store kept it.
const KeyFile = "signing.key"

// NewKey returns a new random signing key of KeySize bytes.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("auth: generate signing key: %w", err)
	}
	return key, nil
}

// ReadKeyFile returns the signing key in dir/signing.key, or nil when there
// is no such file. An empty key file is an error.
func ReadKeyFile(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	case len(key) == 0:
		return nil, fmt.Errorf("auth: signing key %s is empty", path)
	}
	return key, nil
}
