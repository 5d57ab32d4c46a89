package weir_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weirhq/weir"
)

func TestAssignTriggerKeys(t *testing.T) {
	d := &weir.Definition{Triggers: []weir.Trigger{
		{Type: "virtualButton"},
		{Type: "flowError"},
		{Type: "request", Config: json.RawMessage(`{"method":"GET","route":"/devices/{id}"}`)},
		{Type: "request", Config: json.RawMessage(`{"route":""}`)},
		{Type: "request", Key: "kept", Config: json.RawMessage(`{"method":"post","route":"/x"}`)},
		{Type: "webhook"},
	}}
	d.AssignTriggerKeys("f1")
	keys := make([]string, len(d.Triggers))
	for i, tr := range d.Triggers {
		keys[i] = tr.Key
	}
	if !strings.HasPrefix(keys[0], "f1-") || len(keys[0]) != len("f1-")+21 {
		t.Errorf("virtual button key %q, want f1-<21 characters>", keys[0])
	}
	want := []string{keys[0], "f1-flowError", "get-/devices/{id}", "*-", "kept", ""}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("trigger %d (%s) key = %q, want %q", i, d.Triggers[i].Type, keys[i], want[i])
		}
	}
}
