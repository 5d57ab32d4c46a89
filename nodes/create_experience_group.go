package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CreateExperienceGroupNode",
		Name:     "create-experience-group",
		Category: "experience",
		Summary:  "Creates an experience group of the application and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields:   groupFieldSpecs,
	}, buildCreateExperienceGroup)
}

type createExperienceGroup struct {
	in        *groupInput
	result    path.Path
	hasResult bool
}

func buildCreateExperienceGroup(c *engine.NodeConfig) (engine.Node, error) {
	var cfg groupFieldsConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	in, err := compileGroupInput(cfg)
	if err != nil {
		return nil, err
	}
	n := &createExperienceGroup{in: in}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec creates the group; a refused one writes the error at resultPath.
func (n *createExperienceGroup) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	g := &weir.ExperienceGroup{ApplicationID: env.ApplicationID}
	c, err := n.in.change(g, p)
	if err == nil {
		err = c.Apply(g)
	}
	if err == nil {
		err = env.Experience.Groups.CreateExperienceGroup(ctx, g)
	}
	return 0, writeGroupResult(ctx, env, p, n.result, n.hasResult, g, err)
}

// writeGroupResult writes g (or err when refused) at the result path.
func writeGroupResult(ctx context.Context, env *engine.Env, p engine.Payload, at path.Path, ok bool, g *weir.ExperienceGroup, err error) error {
	if err != nil {
		return failOrResult(p, at, ok, err)
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return err
	}
	return setResult(p, at, ok, weir.ExperienceGroupDocument(g, t))
}
