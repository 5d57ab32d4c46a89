package flowfile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/weirhq/weir/flowfile"
)

// seqIDs returns an id generator yielding 000…001, 000…002, …
func seqIDs() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("%024x", n) }
}

const remapFile = `resourceType: Flow
resources:
  - id: ~exportplaceholderid-flow-caller~
    name: Caller
    defaultVersionId: ~exportplaceholderid-flowVersion-gone~
    nodes:
      - id: call
        type: WorkflowTriggerNode
        config:
          flowId: ~exportplaceholderid-flow-target~
          triggerId: ~exportplaceholderid-flow-target~-0teBa51_yZl6G__
          app: ~exportplaceholderid-application-myApp~
          device: ~exportplaceholderid-device-turbofan~
        meta:
          note: ~exportplaceholderid-flow-target~ stays in meta
    triggers:
      - key: ~exportplaceholderid-flow-caller~-flowError
        type: flowError
      - key: ~exportplaceholderid-application-myApp~-experience-flowError
        type: flowError
  - id: ~exportplaceholderid-flow-target~
    name: Target
    triggers:
      - key: ~exportplaceholderid-flow-target~-0teBa51_yZl6G__
        type: virtualButton
      - key: 5f0c5a8e1c9d440000a1b2c3-aaa
        type: virtualButton
version: 1
`

func TestRemap(t *testing.T) {
	f, err := flowfile.Parse([]byte(remapFile))
	if err != nil {
		t.Fatal(err)
	}
	const app = "aaaaaaaaaaaaaaaaaaaaaaaa"
	m, err := f.Remap(app, seqIDs())
	if err != nil {
		t.Fatal(err)
	}
	caller, target := "000000000000000000000001", "000000000000000000000002"
	wantMap := map[string]string{"~exportplaceholderid-flow-caller~": caller, "~exportplaceholderid-flow-target~": target}
	if diff := cmp.Diff(wantMap, m.Flows); diff != "" {
		t.Errorf("flow map (-want +got):\n%s", diff)
	}
	c, tg := f.Flows[0], f.Flows[1]
	if c.ID != caller || tg.ID != target || c.DefaultVersionID != nil {
		t.Errorf("ids = %s, %s, default %v; want %s, %s, nil", c.ID, tg.ID, c.DefaultVersionID, caller, target)
	}
	gotKeys := []string{c.Triggers[0].Key, c.Triggers[1].Key, tg.Triggers[0].Key, tg.Triggers[1].Key}
	wantKeys := []string{caller + "-flowError", app + "-experience-flowError", target + "-0teBa51_yZl6G__", "5f0c5a8e1c9d440000a1b2c3-aaa"}
	if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
		t.Errorf("trigger keys (-want +got):\n%s", diff)
	}
	wantConfig := `{"flowId":"` + target + `","triggerId":"` + target + `-0teBa51_yZl6G__","app":"` + app +
		`","device":"~exportplaceholderid-device-turbofan~"}`
	if got := string(c.Nodes[0].Config); got != wantConfig {
		t.Errorf("node config = %s, want %s", got, wantConfig)
	}
	if got := string(c.Nodes[0].Meta); !strings.Contains(got, "~exportplaceholderid-flow-target~ stays") {
		t.Errorf("node meta = %s, want it unchanged", got)
	}
	if err := f.Validate(); err != nil {
		t.Errorf("Validate after Remap: %v", err)
	}
}

func TestRemapHexIDsAndVersions(t *testing.T) {
	const old, oldV = "5F0C5A8E1C9D440000A1B2C3", "5f0c5a8e1c9d440000a1b2c4"
	f, err := flowfile.Parse([]byte(`{"flows": [{"id": "` + old + `", "name": "A", "defaultVersionId": "` + oldV + `",
	  "triggers": [{"type": "virtualButton", "key": "` + old + `-x"}],
	  "nodes": [{"id": "n", "type": "WorkflowTriggerNode", "config": {"flowId": "` + strings.ToLower(old) + `", "longer": "` + old + `ff"}}]}],
	  "flowVersions": [{"id": "` + oldV + `", "flowId": "` + old + `", "version": "v1"}, {"flowId": "ffffffffffffffffffffffff", "version": "v2"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.Remap("", seqIDs())
	if err != nil {
		t.Fatal(err)
	}
	newF, newV := "000000000000000000000001", "000000000000000000000002"
	if m.Flows[old] != newF || m.Versions[oldV] != newV || len(m.Versions) != 1 {
		t.Errorf("maps = %v %v", m.Flows, m.Versions)
	}
	fl := f.Flows[0]
	if fl.Triggers[0].Key != newF+"-x" || *fl.DefaultVersionID != newV {
		t.Errorf("key %q default %q, want %s-x and %s", fl.Triggers[0].Key, *fl.DefaultVersionID, newF, newV)
	}
	if got, want := string(fl.Nodes[0].Config), `{"flowId": "`+newF+`", "longer": "`+old+`ff"}`; got != want {
		t.Errorf("config = %s, want %s", got, want)
	}
	if v := f.Versions; v[0].FlowID != newF || v[1].FlowID != "ffffffffffffffffffffffff" || v[1].ID != "000000000000000000000003" {
		t.Errorf("versions = %+v %+v", v[0], v[1])
	}
}

func TestRemapDuplicate(t *testing.T) {
	f, err := flowfile.Parse([]byte(`{"flows": [{"id": "~exportplaceholderid-flow-a~", "name": "A"}, {"id": "~exportplaceholderid-flow-a~", "name": "B"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Remap("", seqIDs()); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("Remap = %v, want a used-twice error", err)
	}
}
