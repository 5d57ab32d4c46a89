//go:build !linux

package sqlite

import "os"

// allocate gives f size bytes of allocated blocks by writing them.
func allocate(f *os.File, size int64) error { return writeFill(f, size) }
