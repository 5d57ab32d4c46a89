package nodes

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"slices"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var (
	cryptoKeyTypes     = []string{"stringTemplate", "payloadPath", "diskPath"}
	cryptoHashes       = map[string]crypto.Hash{"MD5": crypto.MD5, "SHA1": crypto.SHA1, "SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512}
	cryptoHashNames    = []string{"MD5", "SHA1", "SHA256", "SHA384", "SHA512"}
	cryptoPaddings     = []string{"RSA_PKCS1_PADDING", "RSA_PKCS1_PSS_PADDING"}
	cryptoDSAEncodings = []string{"der", "ieee-p1363"}
	cryptoSigEncodings = []string{"base64", "hex", "latin1"}
	cryptoSharedFields = []engine.Field{
		{Name: "credentialNameTemplate", Kind: "template", Doc: "A stored credential holding the key; weir has no credential store, so this fails unless keyTemplate is set."},
		{Name: "keyTemplateType", Kind: "enum", Enum: cryptoKeyTypes, Default: "stringTemplate", Doc: "stringTemplate: keyTemplate is a template; payloadPath: a path to the key text; diskPath (edge) is not supported."},
		{Name: "keyTemplate", Kind: "template", Doc: "The PEM key: RSA, EC or Ed25519 (Ed25519 ignores the algorithm)."},
		{Name: "dataTemplate", Kind: "template", Required: true, Doc: "The data."},
		{Name: "dataEncodingTemplate", Kind: "template", Default: "utf8", Enum: hashInEncodings, Doc: "How the rendered data becomes bytes."},
		{Name: "algorithmTemplate", Kind: "template", Default: "SHA256", Enum: cryptoHashNames, Doc: "The digest."},
		{Name: "paddingTemplate", Kind: "template", Default: "RSA_PKCS1_PADDING", Enum: cryptoPaddings, Doc: "RSA padding; PSS signs with the maximum salt and verifies any."},
		{Name: "dsaEncodingTemplate", Kind: "template", Default: "der", Enum: cryptoDSAEncodings, Doc: "ECDSA signature format."},
		{Name: "signatureEncodingTemplate", Kind: "template", Default: "base64", Enum: cryptoSigEncodings, Doc: "How the signature is written as text."},
	}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "CryptoSignNode",
		Name:     "crypto-sign",
		Category: "logic",
		Summary:  "Signs rendered data with a private key; failures write {error} instead of throwing.",
		Outputs:  []string{"next"},
		Fields: append(slices.Clone(cryptoSharedFields),
			engine.Field{Name: "resultPath", Kind: "path", Required: true, Doc: "Receives {signature} or {error: {message}}."}),
	}, buildCryptoSign)
}

// cryptoConfig is the configuration both crypto nodes share.
type cryptoConfig struct {
	CredentialNameTemplate    engine.Text `json:"credentialNameTemplate"`
	KeyTemplateType           string      `json:"keyTemplateType"`
	KeyTemplate               engine.Text `json:"keyTemplate"`
	DataTemplate              engine.Text `json:"dataTemplate"`
	DataEncodingTemplate      engine.Text `json:"dataEncodingTemplate"`
	AlgorithmTemplate         engine.Text `json:"algorithmTemplate"`
	PaddingTemplate           engine.Text `json:"paddingTemplate"`
	DSAEncodingTemplate       engine.Text `json:"dsaEncodingTemplate"`
	SignatureEncodingTemplate engine.Text `json:"signatureEncodingTemplate"`
	SignatureTemplate         engine.Text `json:"signatureTemplate"`
	ResultPath                string      `json:"resultPath"`
}

// cryptoOp is the compiled shared configuration.
type cryptoOp struct {
	credential, key, data, dataEnc, algorithm, padding, dsaEnc, sigEnc *template.Template
	keyPath                                                            path.Path
	keyFromPath                                                        bool
}

func compileCryptoOp(cfg *cryptoConfig) (cryptoOp, error) {
	var o cryptoOp
	switch cfg.KeyTemplateType {
	case "", "stringTemplate":
	case "payloadPath":
		o.keyFromPath = true
	case "diskPath":
		return o, engine.Errorf("Validation", "keyTemplateType diskPath is not supported")
	default:
		return o, engine.Errorf("Validation", "keyTemplateType must be one of %v", cryptoKeyTypes)
	}
	var err error
	if o.keyFromPath {
		if o.keyPath, _, err = engine.CompilePath("keyTemplate", strings.TrimSpace(string(cfg.KeyTemplate)), true); err != nil {
			return o, err
		}
		cfg.KeyTemplate = ""
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&o.credential, "credentialNameTemplate", cfg.CredentialNameTemplate},
		{&o.key, "keyTemplate", cfg.KeyTemplate},
		{&o.data, "dataTemplate", cfg.DataTemplate},
		{&o.dataEnc, "dataEncodingTemplate", cfg.DataEncodingTemplate},
		{&o.algorithm, "algorithmTemplate", cfg.AlgorithmTemplate},
		{&o.padding, "paddingTemplate", cfg.PaddingTemplate},
		{&o.dsaEnc, "dsaEncodingTemplate", cfg.DSAEncodingTemplate},
		{&o.sigEnc, "signatureEncodingTemplate", cfg.SignatureEncodingTemplate},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return o, err
		}
	}
	return o, nil
}

