package nodes

import (
	"context"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "VerifyExperienceGroupNode",
		Name:     "verify-experience-group",
		Category: "experience",
		Summary:  "Branches on whether an experience user belongs to a group: a member of it, or of a group above it.",
		Outputs:  []string{"not a member", "member"},
		Fields: []engine.Field{
			{Name: "emailOrIdTemplate", Kind: "template", Doc: "The user's id or email (usually {{experience.user.id}})."},
			{Name: "groupIdTemplate", Kind: "template", Doc: "The group's id."},
		},
	}, buildVerifyExperienceGroup)
}

type verifyExperienceGroup struct{ user, group *template.Template }

func buildVerifyExperienceGroup(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		EmailOrIDTemplate engine.Text `json:"emailOrIdTemplate"`
		GroupIDTemplate   engine.Text `json:"groupIdTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &verifyExperienceGroup{}
	var err error
	if n.user, err = engine.CompileTemplate("emailOrIdTemplate", string(cfg.EmailOrIDTemplate)); err != nil {
		return nil, err
	}
	if n.group, err = engine.CompileTemplate("groupIdTemplate", string(cfg.GroupIDTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec takes output 1 when the user belongs to the group, else 0 (also
// when there is no such user or group).
func (n *verifyExperienceGroup) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	us, err := renderText("emailOrIdTemplate", n.user, p)
	if err != nil {
		return 0, err
	}
	gs, err := renderText("groupIdTemplate", n.group, p)
	if err != nil {
		return 0, err
	}
	u, err := findUser(ctx, env, us)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	t, err := groupTree(ctx, env)
	if err != nil {
		return 0, err
	}
	if t.InGroup(u.GroupIDs, strings.ToLower(strings.TrimSpace(gs))) {
		return 1, nil
	}
	return 0, nil
}
