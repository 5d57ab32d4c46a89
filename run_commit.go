package weir

import (
	"context"
	"encoding/json"
	"errors"
)

// StagedKey is one storage key a run executed before it was queued used:
// what the run read of it (Read, Old) and what it wrote (Write, New).
type StagedKey struct {
	FlowID string
	Key    string
	// Read reports that the run's outcome depends on the key's value:
	// the commit applies only if the key still holds Old (nil: absent).
	Read bool
	Old  json.RawMessage
	// Write reports that the run stores New at the key (nil: deletes it).
	// A write of a key not read as present is a new key, and the flow's
	// key cap must leave room for it.
	Write bool
	New   json.RawMessage
}

// RunCommit is everything a run executed before it was queued leaves: its
// storage keys and its log entry (counted in the flow's stats).
type RunCommit struct {
	Run   *Run
	Entry *LogEntry
	Keys  []StagedKey
}

// ErrStaleRead is returned for a RunCommit whose run read a storage value
// that no longer holds when the commit applies: another write came first.
// Nothing of the commit is applied.
var ErrStaleRead = errors.New("a storage value the run read changed before the run committed")

// RunCommitter commits runs that executed before they were queued, each in
// one write: a run is either wholly committed (storage writes, log entry,
// stats) or not at all.
type RunCommitter interface {
	// SubmitRun hands c to the store's writer and returns a function that
	// waits for the outcome: nil once c is committed, ErrStaleRead (in
	// its chain) when a key read no longer holds Old, NotFound when the
	// flow was deleted, Validation when a new key would exceed the flow's
	// key cap, or why the store failed. Commits are applied in the order
	// SubmitRun was called, so a run may read what an earlier run
	// submitted but not yet committed and expect it.
	SubmitRun(ctx context.Context, c *RunCommit) (wait func() error)
}
