package nodes

// maxScratch bounds the capacity of a scratch slice a runtime keeps
// between uses; one that grew past it (a huge array or map) is dropped.
const maxScratch = 4096

// reuse empties s for its next use: its elements are cleared, so that it
// holds on to nothing, and it is dropped when it grew past maxScratch.
func reuse[T any](s []T) []T {
	if cap(s) > maxScratch {
		return nil
	}
	clear(s[:cap(s)])
	return s[:0]
}
