package nodes

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"time"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "JWTVerifyNode",
		Name:     "jwt-verify",
		Category: "logic",
		Summary:  "Checks a JSON Web Token's signature, exp, nbf and issuer, and branches on the result.",
		Outputs:  []string{"invalid: bad signature, malformed, expired, not yet valid or wrong issuer", "valid"},
		Fields: []engine.Field{
			{Name: "tokenTemplate", Kind: "template", Required: true, Doc: "The token; blank goes to invalid."},
			{Name: "secretTemplate", Kind: "template",
				Doc: "The HMAC secret (HS256/384/512), or a PEM public key, certificate or private key (RS*, PS*, ES*); the token's alg must suit it and \"none\" is refused."},
			{Name: "credentialNameTemplate", Kind: "template", Doc: "A stored credential holding the secret; weir has no credential store, so a rendered name with no secret is invalid."},
			{Name: "issuerTemplate", Kind: "template", Doc: "When it renders non-empty, the iss claim must equal it."},
			{Name: "errorPath", Kind: "path", Doc: "On the invalid branch, receives {name, message} as jsonwebtoken reports them (expiredAt for expired tokens, date for not-yet-valid ones)."},
		},
	}, buildJWTVerify)
}

type jwtVerify struct {
	token, secret, credential, issuer *template.Template
	errorPath                         path.Path
	hasError                          bool
}

func buildJWTVerify(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		TokenTemplate          engine.Text `json:"tokenTemplate"`
		SecretTemplate         engine.Text `json:"secretTemplate"`
		CredentialNameTemplate engine.Text `json:"credentialNameTemplate"`
		IssuerTemplate         engine.Text `json:"issuerTemplate"`
		ErrorPath              string      `json:"errorPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &jwtVerify{}
	var err error
	if n.errorPath, n.hasError, err = engine.CompilePath("errorPath", cfg.ErrorPath, false); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.token, "tokenTemplate", cfg.TokenTemplate},
		{&n.secret, "secretTemplate", cfg.SecretTemplate},
		{&n.credential, "credentialNameTemplate", cfg.CredentialNameTemplate},
		{&n.issuer, "issuerTemplate", cfg.IssuerTemplate},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec takes output 1 for a valid token, else writes the reason to
// errorPath and takes output 0.
func (n *jwtVerify) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	r := renderer{p: p}
	token := r.text(n.token, "tokenTemplate", "")
	issuer := r.text(n.issuer, "issuerTemplate", "")
	credential := r.text(n.credential, "credentialNameTemplate", "")
	secret := r.raw(n.secret, "secretTemplate")
	if r.err != nil {
		return 0, r.err
	}
	reason := jwtCheck(token, secret, issuer, env.Now())
	if reason == nil {
		return 1, nil
	}
	if secret == "" && credential != "" {
		reason = map[string]any{"name": "NotFound", "message": "Credential \"" + credential + "\" was not found"}
	}
	if n.hasError {
		if err := n.errorPath.Set(p, reason); err != nil {
			return 0, engine.Errorf("Validation", "errorPath: %v", err)
		}
	}
	return 0, nil
}

// jwtCheck verifies token like jsonwebtoken's verify and returns nil or the
// error object.
func jwtCheck(token, secret, issuer string, now time.Time) map[string]any {
	fail := func(msg string) map[string]any { return map[string]any{"name": "JsonWebTokenError", "message": msg} }
	if token == "" {
		return fail("jwt must be provided")
	}
	t, ok := parseJWT(token)
	if !ok {
		return fail("jwt malformed")
	}
	if secret == "" {
		return fail("secret or public key must be provided")
	}
	alg, _ := t.header["alg"].(string)
	if alg == "none" || alg == "" {
		return fail("jwt signature is required")
	}
	a, ok := jwtAlgorithmOf(alg)
	if !ok || (a.family == 'H') == isPEM(secret) {
		return fail("invalid algorithm")
	}
	if a.family == 'H' {
		m := hmac.New(a.hash.New, []byte(secret))
		m.Write([]byte(t.input))
		if !hmac.Equal(m.Sum(nil), t.sig) {
			return fail("invalid signature")
		}
	} else {
		key, err := parsePublicKey(secret)
		if err != nil {
			return fail(err.Error())
		}
		if jwtKeyFits(a, key) != nil {
			return fail("invalid algorithm")
		}
		o := a.options()
		if o.pss != nil {
			o.pss = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: a.hash}
		}
		if verifyData(key, a.hash, []byte(t.input), t.sig, o) != nil {
			return fail("invalid signature")
		}
	}
	claims, _ := t.claims.(map[string]any)
	clock := float64(now.Unix())
	if v, ok := claims["nbf"]; ok {
		nbf, isNum := v.(float64)
		if !isNum {
			return fail("invalid nbf value")
		}
		if nbf > clock {
			return map[string]any{"name": "NotBeforeError", "message": "jwt not active", "date": jsDate(nbf)}
		}
	}
	if v, ok := claims["exp"]; ok {
		exp, isNum := v.(float64)
		if !isNum {
			return fail("invalid exp value")
		}
		if clock >= exp {
			return map[string]any{"name": "TokenExpiredError", "message": "jwt expired", "expiredAt": jsDate(exp)}
		}
	}
	if issuer != "" && claims["iss"] != issuer {
		return fail("jwt issuer invalid. expected: " + issuer)
	}
	return nil
}

// jsDate is a Unix time in seconds as a payload Date.
func jsDate(sec float64) time.Time {
	return time.UnixMilli(int64(sec * 1000)).UTC()
}

var _ engine.Node = (*jwtVerify)(nil)
