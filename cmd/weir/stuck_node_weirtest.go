//go:build weirtest

package main

import (
	"context"
	"time"

	"github.com/weirhq/weir/engine"
)

// The weirtest build of the binary, which the tests start as a process, has
// one more node type: StuckNode never returns and ignores its context, as a
// node stuck in a primitive that cannot be interrupted would.
func init() {
	engine.Register(engine.Spec{
		Type:     "StuckNode",
		Name:     "stuck",
		Category: "logic",
		Summary:  "Test only: never returns, whatever its context says.",
		Outputs:  []string{"next"},
	}, func(*engine.NodeConfig) (engine.Node, error) { return stuckNode{}, nil })
}

type stuckNode struct{}

// Exec blocks forever.
func (stuckNode) Exec(context.Context, *engine.Env, engine.Payload) (int, error) {
	for {
		time.Sleep(time.Hour)
	}
}
