//go:build weirtest

package main

import (
	"context"
	"os"
	"time"

	"github.com/weirhq/weir/engine"
)

// The weirtest build of the binary, which the tests start as a process, has
// two more node types: StuckNode never returns and ignores its context, as a
// node stuck in a primitive that cannot be interrupted would; CrashNode
// kills the process a second after it starts, as a fatal runtime error or
// the kernel's OOM killer would.
func init() {
	engine.Register(engine.Spec{
		Type:     "CrashNode",
		Name:     "crash",
		Category: "logic",
		Summary:  "Test only: exits the process a second after it starts.",
		Outputs:  []string{"next"},
	}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) {
			time.Sleep(time.Second)
			os.Exit(3)
			return 0, nil
		}), nil
	})
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
