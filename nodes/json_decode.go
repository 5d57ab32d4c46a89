package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

var jsonDecodeErrorBehaviors = []string{"throw", "payloadPath"}

func init() {
	engine.Register(engine.Spec{
		Type:     "JsonDecodeNode",
		Name:     "json-decode",
		Category: "logic",
		Summary:  "Parses the JSON string at a payload path and stores the value (JSON: Decode).",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "source", Kind: "path", Required: true,
				Doc: "The JSON text. Like JSON.parse, a value that is not a string is converted to one first (so an object fails and a number passes through)."},
			{Name: "destination", Kind: "path", Required: true, Doc: "Where the parsed value goes; may equal source."},
			{Name: "errorBehavior", Kind: "enum", Enum: jsonDecodeErrorBehaviors, Default: "throw",
				Doc: "throw: invalid JSON halts the run with a SyntaxError. payloadPath: write {name: \"SyntaxError\", message} at errorPath and continue on the output; destination is left unchanged."},
			{Name: "errorPath", Kind: "path", Doc: "Where the error object goes when errorBehavior is payloadPath; required then."},
		},
	}, buildJSONDecode)
}

type jsonDecode struct {
	source, dest path.Path
	errorPath    path.Path
	catch        bool
}

func buildJSONDecode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Source        string `json:"source"`
		Destination   string `json:"destination"`
		ErrorBehavior string `json:"errorBehavior"`
		ErrorPath     string `json:"errorPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg.ErrorBehavior == "" {
		cfg.ErrorBehavior = "throw"
	}
	if !slices.Contains(jsonDecodeErrorBehaviors, cfg.ErrorBehavior) {
		return nil, engine.Errorf("Validation", "errorBehavior must be one of %v", jsonDecodeErrorBehaviors)
	}
	n := &jsonDecode{catch: cfg.ErrorBehavior == "payloadPath"}
	var err error
	if n.source, _, err = engine.CompilePath("source", cfg.Source, true); err != nil {
		return nil, err
	}
	if n.dest, _, err = engine.CompilePath("destination", cfg.Destination, true); err != nil {
		return nil, err
	}
	if n.catch {
		if n.errorPath, _, err = engine.CompilePath("errorPath", cfg.ErrorPath, true); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec parses the source and writes the value, or handles the syntax error
// as errorBehavior says.
func (n *jsonDecode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	v, err := parseJSONText(n.source.Get(p))
	if err != nil {
		if !n.catch {
			return 0, engine.Errorf("SyntaxError", "%s", err.Error())
		}
		e := map[string]any{"name": "SyntaxError", "message": err.Error()}
		if err := n.errorPath.Set(p, e); err != nil {
			return 0, engine.Errorf("Validation", "errorPath: %v", err)
		}
		return 0, nil
	}
	if err := n.dest.Set(p, v); err != nil {
		return 0, engine.Errorf("Validation", "destination: %v", err)
	}
	return 0, nil
}

// parseJSONText is JSON.parse(String(v)), with JavaScript-style messages.
func parseJSONText(v any) (any, error) {
	text := js.ToString(v)
	var out any
	err := json.Unmarshal([]byte(text), &out)
	if err == nil {
		return out, nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) || se.Offset <= 0 || int(se.Offset) > len(text) ||
		se.Error() == "unexpected end of JSON input" {
		return nil, errors.New("Unexpected end of JSON input")
	}
	pos := int(se.Offset) - 1
	r, _ := utf8.DecodeRuneInString(text[pos:])
	return nil, fmt.Errorf("Unexpected token %c in JSON at position %d", r, pos)
}

var _ engine.Node = (*jsonDecode)(nil)

// Contained marks the node as reaching nothing beyond its run (engine.Contained).
func (*jsonDecode) Contained() {}
