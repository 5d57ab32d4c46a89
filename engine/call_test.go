package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/weirhq/weir"
	_ "github.com/weirhq/weir/nodes"
)

// TestCallErrors runs a caller flow whose Custom Node node calls a custom
// node that fails, or that calls itself, and checks the caller's run fails
// with the custom node's error.
func TestCallErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     weir.Node
		wantName string
	}{
		{"InnerErrorHalts", node("boom", "TestFailNode", `{}`), "TypeError"},
		{"SelfCallStops", node("boom", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`), "RangeError"},
		{"MissingCustomNode", node("boom", "CustomNodeExecuteNode", `{"customNodeId":"nope"}`), "NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entry := runCalling(t, []weir.Node{node("n", "CustomNodeExecuteNode", `{"customNodeId":"custom"}`)}, `{}`, "boom", tc.body)
			if entry.PathsFailed != 1 || len(entry.Errors) == 0 || entry.Errors[0].Error.Name != tc.wantName {
				b, _ := json.Marshal(entry)
				t.Errorf("caller log entry %s, want one failed path with a %s", b, tc.wantName)
			}
		})
	}
}
