package nodes

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/weirhq/weir/engine"
	"github.com/weirhq/weir/engine/path"
	"github.com/weirhq/weir/engine/template"
)

var (
	hashAlgorithms = map[string]func() hash.Hash{
		"MD5": md5.New, "SHA1": sha1.New, "SHA224": sha256.New224, "SHA256": sha256.New,
		"SHA384": sha512.New384, "SHA512": sha512.New,
	}
	hashAlgorithmNames = []string{"MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"}
	hashOutEncodings   = []string{"hex", "base64", "latin1"}
	hashInEncodings    = []string{"utf8", "base64", "hex", "latin1"}
)

func init() {
	engine.Register(engine.Spec{
		Type:     "HashNode",
		Name:     "hash",
		Category: "logic",
		Summary:  "Puts the digest, or the HMAC when a secret is given, of a rendered string on the payload.",
		Outputs:  []string{"next"},
		Fields: []engine.Field{
			{Name: "dataTemplate", Kind: "template", Required: true, Doc: "The data to hash."},
			{Name: "dataEncodingTemplate", Kind: "template", Default: "utf8", Enum: hashInEncodings, Doc: "How to turn the rendered data into bytes."},
			{Name: "algorithmTemplate", Kind: "template", Default: "SHA256", Enum: hashAlgorithmNames,
				Doc: "The hash function, case-insensitive (SHA-256 style names accepted). RIPEMD and Whirlpool are not supported and throw."},
			{Name: "secretTemplate", Kind: "template", Doc: "When it renders non-empty, compute an HMAC with this key."},
			{Name: "secretEncodingTemplate", Kind: "template", Default: "utf8", Enum: hashInEncodings, Doc: "How to turn the rendered secret into bytes."},
			{Name: "encodingTemplate", Kind: "template", Default: "hex", Enum: hashOutEncodings, Doc: "How to write the digest."},
			{Name: "destinationPath", Kind: "path", Required: true, Doc: "Where to put the digest string."},
		},
	}, buildHash)
}

type hashNode struct {
	data, dataEnc, algorithm, secret, secretEnc, encoding *template.Template
	destination                                           path.Path
}

func buildHash(c *engine.NodeConfig) (engine.Node, error) {
	var cfg struct {
		DataTemplate           engine.Text `json:"dataTemplate"`
		DataEncodingTemplate   engine.Text `json:"dataEncodingTemplate"`
		AlgorithmTemplate      engine.Text `json:"algorithmTemplate"`
		SecretTemplate         engine.Text `json:"secretTemplate"`
		SecretEncodingTemplate engine.Text `json:"secretEncodingTemplate"`
		EncodingTemplate       engine.Text `json:"encodingTemplate"`
		DestinationPath        string      `json:"destinationPath"`
	}
	if err := c.Decode(&cfg); err != nil {
		return nil, err
	}
	n := &hashNode{}
	var err error
	if n.destination, _, err = engine.CompilePath("destinationPath", cfg.DestinationPath, true); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  **template.Template
		name string
		src  engine.Text
	}{
		{&n.data, "dataTemplate", cfg.DataTemplate},
		{&n.dataEnc, "dataEncodingTemplate", cfg.DataEncodingTemplate},
		{&n.algorithm, "algorithmTemplate", cfg.AlgorithmTemplate},
		{&n.secret, "secretTemplate", cfg.SecretTemplate},
		{&n.secretEnc, "secretEncodingTemplate", cfg.SecretEncodingTemplate},
		{&n.encoding, "encodingTemplate", cfg.EncodingTemplate},
	} {
		if *f.dst, err = engine.CompileTemplate(f.name, string(f.src)); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Exec hashes the rendered data and continues; a bad algorithm or encoding
// throws.
func (n *hashNode) Exec(_ context.Context, _ *engine.Env, p engine.Payload) (int, error) {
	r := renderer{p: p}
	data := r.bytes(n.data, n.dataEnc, "data")
	algo := strings.ToUpper(strings.ReplaceAll(r.text(n.algorithm, "algorithmTemplate", "SHA256"), "-", ""))
	secret := r.bytes(n.secret, n.secretEnc, "secret")
	enc := strings.ToLower(r.text(n.encoding, "encodingTemplate", "hex"))
	if r.err != nil {
		return 0, r.err
	}
	newHash, ok := hashAlgorithms[algo]
	if !ok {
		return 0, engine.Errorf("Validation", "Unsupported hash algorithm %q", algo)
	}
	h := newHash()
	if len(secret) > 0 {
		h = hmac.New(newHash, secret)
	}
	h.Write(data)
	out, err := encodeBytes(h.Sum(nil), enc)
	if err != nil {
		return 0, err
	}
	if err := n.destination.Set(p, out); err != nil {
		return 0, engine.Errorf("Validation", "destinationPath: %v", err)
	}
	return 0, nil
}

// renderer renders several template fields, keeping the first error.
type renderer struct {
	p   engine.Payload
	err error
}

// text renders t, trimmed, or def when it renders blank.
func (r *renderer) text(t *template.Template, field, def string) string {
	if r.err != nil {
		return ""
	}
	s, err := t.Render(r.p)
	if err != nil {
		r.err = engine.Errorf("Validation", "%s: %v", field, err)
		return ""
	}
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

// bytes renders t and decodes it with the encoding enc renders (utf8 by
// default).
func (r *renderer) bytes(t, enc *template.Template, field string) []byte {
	if r.err != nil {
		return nil
	}
	s, err := t.Render(r.p)
	if err != nil {
		r.err = engine.Errorf("Validation", "%sTemplate: %v", field, err)
		return nil
	}
	b, err := decodeString(s, strings.ToLower(r.text(enc, field+"EncodingTemplate", "utf8")))
	if err != nil && r.err == nil {
		r.err = err
	}
	return b
}

// decodeString turns text into bytes like Node's Buffer.from(s, enc).
func decodeString(s, enc string) ([]byte, error) {
	switch enc {
	case "utf8", "utf-8":
		return []byte(s), nil
	case "base64":
		b, err := decodeBase64(s)
		if err != nil {
			return nil, engine.Errorf("TypeError", "not valid base64")
		}
		return b, nil
	case "hex":
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, engine.Errorf("TypeError", "not valid hex: %v", err)
		}
		return b, nil
	case "latin1", "binary", "ascii":
		b := make([]byte, 0, len(s))
		for _, c := range s {
			b = append(b, byte(c))
		}
		return b, nil
	}
	return nil, engine.Errorf("Validation", "Unsupported input encoding %q", enc)
}

// encodeBytes writes bytes like Node's buf.toString(enc).
func encodeBytes(b []byte, enc string) (string, error) {
	switch enc {
	case "hex":
		return hex.EncodeToString(b), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(b), nil
	case "latin1", "binary":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), nil
	}
	return "", engine.Errorf("Validation", "Unsupported output encoding %q", enc)
}

var _ engine.Node = (*hashNode)(nil)
