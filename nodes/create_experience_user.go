package nodes

import (
	"context"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CreateExperienceUserNode",
		Name:     "create-experience-user",
		Category: "experience",
		Summary:  "Creates an experience user of the application (email and password required) and puts it on the payload.",
		Outputs:  []string{"next"},
		Fields:   userFieldSpecs,
	}, buildCreateExperienceUser)
}

type createExperienceUser struct {
	in        *userInput
	result    path.Path
	hasResult bool
}

func buildCreateExperienceUser(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		userFieldsConfig
		DataMethod       string      `json:"dataMethod"`
		UserJSONTemplate engine.Text `json:"userJsonTemplate"`
		UserPayloadPath  string      `json:"userPayloadPath"`
		ResultPath       string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	in, err := compileUserInput(cfg.DataMethod, cfg.userFieldsConfig, cfg.UserJSONTemplate, cfg.UserPayloadPath)
	if err != nil {
		return nil, err
	}
	n := &createExperienceUser{in: in}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec creates the user; a refused one writes the error at resultPath.
func (n *createExperienceUser) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	u := &weir.ExperienceUser{ApplicationID: env.ApplicationID}
	c, err := n.in.change(u, p)
	if err == nil && c.Password == nil {
		err = weir.Errorf(weir.Validation, "password is required")
	}
	if err == nil {
		err = c.Apply(u, env.Experience.Auth, env.Now().UTC())
	}
	if err == nil {
		err = env.Experience.Users.CreateExperienceUser(ctx, u)
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
