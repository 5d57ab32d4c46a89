package nodes

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/js"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var (
	jwtTemplateTypes = []string{"json", "path"}
	jwtAlgorithmList = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "JWTCreateNode",
		Name:     "jwt-create",
		Category: "logic",
		Summary:  "Signs a JSON Web Token from claims on the payload; failures write {error} instead of throwing.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "secretTemplate", Kind: "template", Doc: "The HMAC secret (HS*) or PEM private key (RS*, PS*, ES*), used as rendered (not trimmed)."},
			{Name: "credentialNameTemplate", Kind: "template", Doc: "A stored credential holding the secret; weir has no credential store, so a rendered name with no secret gives {error: {type: \"NotFound\"}}."},
			{Name: "algorithmTemplate", Kind: "template", Default: "HS256", Enum: jwtAlgorithmList, Doc: "The signing algorithm."},
			{Name: "issuerTemplate", Kind: "template", Doc: "When it renders non-empty, the iss claim."},
			{Name: "dataTemplateType", Kind: "enum", Enum: jwtTemplateTypes, Default: "json", Doc: "json: dataTemplate is a JSON template; path: a payload path. Either must give an object."},
			{Name: "dataTemplate", Kind: "jsonTemplate", Doc: "The claims object; empty means {}."},
			{Name: "headerTemplateType", Kind: "enum", Enum: jwtTemplateTypes, Default: "json", Doc: "How headerTemplate is read."},
			{Name: "headerTemplate", Kind: "jsonTemplate", Doc: "Extra header fields merged over {alg, typ: \"JWT\"} (alg cannot be changed); empty means none."},
			{Name: "expiresIn", Kind: "template", Doc: "Seconds until exp (number or number template); empty means no exp. iat is always the current time."},
			{Name: "destinationPath", Kind: "path", Required: true, Doc: "Receives the token string, or {error: {type, message}} on failure."},
		},
	}, buildJWTCreate)
}

type jwtCreate struct {
	secret, credential, algorithm, issuer, expiresIn *template.Template
	data, header                                     jwtObject
	destination                                      path.Path
}

// jwtObject is a JSON template or payload path that must give an object.
type jwtObject struct {
	tmpl   *template.Template
	path   path.Path
	isPath bool
	set    bool
}

