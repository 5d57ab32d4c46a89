package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "JsonEncodeNode",
		Name:     "json-encode",
		Category: "logic",
		Summary:  "Serializes the value at a payload path to a compact JSON string (JSON: Encode).",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "source", Kind: "path", Required: true,
				Doc: "The value to serialize; \".\" is the whole payload. Like JSON.stringify: Dates become ISO strings, NaN and Infinity null, object keys are written in sorted order, and a missing value removes destination."},
			{Name: "destination", Kind: "path", Required: true, Doc: "Where the JSON string goes; may equal source."},
		},
	}, buildJSONEncode)
}

type jsonEncode struct {
	source, dest path.Path
}

func buildJSONEncode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Source      string `json:"source"`
		Destination string `json:"destination"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &jsonEncode{}
	var err error
	if n.source, _, err = engine.CompilePath("source", cfg.Source, true); err != nil {
		return nil, err
	}
	if n.dest, _, err = engine.CompilePath("destination", cfg.Destination, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes the JSON text of the source value to destination.
func (n *jsonEncode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	var v any = js.Undefined{}
	if b, ok := js.Stringify(n.source.Get(p), ""); ok {
		v = string(b)
	}
	if err := n.dest.Set(p, v); err != nil {
		return 0, engine.Errorf("Validation", "destination: %v", err)
	}
	return 0, nil
}

var _ engine.Node = (*jsonEncode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*jsonEncode) Contained() {}
