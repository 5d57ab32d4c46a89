package nodes

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/template"
)

// delayMax is the longest pause a cloud flow may take.
const delayMax = 60 * time.Second

func init() {
	engine.Register(engine.Spec{
		Type:     "DelayNode",
		Name:     "delay",
		Category: "logic",
		Summary:  "Pauses this path for a number of seconds, then continues with the payload unchanged.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "delay", Kind: "template", Required: true,
				Doc: "Seconds to wait, fractions allowed (\"0.1\"); at most 60. A value that is not a number from 0 to 60 throws. The run's own time limit still applies and ends the wait with the run's timeout error."},
			{Name: "durationTemplate", Kind: "template", Doc: "Accepted in place of delay."},
		},
	}, buildDelay)
}

type delay struct {
	seconds *template.Template
}

func buildDelay(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Delay            engine.Text `json:"delay"`
		DurationTemplate engine.Text `json:"durationTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	src := string(cfg.Delay)
	if strings.TrimSpace(src) == "" {
		src = string(cfg.DurationTemplate)
	}
	if strings.TrimSpace(src) == "" {
		return nil, engine.Errorf("Validation", "Delay is required")
	}
	t, err := engine.CompileTemplate("delay", src)
	if err != nil {
		return nil, err
	}
	n := &delay{seconds: t}
	if text, ok := t.Literal(); ok {
		if _, err := delayDuration(text); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec waits for the rendered number of seconds or until ctx ends, whose
// error it then returns.
func (n *delay) Exec(ctx context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	s, err := n.seconds.Render(p)
	if err != nil {
		return 0, engine.Errorf("Validation", "delay: %v", err)
	}
	d, err := delayDuration(s)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return 0, nil
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
}

// delayDuration casts the delay text to a duration of 0 to delayMax.
func delayDuration(s string) (time.Duration, error) {
	f := math.NaN()
	if s = strings.TrimSpace(s); s != "" {
		f = js.ToNumber(s)
	}
	if math.IsNaN(f) || f < 0 || f > delayMax.Seconds() {
		return 0, engine.Errorf("Validation", "Delay must be a number of seconds from 0 to %g, got %q", delayMax.Seconds(), s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

var _ engine.Node = (*delay)(nil)
