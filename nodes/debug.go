package nodes

import (
	"context"
	"slices"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var debugLevels = []string{"verbose", "info", "warn", "error"}

func init() {
	engine.Register(engine.Spec{
		Type:     "DebugNode",
		Name:     "debug",
		Category: "debug",
		Summary:  "Sends the payload, or one value of it, with a message to the flow's debug stream.",
		Outputs:  []string{"next: the payload, unchanged"},
		Fields: []engine.Field{
			{Name: "message", Kind: "template", Doc: "A message shown with the entry."},
			{Name: "property", Kind: "path", Doc: "Show only the value at this path; empty shows the whole payload."},
			{Name: "level", Kind: "enum", Enum: debugLevels, Default: "verbose", Doc: "The entry's level."},
		},
	}, buildDebug)
}

type debug struct {
	id, label string
	message   *template.Template
	property  string
	path      path.Path
	hasPath   bool
	level     string
}

func buildDebug(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Message  engine.Text `json:"message"`
		Property string      `json:"property"`
		Level    string      `json:"level"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &debug{id: c.ID, label: c.Label, property: cfg.Property, level: cfg.Level}
	if n.level == "" {
		n.level = "verbose"
	}
	if !slices.Contains(debugLevels, n.level) {
		return nil, engine.Errorf("Validation", "level must be one of %v", debugLevels)
	}
	var err error
	if n.message, err = engine.CompileTemplate("message", string(cfg.Message)); err != nil {
		return nil, err
	}
	if n.path, n.hasPath, err = engine.CompilePath("property", cfg.Property, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec emits a debug message and continues with the payload unchanged.
func (n *debug) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if !env.Debugging() {
		return 0, nil
	}
	msg, err := n.message.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "message: %v", err)
	}
	var shown any = p
	if n.hasPath {
		shown = n.path.Get(p)
	}
	env.Emit(engine.DebugMessage{
		NodeID: n.id, NodeLabel: n.label, Level: n.level, Message: msg,
		Property: n.property, Payload: engine.Clone(shown),
	})
	return 0, nil
}

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*debug) Contained() {}
