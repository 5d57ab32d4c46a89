package nodes

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/weirhq/weir"
	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "ExperienceUserAuthNode",
		Name:     "experience-user-auth",
		Category: "experience",
		Summary: "Signs an experience user in with email and password (or checks a token), optionally issuing a token. " +
			"A wrong email or password takes the failed output, and so do too many failed sign-ins for the email or from the " +
			"request's address (the last entry of data.headers.x-forwarded-for, which weir appends): 10 per email and 50 per " +
			"address in 15 minutes. Success sets the user's lastLogin.",
		Outputs: []string{"failed", "authenticated"},
		Fields: []engine.Field{
			{Name: "emailTemplate", Kind: "template", Doc: "The email (meta.authMode emailPassword, the default)."},
			{Name: "passwordTemplate", Kind: "template", Doc: "The password."},
			{Name: "tokenTemplate", Kind: "template", Doc: "An experience user token to check instead (meta.authMode token)."},
			{Name: "userResultPath", Kind: "path", Doc: "Where to put the signed-in user."},
			{Name: "tokenResultPath", Kind: "path", Doc: "Where to put a new token for the user; none is issued without it."},
			{Name: "ttlTemplate", Kind: "template", Doc: "The new token's lifetime in milliseconds; blank: it does not expire."},
			{Name: "invalidateExistingTokens", Kind: "bool", Default: "false", Doc: "Refuse the user's earlier tokens."},
			{Name: "extraDataJsonTemplate", Kind: "jsonTemplate", Doc: "JSON the new token carries, seen as experience.authInfo.extraData."},
		},
	}, buildExperienceUserAuth)
}

type experienceUserAuth struct {
	byToken                bool
	email, password, token *template.Template
	ttl, extra             *template.Template
	invalidate             bool
	userPath, tokenPath    path.Path
	hasUser, hasToken      bool
}

func buildExperienceUserAuth(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		EmailTemplate            engine.Text `json:"emailTemplate"`
		PasswordTemplate         engine.Text `json:"passwordTemplate"`
		TokenTemplate            engine.Text `json:"tokenTemplate"`
		UserResultPath           string      `json:"userResultPath"`
		TokenResultPath          string      `json:"tokenResultPath"`
		TTLTemplate              engine.Text `json:"ttlTemplate"`
		InvalidateExistingTokens bool        `json:"invalidateExistingTokens"`
		ExtraDataJSONTemplate    engine.Text `json:"extraDataJsonTemplate"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	var meta struct {
		AuthMode string `json:"authMode"`
	}
	if len(c.Meta) > 0 {
		_ = json.Unmarshal(c.Meta, &meta) // a meta that is not an object has no mode: the default
	}
	n := &experienceUserAuth{invalidate: cfg.InvalidateExistingTokens}
	switch meta.AuthMode {
	case "", "emailPassword":
	case "token":
		n.byToken = true
	default:
		return nil, engine.Errorf("Validation", "authMode %q is not supported yet", meta.AuthMode)
	}
	var err error
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{{&n.email, "emailTemplate", cfg.EmailTemplate}, {&n.password, "passwordTemplate", cfg.PasswordTemplate},
		{&n.token, "tokenTemplate", cfg.TokenTemplate}, {&n.ttl, "ttlTemplate", cfg.TTLTemplate},
		{&n.extra, "extraDataJsonTemplate", cfg.ExtraDataJSONTemplate}} {
		if *f.dst, err = compileOptionalTemplate(f.name, f.src); err != nil {
			return nil, err
		}
	}
	if n.userPath, n.hasUser, err = engine.CompilePath("userResultPath", cfg.UserResultPath, false); err != nil {
		return nil, err
	}
	if n.tokenPath, n.hasToken, err = engine.CompilePath("tokenResultPath", cfg.TokenResultPath, false); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec signs the user in: output 1 with the user (and token) on the
// payload, or output 0.
func (n *experienceUserAuth) Exec(ctx context.Context, env *engine.Env, p engine.Payload) (int, error) {
	if err := needExperience(env); err != nil {
		return 0, err
	}
	u, err := n.signIn(ctx, env, p)
	switch {
	case weir.ErrorTypeOf(err) == weir.Internal:
		return 0, err
	case err != nil:
		return 0, nil
	}
	now := env.Now().UTC()
	u.LastLogin = &now
	if n.invalidate {
		u.TokenCutoff = &now
	}
	if err := env.Experience.Users.UpdateExperienceUser(ctx, u); err != nil {
		return 0, err
	}
	if n.hasToken {
		tok, err := issueToken(env, u, n.ttl, n.extra, p)
		if err != nil {
			return 0, err
		}
		if err := setResult(p, n.tokenPath, true, tok); err != nil {
			return 0, err
		}
	}
	if n.hasUser {
		v, err := userValue(ctx, env, u)
		if err != nil {
			return 0, err
		}
		if err := setResult(p, n.userPath, true, v); err != nil {
			return 0, err
		}
	}
	return 1, nil
}

func (n *experienceUserAuth) signIn(ctx context.Context, env *engine.Env, p engine.Payload) (*weir.ExperienceUser, error) {
	if n.byToken {
		tok, err := renderText("tokenTemplate", n.token, p)
		if err != nil {
			return nil, err
		}
		u, _, err := env.Experience.Auth.VerifyToken(ctx, env.ApplicationID, strings.TrimSpace(tok))
		return u, err
	}
	email, err := renderText("emailTemplate", n.email, p)
	if err != nil {
		return nil, err
	}
	password, err := renderRaw("passwordTemplate", n.password, p)
	if err != nil {
		return nil, err
	}
	return env.Experience.Auth.Authenticate(ctx, env.ApplicationID, email, password, requestSource(p))
}

// requestSource returns the address an endpoint request came from: the
// last entry of its x-forwarded-for header, which weir appends; "" for
// other runs.
func requestSource(p engine.Payload) string {
	data, _ := p["data"].(map[string]any)
	headers, _ := data["headers"].(map[string]any)
	xff, _ := headers["x-forwarded-for"].(string)
	if i := strings.LastIndex(xff, ","); i >= 0 {
		xff = xff[i+1:]
	}
	return strings.TrimSpace(xff)
}

// issueToken issues a token for u with the rendered lifetime and extra data.
func issueToken(env *engine.Env, u *weir.ExperienceUser, ttlT, extraT *template.Template, p engine.Payload) (string, error) {
	ttl, err := renderTTL(ttlT, p)
	if err != nil {
		return "", err
	}
	extra, err := renderExtraData(extraT, p)
	if err != nil {
		return "", err
	}
	return env.Experience.Auth.IssueToken(u, ttl, extra)
}
