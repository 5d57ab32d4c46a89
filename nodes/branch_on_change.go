package nodes

import (
	"bytes"
	"context"
	"math"
	"slices"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
)

var changeTypes = []string{"any", "value", "valueInc", "valueDec", "percent", "percentInc", "percentDec"}

func init() {
	engine.Register(engine.Spec{
		Type:     "BranchOnChangeNode",
		Name:     "onchange",
		Category: "logic",
		Summary: "Takes the true output when a payload value changed since an earlier run: any change, or a change by at " +
			"least a threshold (absolute or percent, either way, up or down). The first value seen takes the false output.",
		Outputs: []string{"false: no change (or the first value)", "true: changed"},
		Fields: []engine.Field{
			{Name: "valuePath", Kind: "path", Required: true, Doc: "The value to watch."},
			{Name: "changeType", Kind: "enum", Enum: changeTypes, Default: "any",
				Doc: "any compares with the previous run's value; value and percent with the value at the last change; valueInc/percentInc with the lowest value since the last change, valueDec/percentDec with the highest."},
			{Name: "changeThreshold", Kind: "number", Doc: "The change needed, for every type but any; percent types take a percentage."},
			{Name: "prevValuePath", Kind: "path", Doc: "Receives {value, time} of the value compared with, when there is one."},
			{Name: "onChangeIdTemplate", Kind: "template", Doc: "Separate trackers per rendered id; empty: one for the node."},
		},
	}, buildBranchOnChange)
}

type branchOnChange struct {
	value      path.Path
	changeType string
	threshold  float64
	prev       optionalPath
	key        stateKey
}

func buildBranchOnChange(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		ValuePath          string      `json:"valuePath"`
		ChangeType         string      `json:"changeType"`
		ChangeThreshold    engine.Text `json:"changeThreshold"`
		PrevValuePath      string      `json:"prevValuePath"`
		OnChangeIDTemplate engine.Text `json:"onChangeIdTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &branchOnChange{changeType: cfg.ChangeType}
	if n.changeType == "" {
		n.changeType = "any"
	}
	if !slices.Contains(changeTypes, n.changeType) {
		return nil, engine.Errorf("Validation", "changeType must be one of %v", changeTypes)
	}
	if n.changeType != "any" {
		n.threshold = js.ToNumber(string(cfg.ChangeThreshold))
		if math.IsNaN(n.threshold) || n.threshold < 0 {
			return nil, engine.Errorf("Validation", "changeThreshold must be a number of at least 0")
		}
	}
	var err error
	if n.value, _, err = engine.CompilePath("valuePath", cfg.ValuePath, true); err != nil {
		return nil, err
	}
	if n.prev, err = compileOptional("prevValuePath", cfg.PrevValuePath); err != nil {
		return nil, err
	}
	if n.key, err = newStateKey("onchange", c.ID, "onChangeIdTemplate", cfg.OnChangeIDTemplate); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec compares the value with the stored one and updates the tracker.
func (n *branchOnChange) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	key, err := n.key.render(p)
	if err != nil {
		return 0, err
	}
	v := engine.Clone(n.value.Get(p))
	now := float64(env.Now().UnixMilli())
	var changed bool
	var prev map[string]any
	_, err = env.UpdateState(ctx, key, func(cur any) (any, error) {
		prev, _ = cur.(map[string]any)
		var next any
		changed, next = n.compare(prev, v, now)
		return next, nil
	})
	if err != nil {
		return 0, err
	}
	if prev != nil {
		out := map[string]any{"value": prev["value"]}
		if ms, ok := prev["time"].(float64); ok {
			out["time"] = time.UnixMilli(int64(ms)).UTC()
		}
		if err := setOptional(p, n.prev, out); err != nil {
			return 0, err
		}
	}
	if changed {
		return 1, nil
	}
	return 0, nil
}

// compare decides whether v is a change from the tracked state and returns
// the state to keep.
func (n *branchOnChange) compare(prev map[string]any, v any, now float64) (bool, any) {
	entry := map[string]any{"value": v, "time": now}
	if _, undef := v.(js.Undefined); undef {
		entry["value"] = nil
	}
	if prev == nil {
		if n.changeType != "any" && !isNumber(v) {
			return false, js.Undefined{}
		}
		return false, entry
	}
	if n.changeType == "any" {
		a, _ := js.Stringify(prev["value"], "")
		b, _ := js.Stringify(entry["value"], "")
		return !bytes.Equal(a, b), entry
	}
	old, okOld := prev["value"].(float64)
	cur, okCur := v.(float64)
	if !okOld || !okCur {
		return false, prev
	}
	delta := cur - old
	if len(n.changeType) > 7 && n.changeType[:7] == "percent" {
		if old == 0 {
			return false, prev
		}
		delta = delta / math.Abs(old) * 100
	}
	switch n.changeType {
	case "value", "percent":
		if math.Abs(delta) >= n.threshold {
			return true, entry
		}
	case "valueInc", "percentInc":
		if delta >= n.threshold {
			return true, entry
		}
		if cur < old {
			return false, entry // track the lowest value since the last change
		}
	case "valueDec", "percentDec":
		if -delta >= n.threshold {
			return true, entry
		}
		if cur > old {
			return false, entry // track the highest value since the last change
		}
	}
	return false, prev
}

func isNumber(v any) bool {
	f, ok := v.(float64)
	return ok && !math.IsNaN(f)
}
