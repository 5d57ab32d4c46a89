package weir

import (
	"context"
	"encoding/json"
)

// NodeStateService keeps the small state some nodes carry from one run to
// the next (a latch, a throttle's last pass, the last value an On Change node
// saw), per flow and key. It is shared by all versions and concurrent runs
// of the flow, separate from the flow's user-visible storage, and deleted
// with the flow.
type NodeStateService interface {
	// NodeState returns the state stored under key and whether it exists.
	// Given an Effect in ctx that a swap recorded, it returns the state that
	// swap replaced, so that a run executed again decides as it did.
	NodeState(ctx context.Context, flowID, key string) (json.RawMessage, bool, error)

	// SwapNodeState atomically replaces the state under key with next if it
	// is still old, and reports whether it did. A nil old means the key must
	// not exist; a nil next deletes it. It returns NotFound if the flow does
	// not exist. Given an Effect in ctx, a swap that succeeds is recorded with
	// the state it replaced, and a repeat of the effect reports true without
	// swapping (a repeat racing the first may report false once).
	SwapNodeState(ctx context.Context, flowID, key string, old, next json.RawMessage) (bool, error)
}
