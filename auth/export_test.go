package auth

// ArgonRuns returns how many argon2id computations CheckSecret made so far,
// and ArgonSlots how many may run at once.
func ArgonRuns() int64 { return argonRuns.Load() }

func ArgonSlots() int { return cap(argonSlots) }
