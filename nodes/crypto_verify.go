package nodes

import (
	"context"
	"crypto/rsa"
	"errors"
	"html"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CryptoVerifyNode",
		Name:     "crypto-verify",
		Category: "logic",
		Summary:  "Checks a signature over rendered data with a public key and branches on the result.",
		Outputs:  []string{"invalid: the signature does not match, or the check could not run", "valid"},
		Fields: append(slices.Clone(cryptoSharedFields),
			engine.Field{Name: "signatureTemplate", Kind: "template", Required: true, Doc: "The signature, in signatureEncodingTemplate."},
			engine.Field{Name: "resultPath", Kind: "path", Doc: "Receives {error: {message}} when the check cannot run (bad key, encoding, algorithm); such runs take the invalid output."}),
	}, buildCryptoVerify)
}

type cryptoVerify struct {
	op         cryptoOp
	signature  *template.Template
	resultPath path.Path
	hasResult  bool
}

func buildCryptoVerify(c *engine.NodeConfig) (engine.Node, error) {
	var cfg cryptoConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &cryptoVerify{}
	var err error
	if n.resultPath, n.hasResult, err = engine.CompilePath("resultPath", cfg.ResultPath, false); err != nil {
		return nil, err
	}
	if n.signature, err = engine.CompileTemplate("signatureTemplate", string(cfg.SignatureTemplate)); err != nil {
		return nil, err
	}
	if n.op, err = compileCryptoOp(&cfg); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec takes output 1 when the signature is valid and 0 otherwise.
func (n *cryptoVerify) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	valid, err := n.verify(p)
	if err != nil && n.hasResult {
		if err := n.resultPath.Set(p, map[string]any{"error": map[string]any{"message": err.Error()}}); err != nil {
			return 0, engine.Errorf("Validation", "resultPath: %v", err)
		}
	}
	if valid {
		return 1, nil
	}
	return 0, nil
}

// verify reports whether the signature is valid; an error means the check
// could not run.
func (n *cryptoVerify) verify(p engine.Payload) (bool, error) {
	in, err := n.op.render(p, rsa.PSSSaltLengthAuto)
	if err != nil {
		return false, err
	}
	key, err := parsePublicKey(in.key)
	if err != nil {
		return false, err
	}
	r := renderer{p: p}
	text := r.raw(n.signature, "signatureTemplate")
	if r.err != nil {
		return false, r.err
	}
	if in.sigEnc != "latin1" && strings.Contains(text, "&") {
		text = html.UnescapeString(text) // {{double-brace}} escapes base64 "="
	}
	sig, err := decodeString(text, in.sigEnc)
	if err != nil {
		var ne *engine.NodeError
		if errors.As(err, &ne) {
			return false, errors.New("signature is " + ne.Message)
		}
		return false, err
	}
	switch err := verifyData(key, in.hash, in.data, sig, in.opts); err {
	case nil:
		return true, nil
	case errInvalidSignature:
		return false, nil
	default:
		return false, err
	}
}

var _ engine.Node = (*cryptoVerify)(nil)
