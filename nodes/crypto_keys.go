package nodes

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"html"
	"math/big"
	"strings"
)

// pemBlocks decodes the PEM blocks in s. Text whose newlines were escaped
// ("-----BEGIN…\n…") is accepted too, as keys pasted into globals often are,
// and so is text HTML-escaped by a {{double-brace}} template (base64 "="
// padding becomes "&#x3D;"), which PEM never contains otherwise.
func pemBlocks(s string) []*pem.Block {
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	if !strings.Contains(s, "\n") && strings.Contains(s, `\n`) {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	rest := []byte(strings.TrimSpace(s))
	var out []*pem.Block
	for {
		b, r := pem.Decode(rest)
		if b == nil {
			return out
		}
		out, rest = append(out, b), r
	}
}

// isPEM reports whether s holds a PEM block.
func isPEM(s string) bool { return len(pemBlocks(s)) > 0 }

// parsePrivateKey reads a PEM private key: PKCS #8, PKCS #1 (RSA) or SEC 1
// (EC).
func parsePrivateKey(s string) (crypto.Signer, error) {
	for _, b := range pemBlocks(s) {
		var k any
		var err error
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, errors.New("invalid private key")
		}
		if signer, ok := k.(crypto.Signer); ok {
			return signer, nil
		}
		return nil, errors.New("unsupported private key type")
	}
	return nil, errors.New("no PEM private key found")
}

// parsePublicKey reads a PEM public key (PKIX or PKCS #1), a certificate's
// key, or the public half of a private key.
func parsePublicKey(s string) (crypto.PublicKey, error) {
	for _, b := range pemBlocks(s) {
		switch b.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, errors.New("invalid public key")
			}
			return k, nil
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				return nil, errors.New("invalid public key")
			}
			return k, nil
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, errors.New("invalid certificate")
			}
			return c.PublicKey, nil
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			k, err := parsePrivateKey(string(pem.EncodeToMemory(b)))
			if err != nil {
				return nil, err
			}
			return k.Public(), nil
		}
	}
	return nil, errors.New("no PEM public key found")
}

// signOptions choose the signature scheme for a key type.
type signOptions struct {
	pss   *rsa.PSSOptions // RSA: PSS with these options, else PKCS #1 v1.5
	p1363 bool            // ECDSA: r||s instead of DER
}

// signData signs data hashed with h: RSA, ECDSA, or Ed25519 (h unused).
func signData(key crypto.Signer, h crypto.Hash, data []byte, o signOptions) ([]byte, error) {
	if k, ok := key.(ed25519.PrivateKey); ok {
		return ed25519.Sign(k, data), nil
	}
	if !h.Available() {
		return nil, fmt.Errorf("hash %v is not available", h)
	}
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if o.pss != nil {
			return rsa.SignPSS(rand.Reader, k, h, digest, o.pss)
		}
		return rsa.SignPKCS1v15(rand.Reader, k, h, digest)
	case *ecdsa.PrivateKey:
		der, err := ecdsa.SignASN1(rand.Reader, k, digest)
		if err != nil || !o.p1363 {
			return der, err
		}
		return ecdsaDERToP1363(der, k.Curve.Params().BitSize)
	}
	return nil, fmt.Errorf("unsupported key type %T", key)
}

// verifyData checks sig over data hashed with h; it returns an error for
// an invalid signature or an unusable key.
func verifyData(key crypto.PublicKey, h crypto.Hash, data, sig []byte, o signOptions) error {
	if k, ok := key.(ed25519.PublicKey); ok {
		if !ed25519.Verify(k, data, sig) {
			return errInvalidSignature
		}
		return nil
	}
	if !h.Available() {
		return fmt.Errorf("hash %v is not available", h)
	}
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	switch k := key.(type) {
	case *rsa.PublicKey:
		var err error
		if o.pss != nil {
			err = rsa.VerifyPSS(k, h, digest, sig, o.pss)
		} else {
			err = rsa.VerifyPKCS1v15(k, h, digest, sig)
		}
		if err != nil {
			return errInvalidSignature
		}
		return nil
	case *ecdsa.PublicKey:
		if o.p1363 {
			var err error
			if sig, err = ecdsaP1363ToDER(sig, k.Curve.Params().BitSize); err != nil {
				return errInvalidSignature
			}
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errInvalidSignature
		}
		return nil
	}
	return fmt.Errorf("unsupported key type %T", key)
}

var errInvalidSignature = errors.New("invalid signature")

type ecdsaSig struct{ R, S *big.Int }

// ecdsaDERToP1363 turns an ASN.1 ECDSA signature into fixed-size r||s.
func ecdsaDERToP1363(der []byte, bits int) ([]byte, error) {
	var s ecdsaSig
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		return nil, err
	}
	size := (bits + 7) / 8
	out := make([]byte, 2*size)
	s.R.FillBytes(out[:size])
	s.S.FillBytes(out[size:])
	return out, nil
}

// ecdsaP1363ToDER turns fixed-size r||s into an ASN.1 ECDSA signature.
func ecdsaP1363ToDER(sig []byte, bits int) ([]byte, error) {
	size := (bits + 7) / 8
	if len(sig) != 2*size {
		return nil, errInvalidSignature
	}
	return asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])})
}
