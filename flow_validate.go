package weir

import (
	"encoding/json"
	"strings"
)

// Trigger types whose key the server generates.
var generatedKeyTriggers = map[string]bool{
	"virtualButton": true, "timer": true, "flowError": true, "request": true,
}

// Validate checks the structural rules of a flow: name, class and definition.
func (f *Flow) Validate() error {
	if n := len([]rune(f.Name)); n < 1 || n > 255 {
		return Errorf(Validation, "name must be between 1 and 255 characters")
	}
	switch f.FlowClass {
	case FlowClassCloud, FlowClassEdge, FlowClassEmbedded, FlowClassExperience, FlowClassCustomNode:
	default:
		return Errorf(Validation, "flowClass must be an enum value")
	}
	if f.DefaultVersionID != nil && !ValidID(*f.DefaultVersionID) {
		return Errorf(Validation, "defaultVersionId pattern mismatch")
	}
	return f.Definition.Validate()
}

// Validate checks the wiring of a definition: node ids are unique, every id in
// any outputIds names an existing node, no node outputs to itself, loop bodies
// stay inside their group, and globals are well formed.
func (d *Definition) Validate() error {
	groups := make(map[string]string, len(d.Nodes)) // node id -> meta.groupId
	for _, n := range d.Nodes {
		if n.Type == "" {
			return Errorf(Validation, "node type is required")
		}
		if n.ID == "" {
			continue
		}
		if _, dup := groups[n.ID]; dup {
			return Errorf(Validation, "Node IDs must be unique.")
		}
		groups[n.ID] = metaGroupID(n.Meta)
	}
	for _, n := range d.Nodes {
		for port, targets := range n.OutputIDs {
			for _, id := range targets {
				g, ok := groups[id]
				if !ok {
					return Errorf(Validation, "Referenced output ID %s does not exist.", id)
				}
				if id == n.ID {
					return Errorf(Validation, "A node cannot connect to itself.")
				}
				want := groups[n.ID]
				if n.Type == "LoopNode" && port == 1 {
					want = n.ID
				}
				if g != want {
					return Errorf(Validation, "Referenced output ID %s does not exist in the required group.", id)
				}
			}
		}
	}
	for _, t := range d.Triggers {
		if t.Type == "" {
			return Errorf(Validation, "trigger type is required")
		}
		for _, targets := range t.OutputIDs {
			for _, id := range targets {
				g, ok := groups[id]
				if !ok {
					return Errorf(Validation, "Referenced output ID %s does not exist.", id)
				}
				if g != "" {
					return Errorf(Validation, "Referenced output ID %s does not exist in the required group.", id)
				}
			}
		}
	}
	return ValidateGlobals(d.Globals)
}

// AssignTriggerKeys gives every trigger whose key the server generates, and
// that has none, a new key: "<flowID>-<random>", "<flowID>-flowError" for a
// Workflow Error trigger, "<method>-<route>" for an HTTP request trigger
// (get-/devices/{id}; method * when its config has none).
func (d *Definition) AssignTriggerKeys(flowID string) {
	for i := range d.Triggers {
		t := &d.Triggers[i]
		if t.Key != "" || !generatedKeyTriggers[t.Type] {
			continue
		}
		switch t.Type {
		case "flowError":
			t.Key = flowID + "-flowError"
		case "request":
			t.Key = requestTriggerKey(t.Config)
		default:
			t.Key = flowID + "-" + NewKey(21)
		}
	}
}

// requestTriggerKey is the key of an HTTP request trigger with config raw.
func requestTriggerKey(raw json.RawMessage) string {
	var cfg struct {
		Method string `json:"method"`
		Route  string `json:"route"`
	}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &cfg)
	}
	method := strings.ToLower(strings.TrimSpace(cfg.Method))
	if method == "" {
		method = "*"
	}
	return method + "-" + strings.TrimSpace(cfg.Route)
}

// metaGroupID returns meta.groupId of a node, or "".
func metaGroupID(meta json.RawMessage) string {
	if len(meta) == 0 {
		return ""
	}
	var m struct {
		GroupID string `json:"groupId"`
	}
	_ = json.Unmarshal(meta, &m)
	return m.GroupID
}