func buildJWTCreate(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		SecretTemplate         engine.Text `json:"secretTemplate"`
		CredentialNameTemplate engine.Text `json:"credentialNameTemplate"`
		AlgorithmTemplate      engine.Text `json:"algorithmTemplate"`
		IssuerTemplate         engine.Text `json:"issuerTemplate"`
		DataTemplateType       string      `json:"dataTemplateType"`
		DataTemplate           engine.Text `json:"dataTemplate"`
		HeaderTemplateType     string      `json:"headerTemplateType"`
		HeaderTemplate         engine.Text `json:"headerTemplate"`
		ExpiresIn              engine.Text `json:"expiresIn"`
		DestinationPath        string      `json:"destinationPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &jwtCreate{}
	var err error
	if n.destination, _, err = engine.CompilePath("destinationPath", cfg.DestinationPath, true); err != nil {
		return nil, err
	}
	if n.data, err = compileJWTObject("dataTemplate", cfg.DataTemplateType, string(cfg.DataTemplate)); err != nil {
		return nil, err
	}
	if n.header, err = compileJWTObject("headerTemplate", cfg.HeaderTemplateType, string(cfg.HeaderTemplate)); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.secret, "secretTemplate", cfg.SecretTemplate},
		{&n.credential, "credentialNameTemplate", cfg.CredentialNameTemplate},
		{&n.algorithm, "algorithmTemplate", cfg.AlgorithmTemplate},
		{&n.issuer, "issuerTemplate", cfg.IssuerTemplate},
		{&n.expiresIn, "expiresIn", cfg.ExpiresIn},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func compileJWTObject(field, typ, src string) (jwtObject, error) {
	if typ == "" {
		typ = "json"
	}
	if !slices.Contains(jwtTemplateTypes, typ) {
		return jwtObject{}, engine.Errorf("Validation", "%sType must be one of %v", field, jwtTemplateTypes)
	}
	o := jwtObject{isPath: typ == "path", set: strings.TrimSpace(src) != ""}
	if !o.set {
		return o, nil
	}
	var err error
	if o.isPath {
		o.path, _, err = engine.CompilePath(field, strings.TrimSpace(src), true)
	} else {
		o.tmpl, err = engine.CompileTemplate(field, src)
	}
	return o, err
}

// get returns the object, {} when unset.
func (o jwtObject) get(p engine.Payload, field string) (map[string]any, error) {
	if !o.set {
		return map[string]any{}, nil
	}
	var v any
	if o.isPath {
		v = engine.Clone(o.path.Get(p))
	} else {
		var err error
		if v, err = o.tmpl.RenderJSON(p); err != nil {
			return nil, fmt.Errorf("%s: %v", field, err)
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object", field)
	}
	return m, nil
}

// Exec signs the token and writes it, or the error, to destinationPath.
func (n *jwtCreate) Exec(_ context.Context, env *engine.Env, p engine.Payload) (int, error) {
	var out any
	token, err := n.create(env, p)
	if err != nil {
		var ne *engine.NodeError
		if !errors.As(err, &ne) {
			ne = engine.Errorf("JsonWebTokenError", "%s", err.Error())
		}
		out = map[string]any{"error": map[string]any{"type": ne.Name, "message": ne.Message}}
	} else {
		out = token
	}
	if err := n.destination.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "destinationPath: %v", err)
	}
	return 0, nil
}

func (n *jwtCreate) create(env *engine.Env, p engine.Payload) (string, error) {
	r := renderer{p: p}
	alg := strings.ToUpper(r.text(n.algorithm, "algorithmTemplate", "HS256"))
	issuer := r.text(n.issuer, "issuerTemplate", "")
	expires := r.text(n.expiresIn, "expiresIn", "")
	credential := r.text(n.credential, "credentialNameTemplate", "")
	secret := r.raw(n.secret, "secretTemplate")
	if r.err != nil {
		return "", r.err
	}
	if secret == "" && credential != "" {
		return "", engine.Errorf("NotFound", "Credential %q was not found", credential)
	}
	claims, err := n.data.get(p, "dataTemplate")
	if err != nil {
		return "", engine.Errorf("Validation", "%v", err)
	}
	header, err := n.header.get(p, "headerTemplate")
	if err != nil {
		return "", engine.Errorf("Validation", "%v", err)
	}
	if _, ok := claims["iat"]; !ok {
		claims["iat"] = float64(env.Now().Unix())
	}
	if expires != "" {
		secs := js.ToNumber(expires)
		iat, ok := claims["iat"].(float64)
		switch {
		case math.IsNaN(secs) || math.IsInf(secs, 0):
			return "", engine.Errorf("Validation", `"expiresIn" should be a number of seconds`)
		case claims["exp"] != nil:
			return "", engine.Errorf("Validation", `Bad "options.expiresIn" option the payload already has an "exp" property.`)
		case !ok:
			return "", engine.Errorf("Validation", `"iat" should be a number of seconds`)
		}
		claims["exp"] = math.Floor(iat + secs)
	}
	if issuer != "" {
		claims["iss"] = issuer
	}
	header["alg"] = alg
	if _, ok := header["typ"]; !ok {
		header["typ"] = "JWT"
	}
	return jwtSign(alg, secret, header, claims)
}

// raw renders t without trimming: secrets are used exactly.
func (r *renderer) raw(t *template.Template, field string) string {
	if r.err != nil {
		return ""
	}
	s, err := t.Render(r.p)
	if err != nil {
		r.err = engine.Errorf("Validation", "%s: %v", field, err)
	}
	return s
}

// jwtAlgorithm is a JWS algorithm: family H (HMAC), R (RSA PKCS #1 v1.5), P
// (RSA-PSS) or E (ECDSA), and its hash.
type jwtAlgorithm struct {
	family byte
	hash   crypto.Hash
}

// jwtAlgorithmOf parses a JWS algorithm name.
func jwtAlgorithmOf(name string) (jwtAlgorithm, bool) {
	if !slices.Contains(jwtAlgorithmList, name) {
		return jwtAlgorithm{}, false
	}
	h := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[name[2:]]
	return jwtAlgorithm{family: name[0], hash: h}, true
}

// options are the signature options JWS fixes for the family.
func (a jwtAlgorithm) options() signOptions {
	if a.family == 'P' {
		return signOptions{pss: &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}}
	}
	return signOptions{p1363: a.family == 'E'}
}

// jwtSign encodes and signs a compact JWS.
func jwtSign(alg, secret string, header, claims map[string]any) (string, error) {
	a, ok := jwtAlgorithmOf(alg)
	if !ok {
		return "", engine.Errorf("Validation", `"algorithm" must be a valid string enum value`)
	}
	if secret == "" {
		return "", engine.Errorf("Validation", "secretOrPrivateKey must have a value")
	}
	h, _ := js.Stringify(header, "")
	c, _ := js.Stringify(claims, "")
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	if a.family == 'H' {
		m := hmac.New(a.hash.New, []byte(secret))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	} else {
		key, err := parsePrivateKey(secret)
		if err != nil {
			return "", engine.Errorf("Validation", "secretOrPrivateKey must be an asymmetric key when using %s: %v", alg, err)
		}
		if err := jwtKeyFits(a, key.Public()); err != nil {
			return "", err
		}
		if sig, err = signData(key, a.hash, []byte(input), a.options()); err != nil {
			return "", engine.Errorf("Validation", "%v", err)
		}
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// jwtKeyFits checks that key suits the algorithm family (and curve).
func jwtKeyFits(a jwtAlgorithm, key any) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if a.family == 'R' || a.family == 'P' {
			return nil
		}
	case *ecdsa.PublicKey:
		want := map[crypto.Hash]int{crypto.SHA256: 256, crypto.SHA384: 384, crypto.SHA512: 521}[a.hash]
		if a.family == 'E' && k.Curve.Params().BitSize == want {
			return nil
		}
	}
	return engine.Errorf("Validation", "the key type does not match the algorithm")
}

var _ engine.Node = (*jwtCreate)(nil)
