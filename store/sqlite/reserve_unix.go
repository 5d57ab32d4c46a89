//go:build unix

package sqlite

import "syscall"

// freeBytes returns the space the file system holding dir has free for
// unprivileged use.
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}
