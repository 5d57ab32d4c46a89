package nodes

import (
	"context"
	"math"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ThrottleNode",
		Name:     "throttle",
		Category: "logic",
		Summary: "Lets a run pass at most ratePerMinute times a minute: it passes when at least 60000/ratePerMinute ms " +
			"have gone by since the last run that passed (per node, or per rendered throttle id).",
		Outputs: []string{"throttled", "passed"},
		Fields: []engine.Field{
			{Name: "ratePerMinute", Kind: "number", Required: true, Doc: "Passes allowed per minute: more than 0, less than 600."},
			{Name: "throttleIdTemplate", Kind: "template", Doc: "Separate throttles per rendered id; empty: one throttle for the node."},
			{Name: "timeSincePath", Kind: "path", Doc: "Receives the milliseconds since the last pass, on either output (absent before the first pass)."},
		},
	}, buildThrottle)
}

type throttle struct {
	intervalMS float64
	key        stateKey
	timeSince  optionalPath
}

func buildThrottle(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		RatePerMinute      engine.Text `json:"ratePerMinute"`
		ThrottleIDTemplate engine.Text `json:"throttleIdTemplate"`
		TimeSincePath      string      `json:"timeSincePath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	rate := js.ToNumber(string(cfg.RatePerMinute))
	if math.IsNaN(rate) || rate <= 0 || rate >= 600 {
		return nil, engine.Errorf("Validation", "ratePerMinute must be more than 0 and less than 600")
	}
	n := &throttle{intervalMS: 60000 / rate}
	var err error
	if n.key, err = newStateKey("throttle", c.ID, "throttleIdTemplate", cfg.ThrottleIDTemplate); err != nil {
		return nil, err
	}
	if n.timeSince, err = compileOptional("timeSincePath", cfg.TimeSincePath); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec passes (output 1) when the interval since the last pass is over.
func (n *throttle) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	key, err := n.key.render(p)
	if err != nil {
		return 0, err
	}
	now := float64(env.Now().UnixMilli())
	var passed bool
	var since any = js.Undefined{}
	_, err = env.UpdateState(ctx, key, func(cur any) (any, error) {
		last, ok := cur.(float64)
		passed = !ok || now-last >= n.intervalMS
		since = js.Undefined{}
		if ok {
			since = now - last
		}
		if passed {
			return now, nil
		}
		return cur, nil
	})
	if err != nil {
		return 0, err
	}
	if _, undef := since.(js.Undefined); !undef {
		if err := setOptional(p, n.timeSince, since); err != nil {
			return 0, err
		}
	}
	if passed {
		return 1, nil
	}
	return 0, nil
}
