package nodes

import (
	"context"

	"github.com/weirhq/weir/engine"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "AnnotationNode",
		Name:     "note",
		Category: "annotation",
		Summary:  "A note on the canvas. It is never wired and never runs.",
		Fields: []engine.Field{
			{Name: "text", Kind: "string", Doc: "The note's text."},
		},
	}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) {
			return engine.NoOutput, nil
		}), nil
	})
}
