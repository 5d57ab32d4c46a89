package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ThrowErrorNode",
		Name:     "throw-error",
		Category: "debug",
		Summary:  "Halts the run with an error whose message is a rendered template; it has no outputs.",
		Fields: []engine.Field{
			{Name: "messageTemplate", Kind: "template", Required: true,
				Doc: "The error message. The error's name is ThrowErrorNodeError (Losant does not document it)."},
		},
	}, buildThrowError)
}

type throwError struct {
	message *template.Template
}

func buildThrowError(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		MessageTemplate engine.Text `json:"messageTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(cfg.MessageTemplate)) == "" {
		return nil, engine.Errorf("Validation", "Message template is required")
	}
	t, err := engine.CompileTemplate("messageTemplate", string(cfg.MessageTemplate))
	if err != nil {
		return nil, err
	}
	return &throwError{message: t}, nil
}

// Exec always fails, halting the run.
func (n *throwError) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	msg, err := n.message.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "messageTemplate: %v", err)
	}
	return 0, engine.Errorf("ThrowErrorNodeError", "%s", msg)
}

var _ engine.Node = (*throwError)(nil)
