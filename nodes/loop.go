package nodes

import (
	"context"
	"math"
	"sort"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "LoopNode",
		Name:     "loop",
		Category: "logic",
		Summary: "Runs its body once per item of an array (or key of an object, character of a string, " +
			"or count up to a number), then continues after the loop.",
		Outputs: []string{"after: the payload once every iteration is done", "body: the first nodes of the loop body"},
		Fields: []engine.Field{
			{Name: "loopSourcePath", Kind: "path", Required: true, Doc: "What to iterate over."},
			{Name: "currentItemPath", Kind: "path", Required: true, Doc: "Each iteration writes {value, index, key?, first?, last?} here."},
			{Name: "parallel", Kind: "bool", Default: "false", Doc: "Run iterations concurrently (5 at a time), each on its own copy of the payload entering the loop; only map values come out."},
			{Name: "mapResultPath", Kind: "path", Doc: "After the loop, the array of each iteration's map value is written here."},
			{Name: "mapValuePath", Kind: "path", Doc: "Where each iteration's map value is read when it ends; default currentItemPath."},
		},
	}, buildLoop)
}

type loop struct {
	source, current, mapResult, mapValue path.Path
	hasMapResult                         bool
	parallel                             bool
}

func buildLoop(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		LoopSourcePath  string `json:"loopSourcePath"`
		CurrentItemPath string `json:"currentItemPath"`
		Parallel        bool   `json:"parallel"`
		MapResultPath   string `json:"mapResultPath"`
		MapValuePath    string `json:"mapValuePath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &loop{parallel: cfg.Parallel}
	var err error
	if n.source, _, err = engine.CompilePath("loopSourcePath", cfg.LoopSourcePath, true); err != nil {
		return nil, err
	}
	if n.current, _, err = engine.CompilePath("currentItemPath", cfg.CurrentItemPath, true); err != nil {
		return nil, err
	}
	if n.mapResult, n.hasMapResult, err = engine.CompilePath("mapResultPath", cfg.MapResultPath, false); err != nil {
		return nil, err
	}
	n.mapValue = n.current
	if cfg.MapValuePath != "" {
		if n.mapValue, _, err = engine.CompilePath("mapValuePath", cfg.MapValuePath, true); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec is never called: the engine drives loops through engine.Looper.
func (n *loop) Exec(context.Context, *engine.Env, engine.Payload) (int, error) {
	return 0, engine.Errorf("Error", "a loop can only run inside the engine")
}

// LoopItems lists what the source path holds: array elements, object keys
// (sorted), string characters, or 0..n-1 for a number n.
func (n *loop) LoopItems(p engine.Payload) ([]engine.LoopItem, error) {
	var items []engine.LoopItem
	switch src := n.source.Get(p).(type) {
	case []any:
		for i, v := range src {
			items = append(items, engine.LoopItem{Value: v, Index: i})
		}
	case map[string]any:
		keys := make([]string, 0, len(src))
		for k := range src {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			items = append(items, engine.LoopItem{Value: src[k], Index: i, Key: k, HasKey: true})
		}
	case string:
		for i, r := range []rune(src) {
			items = append(items, engine.LoopItem{Value: string(r), Index: i})
		}
	case float64:
		count := math.Abs(math.Ceil(src))
		if count > engine.MaxLoopIterations {
			return nil, engine.Errorf("RangeError", "loop over %v items exceeds the limit of %d", count, engine.MaxLoopIterations)
		}
		for i := 0; i < int(count); i++ {
			items = append(items, engine.LoopItem{Value: float64(i), Index: i})
		}
	}
	return items, nil
}

// StartIteration writes the current item.
func (n *loop) StartIteration(p engine.Payload, it engine.LoopItem, count int) error {
	cur := map[string]any{"value": engine.Clone(it.Value), "index": float64(it.Index)}
	if it.HasKey {
		cur["key"] = it.Key
	}
	if it.Index == 0 {
		cur["first"] = true
	}
	if it.Index == count-1 {
		cur["last"] = true
	}
	return n.current.Set(p, cur)
}

// IterationValue reads the map value.
func (n *loop) IterationValue(p engine.Payload) any { return engine.Clone(n.mapValue.Get(p)) }

// FinishLoop writes the map values.
func (n *loop) FinishLoop(p engine.Payload, values []any) error {
	if !n.hasMapResult {
		return nil
	}
	out := make([]any, len(values))
	for i, v := range values {
		if _, undef := v.(js.Undefined); undef {
			v = nil // an array element cannot be undefined in JSON
		}
		out[i] = v
	}
	return n.mapResult.Set(p, out)
}

// Parallel reports the parallel setting.
func (n *loop) Parallel() bool { return n.parallel }

var _ engine.Looper = (*loop)(nil)
