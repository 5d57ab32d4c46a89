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
		Type:     "ExperienceUserTokenNode",
		Name:     "experience-user-token",
		Category: "experience",
		Summary:  "Issues a token for an experience user found by id or email, for the endpoints that need a signed-in user.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "emailOrIdTemplate", Kind: "template", Doc: "The user's id or email."},
			{Name: "ttlTemplate", Kind: "template", Doc: "The token's lifetime in milliseconds; blank: it does not expire."},
			{Name: "invalidateExistingTokens", Kind: "bool", Default: "false", Doc: "Refuse the user's earlier tokens."},
			{Name: "treatAsLogin", Kind: "bool", Default: "false", Doc: "Set the user's lastLogin."},
			{Name: "extraDataJsonTemplate", Kind: "jsonTemplate", Doc: "JSON the token carries, seen as experience.authInfo.extraData."},
			{Name: "resultPath", Kind: "path", Required: true, Doc: "Where to put the token, or null when there is no such user."},
		},
	}, buildExperienceUserToken)
}

type experienceUserToken struct {
	id, ttl, extra *template.Template
	invalidate     bool
	login          bool
	result         path.Path
}

func buildExperienceUserToken(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		EmailOrIDTemplate        engine.Text `json:"emailOrIdTemplate"`
		TTLTemplate              engine.Text `json:"ttlTemplate"`
		InvalidateExistingTokens bool        `json:"invalidateExistingTokens"`
		TreatAsLogin             bool        `json:"treatAsLogin"`
		ExtraDataJSONTemplate    engine.Text `json:"extraDataJsonTemplate"`
		ResultPath               string      `json:"resultPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &experienceUserToken{invalidate: cfg.InvalidateExistingTokens, login: cfg.TreatAsLogin}
	var err error
	if n.id, err = engine.CompileTemplate("emailOrIdTemplate", string(cfg.EmailOrIDTemplate)); err != nil {
		return nil, err
	}
	if n.ttl, err = compileOptionalTemplate("ttlTemplate", cfg.TTLTemplate); err != nil {
		return nil, err
	}
	if n.extra, err = compileOptionalTemplate("extraDataJsonTemplate", cfg.ExtraDataJSONTemplate); err != nil {
		return nil, err
	}
	if n.result, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec issues the token and writes it, or null, at resultPath.
func (n *experienceUserToken) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	u, err := findUserBy(ctx, env, n.id, p)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return 0, setResult(p, n.result, true, nil)
	} else if err != nil {
		return 0, err
	}
	if n.invalidate || n.login {
		now := env.Now().UTC()
		if n.invalidate {
			u.TokenCutoff = &now
		}
		if n.login {
			u.LastLogin = &now
		}
		if err := env.Experience.Users.UpdateExperienceUser(ctx, u); err != nil {
			return 0, err
		}
	}
	tok, err := issueToken(env, u, n.ttl, n.extra, p)
	if err != nil {
		return 0, err
	}
	return 0, setResult(p, n.result, true, tok)
}
