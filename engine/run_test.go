package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
)

// Test node types, registered once for this package's tests:
//   - TestSetNode writes config.value at data.<config.key> and continues on port 0;
//   - TestPortNode continues on port config.port;
//   - TestFailNode fails; TestPanicNode panics; TestBlockNode waits for ctx.
func init() {
	engine.Register(engine.Spec{Type: "TestSetNode"}, func(c *engine.NodeConfig) (engine.Node, error) {
		var cfg struct{ Key, Value string }
		if err := c.Decode(&cfg); err != nil {
			return nil, err
		}
		return engine.NodeFunc(func(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
			p["data"].(map[string]any)[cfg.Key] = cfg.Value
			return 0, nil
		}), nil
	})
	engine.Register(engine.Spec{Type: "TestPortNode"}, func(c *engine.NodeConfig) (engine.Node, error) {
		var cfg struct{ Port int }
		if err := c.Decode(&cfg); err != nil {
			return nil, err
		}
		return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) { return cfg.Port, nil }), nil
	})
	engine.Register(engine.Spec{Type: "TestFailNode"}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) {
			return 0, engine.Errorf("TypeError", "boom")
		}), nil
	})
	engine.Register(engine.Spec{Type: "TestPanicNode"}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(context.Context, *engine.Env, engine.Payload) (int, error) { panic("oops") }), nil
	})
	engine.Register(engine.Spec{Type: "TestBlockNode"}, func(*engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(ctx context.Context, _ *engine.Env, _ engine.Payload) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}), nil
	})
	engine.Register(engine.Spec{Type: "TestRecordNode"}, func(c *engine.NodeConfig) (engine.Node, error) {
		return engine.NodeFunc(func(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
			env.Emit(engine.DebugMessage{NodeID: c.ID, Payload: engine.Clone(p)})
			return 0, nil
		}), nil
	})
}

// node builds a node document.
func node(id, typ, config string, outputs ...[]string) weir.Node {
	return weir.Node{ID: id, Type: typ, Config: json.RawMessage(config), Meta: json.RawMessage(`{"label":"` + id + `"}`), OutputIDs: outputs}
}

// mustRun compiles def and runs trigger "t" on a payload with empty data,
// returning the result and the recorded debug messages by node id.
func mustRun(t *testing.T, ctx context.Context, def *weir.Definition) (*engine.Result, map[string][]engine.Payload) {
	t.Helper()
	g, err := engine.Compile(def)
	if err != nil {
		t.Fatalf("Compile() error %v", err)
	}
	var mu sync.Mutex
	seen := map[string][]engine.Payload{}
	env := &engine.Env{FlowVersion: "develop", FlowVersionID: "develop", Debug: func(m engine.DebugMessage) {
		mu.Lock()
		defer mu.Unlock()
		seen[m.NodeID] = append(seen[m.NodeID], m.Payload.(engine.Payload))
	}}
	res, err := g.Run(ctx, env, "t", engine.Payload{"data": map[string]any{}})
	if err != nil {
		t.Fatalf("Run() error %v", err)
	}
	return res, seen
}

func trigger(targets ...string) []weir.Trigger {
	return []weir.Trigger{{Key: "t", Type: "virtualButton", OutputIDs: [][]string{targets}}}
}

func TestRunFanOutCopiesPayload(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("a", "b"),
		Nodes: []weir.Node{
			node("a", "TestSetNode", `{"key":"x","value":"from-a"}`, []string{"ra"}),
			node("b", "TestSetNode", `{"key":"y","value":"from-b"}`, []string{"rb", "rb2"}),
			node("ra", "TestRecordNode", `{}`),
			node("rb", "TestRecordNode", `{}`),
			node("rb2", "TestRecordNode", `{}`),
		},
	}
	res, seen := mustRun(t, t.Context(), def)
	if res.PathsCompleted != 3 || res.PathsFailed != 0 {
		t.Errorf("paths = %d completed, %d failed, want 3, 0", res.PathsCompleted, res.PathsFailed)
	}
	if got := seen["ra"][0]["data"]; fmt.Sprint(got) != "map[x:from-a]" {
		t.Errorf("branch a saw data %v, want only x", got)
	}
	for _, id := range []string{"rb", "rb2"} {
		if got := seen[id][0]["data"]; fmt.Sprint(got) != "map[y:from-b]" {
			t.Errorf("branch %s saw data %v, want only y", id, got)
		}
	}
}

