package triggers

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// Indexer gives the trigger index of an application's enabled flows;
// *engine.FlowCache is one, kept up to date as flows change.
type Indexer interface {
	TriggerIndex(ctx context.Context, applicationID string) (*engine.TriggerIndex, error)
}

// triggerIndex returns the application's trigger index from ix, or built
// by reading every flow when ix is nil.
func triggerIndex(ctx context.Context, ix Indexer, flows weir.FlowService, versions weir.FlowVersionService, applicationID string) (*engine.TriggerIndex, error) {
	if ix != nil {
		return ix.TriggerIndex(ctx, applicationID)
	}
	return engine.BuildTriggerIndex(ctx, flows, versions, applicationID)
}