// cryptoInput is a rendered crypto operation.
type cryptoInput struct {
	key, sigEnc string
	data        []byte
	hash        crypto.Hash
	opts        signOptions
}

// render renders the shared fields; pssSalt is the PSS salt length to use.
func (o *cryptoOp) render(p engine.Payload, pssSalt int) (cryptoInput, error) {
	r := renderer{p: p}
	in := cryptoInput{data: r.bytes(o.data, o.dataEnc, "data")}
	algo := strings.ToUpper(strings.ReplaceAll(r.text(o.algorithm, "algorithmTemplate", "SHA256"), "-", ""))
	padding := strings.ToUpper(r.text(o.padding, "paddingTemplate", "RSA_PKCS1_PADDING"))
	dsa := strings.ToLower(r.text(o.dsaEnc, "dsaEncodingTemplate", "der"))
	in.sigEnc = strings.ToLower(r.text(o.sigEnc, "signatureEncodingTemplate", "base64"))
	credential := r.text(o.credential, "credentialNameTemplate", "")
	if o.keyFromPath {
		in.key, _ = o.keyPath.Get(p).(string)
	} else {
		in.key = r.raw(o.key, "keyTemplate")
	}
	if r.err != nil {
		var ne *engine.NodeError
		if errors.As(r.err, &ne) {
			return in, errors.New(ne.Message)
		}
		return in, r.err
	}
	var ok bool
	switch {
	case strings.TrimSpace(in.key) == "" && credential != "":
		return in, errors.New("Credential \"" + credential + "\" was not found")
	case strings.TrimSpace(in.key) == "":
		return in, errors.New("A key is required")
	case !slices.Contains(cryptoPaddings, padding):
		return in, errors.New("Unsupported padding " + padding)
	case !slices.Contains(cryptoDSAEncodings, dsa):
		return in, errors.New("Unsupported DSA encoding " + dsa)
	case !slices.Contains(cryptoSigEncodings, in.sigEnc):
		return in, errors.New("Unsupported signature encoding " + in.sigEnc)
	}
	if in.hash, ok = cryptoHashes[algo]; !ok {
		return in, errors.New("Unsupported algorithm " + algo)
	}
	in.opts.p1363 = dsa == "ieee-p1363"
	if padding == "RSA_PKCS1_PSS_PADDING" {
		in.opts.pss = &rsa.PSSOptions{SaltLength: pssSalt, Hash: in.hash}
	}
	return in, nil
}

type cryptoSign struct {
	op         cryptoOp
	resultPath path.Path
}

func buildCryptoSign(c *engine.NodeConfig) (engine.Node, error) {
	var cfg cryptoConfig
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &cryptoSign{}
	var err error
	if n.resultPath, _, err = engine.CompilePath("resultPath", cfg.ResultPath, true); err != nil {
		return nil, err
	}
	if n.op, err = compileCryptoOp(&cfg); err != nil {
		return nil, err
	}
	return n, nil
}

// Exec writes {signature}, or {error} when signing fails.
func (n *cryptoSign) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	sig, err := n.sign(p)
	out := map[string]any{"signature": sig}
	if err != nil {
		out = map[string]any{"error": map[string]any{"message": err.Error()}}
	}
	if err := n.resultPath.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "resultPath: %v", err)
	}
	return 0, nil
}

func (n *cryptoSign) sign(p engine.Payload) (string, error) {
	in, err := n.op.render(p, rsa.PSSSaltLengthAuto)
	if err != nil {
		return "", err
	}
	key, err := parsePrivateKey(in.key)
	if err != nil {
		return "", err
	}
	sig, err := signData(key, in.hash, in.data, in.opts)
	if err != nil {
		return "", err
	}
	s, err := encodeBytes(sig, in.sigEnc)
	if err != nil {
		return "", errors.New("Unsupported signature encoding " + in.sigEnc)
	}
	return s, nil
}

var _ engine.Node = (*cryptoSign)(nil)
