package nodes

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "Base64DecodeNode",
		Name:     "base64-decode",
		Category: "logic",
		Summary:  "Decodes base64 text into a string or an array of byte values.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "source", Kind: "path", Doc: "The base64 string to decode (standard or URL-safe alphabet, padding optional); used when sourceTemplate is empty."},
			{Name: "destination", Kind: "path", Doc: "Where to put the result; resultPath is accepted instead."},
			{Name: "stringOutput", Kind: "bool", Default: "false", Doc: "true: the result is the decoded bytes as a UTF-8 string; false: an array of byte values."},
			{Name: "sourceTemplate", Kind: "template", Doc: "Alternative to source: a template rendering the base64 text."},
			{Name: "resultPath", Kind: "path", Doc: "Alternative to destination."},
		},
	}, buildBase64Decode)
}

type base64Decode struct {
	base64IO
	stringOutput bool
}

func buildBase64Decode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg base64Config
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	io, err := compileBase64IO(cfg)
	if err != nil {
		return nil, err
	}
	return &base64Decode{io, cfg.StringOutput}, nil
}

// Exec decodes the input and continues; text that is not base64 throws.
func (n *base64Decode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	in, err := n.input(p)
	if err != nil {
		return 0, err
	}
	s, ok := in.(string)
	if !ok {
		return 0, engine.Errorf("TypeError", "source is not a string: %s", js.TypeOf(in))
	}
	b, err := decodeBase64(s)
	if err != nil {
		return 0, engine.Errorf("TypeError", "source is not valid base64")
	}
	if n.stringOutput {
		return 0, n.output(p, strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	out := make([]any, len(b))
	for i, c := range b {
		out[i] = float64(c)
	}
	return 0, n.output(p, out)
}

// decodeBase64 decodes standard or URL-safe base64, padded or not, ignoring
// whitespace.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

var _ engine.Node = (*base64Decode)(nil)
