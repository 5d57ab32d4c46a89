package nodes

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "RandomNumberNode",
		Name:     "random-number",
		Category: "logic",
		Summary:  "Puts a random number between a minimum and a maximum on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "min", Kind: "template", Default: "0", Doc: "The inclusive lower bound: a number, or a template rendered and cast to one."},
			{Name: "max", Kind: "template", Default: "100", Doc: "The inclusive upper bound: a number, or a template rendered and cast to one."},
			{Name: "resultPath", Kind: "path", Required: true,
				Doc: "Receives a uniform integer in [min, max] when both bounds are integers, else a uniform number in [min, max); null when a bound is not a number or min > max."},
		},
	}, buildRandomNumber)
}

type randomNumber struct {
	min, max   *template.Template
	resultPath path.Path
}

func buildRandomNumber(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		Min        *engine.Text `json:"min"`
		Max        *engine.Text `json:"max"`
		ResultPath string       `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &randomNumber{}
	var err error
	if n.resultPath, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	if n.min, err = engine.CompileTemplate("min", boundOr(cfg.Min, "0")); err != nil {
		return nil, err
	}
	if n.max, err = engine.CompileTemplate("max", boundOr(cfg.Max, "100")); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes a random number, or null for unusable bounds, and continues.
func (n *randomNumber) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	lo, err := renderNumber(n.min, p)
	if err != nil {
		return 0, engine.Errorf("Validation", "min: %v", err)
	}
	hi, err := renderNumber(n.max, p)
	if err != nil {
		return 0, engine.Errorf("Validation", "max: %v", err)
	}
	if err := n.resultPath.Set(p, randomBetween(lo, hi)); err != nil {
		return 0, engine.Errorf("Validation", "resultPath: %v", err)
	}
	return 0, nil
}

// randomBetween returns a random integer in [lo, hi] when both are
// integers, a random float in [lo, hi) otherwise (lo when they are equal),
// and nil when either is not finite or lo > hi.
func randomBetween(lo, hi float64) any {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return nil
	}
	if lo == math.Trunc(lo) && hi == math.Trunc(hi) && hi-lo < 1<<53 {
		return lo + float64(rand.Int64N(int64(hi-lo)+1))
	}
	return lo + rand.Float64()*(hi-lo)
}

// renderNumber renders t and casts the text with JavaScript's Number();
// blank text is NaN.
func renderNumber(t *template.Template, p engine.Payload) (float64, error) {
	s, err := t.Render(p)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(s) == "" {
		return math.NaN(), nil
	}
	return js.ToNumber(s), nil
}

// boundOr returns the bound's text, or def when the field is absent.
func boundOr(t *engine.Text, def string) string {
	if t == nil {
		return def
	}
	return string(*t)
}

var _ engine.Node = (*randomNumber)(nil)
