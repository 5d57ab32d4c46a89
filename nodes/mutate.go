package nodes

import (
	"context"
	"slices"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

const (
	maxMutateRules       = 100
	maxMutateValueLength = 32768
)

var (
	mutateRuleTypes  = []string{"set", "copy", "move", "remove"}
	mutateValueTypes = []string{"string", "json"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "MutateNode",
		Name:     "mutate",
		Category: "logic",
		Summary:  "Sets, copies, moves and removes payload values, applying up to 100 rules in order.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "rules", Kind: "array", Required: true, Doc: "Up to 100 rules, applied in order."},
			{Name: "rules[].type", Kind: "enum", Enum: mutateRuleTypes, Required: true,
				Doc: "set: write valueTemplate at destination. copy: write a deep copy of the value at source to destination, types kept. move: read source, remove it, then write the value at destination (so overlapping paths such as a → a.b keep the value). remove: delete source; nothing happens when it is missing."},
			{Name: "rules[].valueTemplate", Kind: "template",
				Doc: "For set: the value, at most 32,768 characters. As a string template it always yields text ({{obj}} gives \"[object Object]\"); use valueTemplateType json with {{jsonEncode …}} for structured values."},
			{Name: "rules[].valueTemplateType", Kind: "enum", Enum: mutateValueTypes, Default: "string",
				Doc: "For set: string stores the rendered text; json parses it as JSON, and text that is not valid JSON stores undefined (destination is removed) rather than halting the run."},
			{Name: "rules[].source", Kind: "path", Doc: "For copy, move and remove: the value to read or delete."},
			{Name: "rules[].destination", Kind: "path", Doc: "For set, copy and move: where to write; missing parents are created."},
		},
	}, buildMutate)
}

type mutateRule struct {
	typ    string
	value  *template.Template
	json   bool
	source path.Path
	dest   path.Path
}

type mutate struct {
	rules []mutateRule
}

func buildMutate(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Rules []struct {
			Type              string      `json:"type"`
			ValueTemplate     engine.Text `json:"valueTemplate"`
			ValueTemplateType string      `json:"valueTemplateType"`
			Source            string      `json:"source"`
			Destination       string      `json:"destination"`
		} `json:"rules"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if len(cfg.Rules) > maxMutateRules {
		return nil, engine.Errorf("Validation", "A mutate node may have at most %d rules", maxMutateRules)
	}
	n := &mutate{rules: make([]mutateRule, len(cfg.Rules))}
	for i, rc := range cfg.Rules {
		r := mutateRule{typ: rc.Type}
		if !slices.Contains(mutateRuleTypes, r.typ) {
			return nil, engine.Errorf("Validation", "Rule %d: type must be one of %v", i+1, mutateRuleTypes)
		}
		var err error
		if r.typ != "set" {
			if r.source, _, err = engine.CompilePath("source", rc.Source, true); err != nil {
				return nil, err
			}
		}
		if r.typ != "remove" {
			if r.dest, _, err = engine.CompilePath("destination", rc.Destination, true); err != nil {
				return nil, err
			}
		}
		if r.typ == "set" {
			if r.value, r.json, err = compileMutateValue(rc.ValueTemplate, rc.ValueTemplateType); err != nil {
				return nil, err
			}
		}
		n.rules[i] = r
	}
	return n, nil
}

// compileMutateValue compiles the value of a set rule.
func compileMutateValue(src engine.Text, typ string) (*template.Template, bool, error) {
	if typ == "" {
		typ = "string"
	}
	if !slices.Contains(mutateValueTypes, typ) {
		return nil, false, engine.Errorf("Validation", "valueTemplateType must be one of %v", mutateValueTypes)
	}
	if len(src) > maxMutateValueLength {
		return nil, false, engine.Errorf("Validation", "valueTemplate is longer than %d characters", maxMutateValueLength)
	}
	t, err := engine.CompileTemplate("valueTemplate", string(src))
	return t, typ == "json", err
}

// Exec applies the rules in order and continues.
func (n *mutate) Exec(ctx context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	for i := range n.rules {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := n.rules[i].apply(p); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// apply runs one rule on p.
func (r *mutateRule) apply(p engine.Payload) error {
	var v any
	switch r.typ {
	case "remove":
		r.source.Delete(p)
		return nil
	case "copy":
		v = engine.Clone(r.source.Get(p))
	case "move":
		v = r.source.Get(p)
		if r.source.IsRoot() {
			v = engine.Clone(v) // Delete clears the very map v is
		}
		r.source.Delete(p)
	case "set":
		text, err := r.value.Render(p)
		if err != nil {
			return engine.Errorf("Validation", "valueTemplate: %v", err)
		}
		v = text
		if r.json {
			if v, err = engine.DecodeValue([]byte(text)); err != nil {
				v = js.Undefined{}
			}
		}
	}
	if err := r.dest.Set(p, v); err != nil {
		return engine.Errorf("Validation", "destination %s: %v", r.dest, err)
	}
	return nil
}

var _ engine.Node = (*mutate)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*mutate) Contained() {}
