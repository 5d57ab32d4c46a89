package nodes_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// TestDeviceNodesByQueryBuildErrors: a selection by query without a query,
// or naming a selection the node does not know, is refused when the flow
// is saved.
func TestDeviceNodesByQueryBuildErrors(t *testing.T) {
	for _, tc := range []struct{ typ, cfg, meta string }{
		{"DeviceDeleteWorkflowNode", `{"dataMethod":"query","deviceQueryJsonTemplate":" "}`, ``},
		{"DeviceDeleteWorkflowNode", `{"dataMethod":"tags","deviceIdTemplate":"x"}`, ``},
		{"DeviceSendCommandNode", `{"nameTemplate":"n","sendToDeviceIds":["x"]}`, `{"deviceSelectionType":"query"}`},
		{"DeviceSendCommandNode", `{"nameTemplate":"n","deviceQueryJsonTemplate":"{}"}`, `{"deviceSelectionType":"payload"}`},
		{"DeviceSendCommandNode", `{"nameTemplate":"n","deviceQueryJsonTemplate":"{{#if}}"}`, ``},
		{"GaugeNode", `{"findMethod":"expUser","expUserTemplate":"{{#if}}","attribute":"t","resultPath":"data.x"}`, ``},
	} {
		_, build, _ := engine.Lookup(tc.typ)
		c := &engine.NodeConfig{ID: "n", Type: tc.typ, Config: json.RawMessage(tc.cfg)}
		if tc.meta != "" {
			c.Meta = json.RawMessage(tc.meta)
		}
		if _, err := build(c); errorName(err) != "Validation" {
			t.Errorf("%s %s meta %s: error = %v, want Validation", tc.typ, tc.cfg, tc.meta, err)
		}
	}
}

// TestDeleteDeviceQueryOverLimitDeletesNothing: a query matching more than
// weir.MaxDataDevices devices writes a Validation error and deletes none;
// Device: Command fails the run and sends nothing.
func TestDeleteDeviceQueryOverLimitDeletesNothing(t *testing.T) {
	var ds []*weir.Device
	for i := range weir.MaxDataDevices + 1 {
		ds = append(ds, &weir.Device{ID: fmt.Sprintf("5a1b2c3d4e5f6071%08x", i), Name: fmt.Sprintf("d%d", i),
			Tags: []weir.DeviceTag{{Key: "k", Value: "v"}}, CreationDate: time.Now(), LastUpdated: time.Now()})
	}
	m := newMemDevices(ds)
	env := &engine.Env{ApplicationID: "app", Devices: m.access(), Now: time.Now}
	run := func(typ, cfg, meta string) (engine.Payload, error) {
		t.Helper()
		_, build, _ := engine.Lookup(typ)
		n, err := build(&engine.NodeConfig{ID: "n", Type: typ, Config: json.RawMessage(cfg), Meta: json.RawMessage(meta)})
		if err != nil {
			t.Fatal(err)
		}
		p := engine.Payload{"data": map[string]any{}}
		_, err = n.Exec(t.Context(), env, p)
		return p, err
	}
	p, err := run("DeviceDeleteWorkflowNode", `{"dataMethod":"query","deviceQueryJsonTemplate":"{\"tags\":{\"k\":\"v\"}}","resultPath":"data.r"}`, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := p["data"].(map[string]any)["r"].(map[string]any)
	if e, _ := r["error"].(map[string]any); e["type"] != "Validation" {
		t.Errorf("result = %v, want a Validation error", r)
	}
	_, err = run("DeviceSendCommandNode", `{"deviceQueryJsonTemplate":"{\"tags\":{\"k\":\"v\"}}","nameTemplate":"go"}`, `{"deviceSelectionType":"query"}`)
	if errorName(err) != "Validation" {
		t.Errorf("command error = %v, want Validation", err)
	}
	devices, _, commands, _ := m.outcome()
	if len(devices) != weir.MaxDataDevices+1 || len(commands) != 0 {
		t.Errorf("%d devices and %d commands left, want %d and none", len(devices), len(commands), weir.MaxDataDevices+1)
	}
}