func TestRunPorts(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("p"),
		Nodes: []weir.Node{
			node("p", "TestPortNode", `{"port":1}`, []string{"no"}, []string{"yes"}),
			node("no", "TestRecordNode", `{}`),
			node("yes", "TestRecordNode", `{}`),
		},
	}
	res, seen := mustRun(t, t.Context(), def)
	if len(seen["yes"]) != 1 || len(seen["no"]) != 0 || res.PathsCompleted != 1 {
		t.Errorf("port 1 reached yes=%d no=%d (completed %d), want 1, 0 (1)", len(seen["yes"]), len(seen["no"]), res.PathsCompleted)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name     string
		nodes    []weir.Node
		wantName string
	}{
		{"NodeError", []weir.Node{node("f", "TestFailNode", `{}`)}, "TypeError"},
		{"Panic", []weir.Node{node("f", "TestPanicNode", `{}`)}, "Error"},
		{"UnsupportedType", []weir.Node{node("f", "MadeUpNode", `{}`)}, "UnsupportedNode"},
		{"Cycle", []weir.Node{node("f", "TestPortNode", `{"port":0}`, []string{"g"}), node("g", "TestPortNode", `{"port":0}`, []string{"f"})}, "Error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := mustRun(t, t.Context(), &weir.Definition{Triggers: trigger("f"), Nodes: tc.nodes})
			if res.PathsFailed != 1 || len(res.Errors) != 1 {
				t.Fatalf("failed paths %d with errors %v, want 1 and one error", res.PathsFailed, res.Errors)
			}
			if got := res.Errors[0].Error.Name; got != tc.wantName {
				t.Errorf("error name = %q, want %q (%s)", got, tc.wantName, res.Errors[0].Error.Message)
			}
		})
	}
}

func TestRunHaltCancelsOtherBranches(t *testing.T) {
	def := &weir.Definition{
		Triggers: trigger("f", "b"),
		Nodes:    []weir.Node{node("f", "TestFailNode", `{}`), node("b", "TestBlockNode", `{}`, []string{"r"}), node("r", "TestRecordNode", `{}`)},
	}
	res, seen := mustRun(t, t.Context(), def)
	if res.PathsFailed != 1 || res.PathsCompleted != 0 || len(seen["r"]) != 0 {
		t.Errorf("got %d failed, %d completed, r ran %d times; want 1, 0, 0", res.PathsFailed, res.PathsCompleted, len(seen["r"]))
	}
}

func TestRunTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	def := &weir.Definition{Triggers: trigger("b"), Nodes: []weir.Node{node("b", "TestBlockNode", `{}`)}}
	res, _ := mustRun(t, ctx, def)
	if res.PathsFailed != 1 || len(res.Errors) != 1 || res.Errors[0].Error.Name != "TimeoutError" {
		t.Errorf("result %+v, want one failed path with a TimeoutError", res)
	}
}

func TestRunCancelledIsNotAResult(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	def := &weir.Definition{Triggers: trigger("b"), Nodes: []weir.Node{node("b", "TestBlockNode", `{}`)}}
	g, _ := engine.Compile(def)
	go cancel()
	if _, err := g.Run(ctx, &engine.Env{}, "t", engine.Payload{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run() error = %v, want context.Canceled", err)
	}
}

func TestRunUnknownTrigger(t *testing.T) {
	g, _ := engine.Compile(&weir.Definition{})
	if _, err := g.Run(t.Context(), &engine.Env{}, "nope", engine.Payload{}); weir.ErrorTypeOf(err) != weir.NotFound {
		t.Errorf("Run() error = %v, want NotFound", err)
	}
}
