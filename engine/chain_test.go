package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/mock"
)

// TestPressChainDepth checks that a Workflow Trigger press deeper than
// engine.MaxChainDepth is refused with ChainLimitError, and one at the bound
// is not.
func TestPressChainDepth(t *testing.T) {
	flow := executorFlow(true)
	b := &engine.Buttons{
		Flows: &mock.FlowService{FindFlowByIDFn: func(context.Context, string, string) (*weir.Flow, error) {
			return flow, nil
		}},
		Runs: &mock.RunQueue{EnqueueRunFn: func(context.Context, *weir.Run) error { return nil }},
	}
	press := engine.Press{ApplicationID: "a1", FlowID: "f1", Key: "t", FlowVersion: "develop", Origin: "r0"}
	press.Depth = engine.MaxChainDepth
	run, err := b.Press(t.Context(), press)
	if err != nil || run == nil || run.Origin != "r0" || run.Depth != engine.MaxChainDepth {
		t.Fatalf("press at depth %d = %+v, %v; want a run carrying its origin and depth", press.Depth, run, err)
	}
	press.Depth++
	_, err = b.Press(t.Context(), press)
	var ne *engine.NodeError
	if !errors.As(err, &ne) || ne.Name != "ChainLimitError" {
		t.Fatalf("press at depth %d = %v, want ChainLimitError", press.Depth, err)
	}
}
