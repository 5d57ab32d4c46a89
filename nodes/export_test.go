package nodes

// EmptySandboxPool drops the idle pooled runtimes, so that the next pooled
// execution builds one and later ones reuse it.
func EmptySandboxPool() {
	for {
		select {
		case <-sandboxes:
		default:
			return
		}
	}
}

// PooledSandboxes returns the number of idle pooled runtimes.
func PooledSandboxes() int { return len(sandboxes) }
