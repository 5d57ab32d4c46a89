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

// KeyFile is the name of the signing key file inside the data directory.
const KeyFile = "signing.key"

// LoadOrCreateKey returns the signing key stored in dir/signing.key. When the
// file does not exist it creates dir (mode 0700) and a new random key (mode
// 0600). An existing empty key file is an error.
func LoadOrCreateKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) == 0 {
			return nil, fmt.Errorf("auth: signing key %s is empty", path)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("auth: read signing key: %w", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create key dir: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("auth: generate signing key: %w", err)
	}
	// O_EXCL: if another process created the key meanwhile, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(dir)
	} else if err != nil {
		return nil, fmt.Errorf("auth: create signing key: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("auth: write signing key: %w", err)
	}
	return key, nil
}
