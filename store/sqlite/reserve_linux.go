package sqlite

import (
	"errors"
	"os"
	"syscall"
)

// allocate gives f size bytes of allocated blocks: fallocate, which takes
// no time, or writing them where the file system does not support it.
func allocate(f *os.File, size int64) error {
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return writeFill(f, size)
	}
	return err
}
