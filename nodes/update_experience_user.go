package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "UpdateExperienceUserNode",
		Name:     "update-experience-user",
		Category: "experience",
		Summary:  "Updates an experience user of the application, found by id or email, and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields: append([]engine.Field{
			{Name: "emailOrIdTemplate", Kind: "template", Doc: "The user's id or email."},
			{Name: "invalidateExistingTokens", Kind: "bool", Default: "false", Doc: "Refuse every token issued to the user before now."},
		}, userFieldSpecs...),
	}, buildUpdateExperienceUser)
}

type updateExperienceUser struct {
	id         *template.Template
	in         *userInput
	invalidate bool
	result     path.Path
	hasResult  bool
}

func buildUpdateExperienceUser(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		userFieldsConfig
		EmailOrIDTemplate        engine.Text `json:"emailOrIdTemplate"`
		InvalidateExistingTokens bool        `json:"invalidateExistingTokens"`
		DataMethod               string      `json:"dataMethod"`
		UserJSONTemplate         engine.Text `json:"userJsonTemplate"`
		UserPayloadPath          string      `json:"userPayloadPath"`
		ResultPath               string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	in, err := compileUserInput(cfg.DataMethod, cfg.userFieldsConfig, cfg.UserJSONTemplate, cfg.UserPayloadPath)
	if err != nil {
		return nil, err
	}
	n := &updateExperienceUser{in: in, invalidate: cfg.InvalidateExistingTokens}
	if n.id, err = engine.CompileTemplate("emailOrIdTemplate", string(cfg.EmailOrIDTemplate)); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec updates the user; a missing or refused one writes the error at
// resultPath.
func (n *updateExperienceUser) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	u, err := findUserBy(ctx, env, n.id, p)
	if err == nil {
		err = n.update(ctx, env, p, u)
	}
	if err != nil {
		return 0, failOrResult(p, n.result, n.hasResult, err)
	}
	v, err := userValue(ctx, env, u)
	if err != nil {
		return 0, err
	}
	return 0, setResult(p, n.result, n.hasResult, v)
}

func (n *updateExperienceUser) update(ctx context.Context, env *engine.Env, p engine.Payload, u *weir.ExperienceUser) error {
	c, err := n.in.change(u, p)
	if err != nil {
		return err
	}
	now := env.Now().UTC()
	if err := c.Apply(u, env.Experience.Auth, now); err != nil {
		return err
	}
	if n.invalidate {
		u.TokenCutoff = &now
	}
	return env.Experience.Users.UpdateExperienceUser(ctx, u)
}
