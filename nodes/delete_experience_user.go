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
		Type:     "DeleteExperienceUserNode",
		Name:     "delete-experience-user",
		Category: "experience",
		Summary:  "Deletes an experience user of the application, found by id or email; its tokens stop working.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "emailOrIdTemplate", Kind: "template", Doc: "The user's id or email."},
			{Name: "resultPath", Kind: "path", Doc: "Where to put true when the user was deleted, false when there was none."},
		},
	}, buildDeleteExperienceUser)
}

type deleteExperienceUser struct {
	id        *template.Template
	result    path.Path
	hasResult bool
}

func buildDeleteExperienceUser(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		EmailOrIDTemplate engine.Text `json:"emailOrIdTemplate"`
		ResultPath        string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &deleteExperienceUser{}
	var err error
	if n.id, err = engine.CompileTemplate("emailOrIdTemplate", string(cfg.EmailOrIDTemplate)); err != nil {
		return nil, err
	}
	if n.result, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec deletes the user and writes whether there was one.
func (n *deleteExperienceUser) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	u, err := findUserBy(ctx, env, n.id, p)
	if err == nil {
		err = env.Experience.Users.DeleteExperienceUser(ctx, env.ApplicationID, u.ID)
	}
	switch {
	case err == nil:
		return 0, setResult(p, n.result, n.hasResult, true)
	case weir.ErrorTypeOf(err) == weir.NotFound:
		return 0, setResult(p, n.result, n.hasResult, false)
	}
	return 0, err
}
