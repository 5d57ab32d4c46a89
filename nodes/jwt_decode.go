package nodes

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "JWTDecodeNode",
		Name:     "jwt-decode",
		Category: "logic",
		Summary:  "Decodes a JSON Web Token without checking its signature (use JWT: Verify for that).",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "tokenTemplate", Kind: "template", Required: true, Doc: "The token."},
			{Name: "complete", Kind: "bool", Default: "false", Doc: "false: write the claims only; true: write {header, payload, signature} (signature as base64url text)."},
			{Name: "destinationPath", Kind: "path", Required: true, Doc: "Receives the decoded token, or null when the text is not a JWT."},
		},
	}, buildJWTDecode)
}

type jwtDecode struct {
	token       *template.Template
	complete    bool
	destination path.Path
}

func buildJWTDecode(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		TokenTemplate   engine.Text `json:"tokenTemplate"`
		Complete        engine.Text `json:"complete"`
		DestinationPath string      `json:"destinationPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &jwtDecode{complete: cfg.Complete == "true"}
	var err error
	if n.destination, _, err = engine.CompilePath("destinationPath", cfg.DestinationPath, true); err != nil {
		return nil, err
	}
	if n.token, err = engine.CompileTemplate("tokenTemplate", string(cfg.TokenTemplate)); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes the decoded token, or null for text that is not a JWT.
func (n *jwtDecode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	r := renderer{p: p}
	token := r.text(n.token, "tokenTemplate", "")
	if r.err != nil {
		return 0, r.err
	}
	var out any
	if t, ok := parseJWT(token); ok {
		out = t.claims
		if n.complete {
			out = map[string]any{"header": t.header, "payload": t.claims, "signature": t.signature}
		}
	}
	if err := n.destination.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "destinationPath: %v", err)
	}
	return 0, nil
}

// jwtToken is a compact JWS split into its parts.
type jwtToken struct {
	header    map[string]any
	claims    any // an object, or the payload text when it is not a JSON object
	signature string
	input     string // header.payload, the signed bytes
	sig       []byte
}

// parseJWT splits and decodes a compact JWS like jsonwebtoken's decode: the
// header must be a JSON object; a payload that is not a JSON object stays
// text.
func parseJWT(s string) (jwtToken, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return jwtToken{}, false
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	pb, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	sig, err3 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err1 != nil || err2 != nil || err3 != nil {
		return jwtToken{}, false
	}
	var header map[string]any
	if json.Unmarshal(hb, &header) != nil || header == nil {
		return jwtToken{}, false
	}
	t := jwtToken{header: header, claims: string(pb), signature: parts[2], input: parts[0] + "." + parts[1], sig: sig}
	if v, err := engine.DecodeValue(pb); err == nil {
		if m, ok := v.(map[string]any); ok {
			t.claims = m
		}
	}
	return t, true
}

var _ engine.Node = (*jwtDecode)(nil)
