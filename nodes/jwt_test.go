package nodes_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/weirhq/weir/engine"
)

// mustBuild builds a node of type typ from cfg through the registry.
func mustBuild(tb testing.TB, typ string, cfg any) engine.Node {
	tb.Helper()
	_, build, ok := engine.Lookup(typ)
	if !ok {
		tb.Fatalf("%s is not registered", typ)
	}
	b, _ := json.Marshal(cfg)
	n, err := build(&engine.NodeConfig{ID: "n", Type: typ, Config: b})
	if err != nil {
		tb.Fatalf("build %s: %v", typ, err)
	}
	return n
}

// mustPEM returns the PKCS #8 private and PKIX public PEM of key.
func mustPEM(tb testing.TB, key any, pub any) (private, public string) {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}))
}

func fixedEnv() *engine.Env {
	return &engine.Env{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
}

func TestJWTNodes_AsymmetricRoundTrip(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaPriv, rsaPub := mustPEM(t, rsaKey, &rsaKey.PublicKey)
	ecPriv, ecPub := mustPEM(t, p256, &p256.PublicKey)
	ec384Priv, _ := mustPEM(t, p384, &p384.PublicKey)
	for _, tc := range []struct {
		alg, private, public string
		wantPort             int
	}{
		{"RS256", rsaPriv, rsaPub, 1},
		{"RS512", rsaPriv, rsaPub, 1},
		{"PS256", rsaPriv, rsaPub, 1},
		{"ES256", ecPriv, ecPub, 1},
		{"ES256", ecPriv, rsaPub, 0},       // key of the wrong type
		{"ES384", ec384Priv, ec384Priv, 1}, // the private key verifies too
	} {
		t.Run(tc.alg, func(t *testing.T) {
			p := engine.Payload{"data": map[string]any{"sub": "dev1", "key": tc.private, "pub": tc.public}}
			create := mustBuild(t, "JWTCreateNode", map[string]any{"algorithmTemplate": tc.alg, "secretTemplate": "{{data.key}}",
				"dataTemplate": "data", "dataTemplateType": "path", "issuerTemplate": "me", "expiresIn": 60, "destinationPath": "working.jwt"})
			if _, err := create.Exec(t.Context(), fixedEnv(), p); err != nil {
				t.Fatal(err)
			}
			token, ok := p["working"].(map[string]any)["jwt"].(string)
			if !ok || strings.Count(token, ".") != 2 {
				t.Fatalf("token = %v, want a compact JWS", p["working"])
			}
			verify := mustBuild(t, "JWTVerifyNode", map[string]any{"tokenTemplate": "{{working.jwt}}", "secretTemplate": "{{data.pub}}",
				"issuerTemplate": "me", "errorPath": "working.err"})
			port, err := verify.Exec(t.Context(), fixedEnv(), p)
			if err != nil || port != tc.wantPort {
				t.Errorf("verify port = %d, %v, want %d (error %v)", port, err, tc.wantPort, p["working"].(map[string]any)["err"])
			}
			// The same token fails once tampered with.
			p["working"].(map[string]any)["jwt"] = token[:len(token)-4] + "AAAA"
			if port, _ := verify.Exec(t.Context(), fixedEnv(), p); port != 0 {
				t.Errorf("tampered token verified")
			}
		})
	}
}

func TestJWTNodes_HMACKeyConfusion(t *testing.T) {
	// An RS256 token must not verify when its header is switched to HS256
	// and signed with the public key text.
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, pub := mustPEM(t, rsaKey, &rsaKey.PublicKey)
	p := engine.Payload{"data": map[string]any{"pub": pub}}
	create := mustBuild(t, "JWTCreateNode", map[string]any{"algorithmTemplate": "HS256", "secretTemplate": "{{data.pub}}", "destinationPath": "working.jwt"})
	if _, err := create.Exec(t.Context(), fixedEnv(), p); err != nil {
		t.Fatal(err)
	}
	verify := mustBuild(t, "JWTVerifyNode", map[string]any{"tokenTemplate": "{{working.jwt}}", "secretTemplate": "{{data.pub}}", "errorPath": "working.err"})
	if port, _ := verify.Exec(t.Context(), fixedEnv(), p); port != 0 {
		t.Fatalf("HS256 token signed with a public key verified")
	}
	if got := p["working"].(map[string]any)["err"].(map[string]any)["message"]; got != "invalid algorithm" {
		t.Errorf("error = %v, want invalid algorithm", got)
	}
}
