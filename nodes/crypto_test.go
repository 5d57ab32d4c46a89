package nodes_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/weirhq/weir/engine"
)

func TestCryptoNodes_SignVerifyRoundTrip(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaPriv, rsaPub := mustPEM(t, rsaKey, &rsaKey.PublicKey)
	ecPriv, ecPub := mustPEM(t, ecKey, &ecKey.PublicKey)
	for _, tc := range []struct {
		name, priv, pub string
		opts            map[string]any
	}{
		{"RSAPSS", rsaPriv, rsaPub, map[string]any{"paddingTemplate": "RSA_PKCS1_PSS_PADDING", "algorithmTemplate": "SHA384"}},
		{"RSAMD5Latin1", rsaPriv, rsaPub, map[string]any{"algorithmTemplate": "MD5", "signatureEncodingTemplate": "latin1"}},
		{"ECDSADER", ecPriv, ecPub, nil},
		{"ECDSAP1363Hex", ecPriv, ecPub, map[string]any{"dsaEncodingTemplate": "ieee-p1363", "signatureEncodingTemplate": "hex"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := engine.Payload{"data": map[string]any{"priv": tc.priv, "pub": tc.pub, "msg": "reading 42"}}
			cfg := map[string]any{"keyTemplateType": "payloadPath", "keyTemplate": "data.priv", "dataTemplate": "{{data.msg}}", "resultPath": "working.signed"}
			for k, v := range tc.opts {
				cfg[k] = v
			}
			if _, err := mustBuild(t, "CryptoSignNode", cfg).Exec(t.Context(), fixedEnv(), p); err != nil {
				t.Fatal(err)
			}
			signed := p["working"].(map[string]any)["signed"].(map[string]any)
			if _, ok := signed["signature"].(string); !ok {
				t.Fatalf("sign result = %v", signed)
			}
			cfg["keyTemplate"], cfg["signatureTemplate"], cfg["resultPath"] = "data.pub", "{{{working.signed.signature}}}", "working.check"
			verify := mustBuild(t, "CryptoVerifyNode", cfg)
			if port, err := verify.Exec(t.Context(), fixedEnv(), p); port != 1 || err != nil {
				t.Fatalf("verify = %d, %v, want 1 (result %v)", port, err, p["working"].(map[string]any)["check"])
			}
			p["data"].(map[string]any)["msg"] = "reading 43"
			if port, _ := verify.Exec(t.Context(), fixedEnv(), p); port != 0 {
				t.Errorf("verify of changed data = %d, want 0", port)
			}
		})
	}
}
