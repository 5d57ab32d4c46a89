package nodes

import (
	"context"
	"encoding/base64"
	"math"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "Base64EncodeNode",
		Name:     "base64-encode",
		Category: "logic",
		Summary:  "Encodes a string, or an array of byte values, as standard base64 text.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "source", Kind: "path", Doc: "The value to encode: a string (encoded as UTF-8) or an array of byte values; used when sourceTemplate is empty."},
			{Name: "destination", Kind: "path", Doc: "Where to put the base64 string; resultPath is accepted instead."},
			{Name: "sourceTemplate", Kind: "template", Doc: "Alternative to source: a template whose rendered text is encoded."},
			{Name: "resultPath", Kind: "path", Doc: "Alternative to destination."},
		},
	}, buildBase64Encode)
}

type base64Encode struct{ base64IO }

// base64IO is the input and output of the base64 nodes, which exports write
// either as source/destination paths or as sourceTemplate/resultPath.
type base64IO struct {
	source      path.Path
	tmpl        *template.Template
	destination path.Path
}

type base64Config struct {
	Source         string      `json:"source"`
	Destination    string      `json:"destination"`
	SourceTemplate engine.Text `json:"sourceTemplate"`
	ResultPath     string      `json:"resultPath"`
	StringOutput   bool        `json:"stringOutput"`
}

func buildBase64Encode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg base64Config
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	io, err := compileBase64IO(cfg)
	if err != nil {
		return nil, err
	}
	return &base64Encode{io}, nil
}

// Exec encodes the input and continues.
func (n *base64Encode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	in, err := n.input(p)
	if err != nil {
		return 0, err
	}
	var b []byte
	switch v := in.(type) {
	case string:
		b = []byte(v)
	case []any:
		if b, err = byteValues(v); err != nil {
			return 0, err
		}
	default:
		b = []byte(js.ToString(v))
	}
	return 0, n.output(p, base64.StdEncoding.EncodeToString(b))
}

func compileBase64IO(cfg base64Config) (base64IO, error) {
	var io base64IO
	var err error
	if cfg.SourceTemplate != "" {
		if io.tmpl, err = engine.CompileTemplate("sourceTemplate", string(cfg.SourceTemplate)); err != nil {
			return io, err
		}
	} else if io.source, _, err = engine.CompilePath("source", cfg.Source, true); err != nil {
		return io, err
	}
	dest, field := cfg.Destination, "destination"
	if dest == "" && cfg.ResultPath != "" {
		dest, field = cfg.ResultPath, "resultPath"
	}
	io.destination, _, err = engine.CompilePath(field, dest, true)
	return io, err
}

// input returns the rendered template or the value at source.
func (io *base64IO) input(p engine.Payload) (any, error) {
	if io.tmpl == nil {
		return io.source.Get(p), nil
	}
	s, err := io.tmpl.Render(p)
	if err != nil {
		return nil, engine.Errorf("Validation", "sourceTemplate: %v", err)
	}
	return s, nil
}

func (io *base64IO) output(p engine.Payload, v any) error {
	if err := io.destination.Set(p, v); err != nil {
		return engine.Errorf("Validation", "destination: %v", err)
	}
	return nil
}

// byteValues converts an array of numbers 0–255 to bytes.
func byteValues(a []any) ([]byte, error) {
	b := make([]byte, len(a))
	for i, e := range a {
		f, ok := e.(float64)
		if !ok || f < 0 || f > 255 || f != math.Trunc(f) {
			return nil, engine.Errorf("TypeError", "element %d is not a byte value: %s", i, js.ToString(e))
		}
		b[i] = byte(f)
	}
	return b, nil
}

var _ engine.Node = (*base64Encode)(nil)
