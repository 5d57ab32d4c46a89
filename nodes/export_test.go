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

// S4Items is the JSON text of the S4 bench's readings.
func S4Items() string { return s4Items() }

// FunctionExecutions returns the number of Function node executions in
// progress (those the heap watch samples for).
func FunctionExecutions() int {
	heapWatch.mu.Lock()
	defer heapWatch.mu.Unlock()
	return len(heapWatch.active)
}

// FunctionSuspectReruns returns how many Function executions have run again
// alone as memory suspects since the process started.
func FunctionSuspectReruns() int64 { return suspectReruns.Load() }
