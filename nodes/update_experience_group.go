package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "UpdateExperienceGroupNode",
		Name:     "update-experience-group",
		Category: "experience",
		Summary:  "Updates an experience group of the application and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "groupIdTemplate", Kind: "template", Doc: "The group's id."},
		}, append(groupFieldSpecs, groupMemberSpecs...)...),
	}, buildUpdateExperienceGroup)
}

type updateExperienceGroup struct {
	id        *template.Template
	in        *groupInput
	members   *groupMembers
	result    path.Path
	hasResult bool
}

func buildUpdateExperienceGroup(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		groupFieldsConfig
		groupMembersConfig
		GroupIDTemplate engine.Text `json:"groupIdTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	in, err := compileGroupInput(cfg.groupFieldsConfig)
	if err != nil {
		return nil, err
	}
	n := &updateExperienceGroup{in: in}
	if n.members, err = compileGroupMembers(cfg.groupMembersConfig); err != nil {
		return nil, err
	}
	if n.id, err = engine.CompileTemplate("groupIdTemplate", string(cfg.GroupIDTemplate)); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec updates the group, its members last (membersToAdd, membersToRemove
// or membersReplacement); a missing or refused one writes the error at
// resultPath.
func (n *updateExperienceGroup) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	id, err := renderText("groupIdTemplate", n.id, p)
	if err != nil {
		return 0, err
	}
	g, err := env.Experience.Groups.FindExperienceGroupByID(ctx, env.ApplicationID, strings.ToLower(strings.TrimSpace(id)))
	if err == nil {
		c, cerr := n.in.change(g, p)
		if err = cerr; err == nil {
			err = n.members.apply(ctx, env, c, g.UserIDs, p)
		}
		if err == nil {
			err = c.Apply(g)
		}
	}
	if err == nil {
		err = env.Experience.Groups.UpdateExperienceGroup(ctx, g)
	}
	return 0, writeGroupResult(ctx, env, p, n.result, n.hasResult, g, err)
}
