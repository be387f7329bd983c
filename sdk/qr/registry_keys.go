package qr

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"filippo.io/edwards25519"
)

// kidInfo is the domain-separation prefix of key IDs.
const kidInfo = "sealpay/qr/kid/v1\x00"

// keyID derives the key ID of an Ed25519 public key: the first 8 bytes of
// SHA-256(kidInfo || key), base64url without padding (11 characters). It is
// short because it travels in every signed QR code; a collision can only
// make verification fail, because the signature is then checked against the
// certified key the ID names.
func keyID(pub []byte) string {
	h := sha256.New()
	h.Write([]byte(kidInfo))
	h.Write(pub)
	return b64.EncodeToString(h.Sum(nil)[:8])
}

// b64 is base64url without padding (RFC 4648 §5). Decode with [decodeB64],
// which also refuses non-canonical input.
var b64 = base64.RawURLEncoding

// decodeB64 decodes canonical base64url without padding: no padding, no
// line breaks (which encoding/base64 would skip), no non-zero trailing bits.
func decodeB64(s string) ([]byte, bool) {
	b, err := b64.Strict().DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// lMinus1 is the group order L − 1, little-endian, as a canonical scalar.
// L = 2^252 + 27742317777372353535851937790883648493.
var lMinus1 = func() *edwards25519.Scalar {
	b := []byte{
		0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(b)
	if err != nil {
		panic("sdk: internal error: L-1 is not a canonical scalar")
	}
	return s
}()

// checkPublicKey refuses every Ed25519 public key encoding but the
// canonical encoding of a point in the prime-order subgroup.
//
// crypto/ed25519 accepts non-canonical and small-order keys, and RFC 8032
// verification with such a key can be satisfied by signatures that say
// nothing about the message (a small-order key with the identity as R and
// S = 0 verifies every message). Keys made by ed25519.GenerateKey are
// always canonical prime-order points, so nothing honest is refused.
func checkPublicKey(pub []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("qr: public key of %d bytes, want %d: %w", len(pub), ed25519.PublicKeySize, ErrInvalidKey)
	}
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return fmt.Errorf("qr: public key is not a curve point: %w", ErrInvalidKey)
	}
	if !bytes.Equal(p.Bytes(), pub) {
		return fmt.Errorf("qr: public key is not canonically encoded: %w", ErrInvalidKey)
	}
	id := edwards25519.NewIdentityPoint()
	if new(edwards25519.Point).MultByCofactor(p).Equal(id) == 1 {
		return fmt.Errorf("qr: public key is a point of small order: %w", ErrInvalidKey)
	}
	// [L]P = [L−1]P + P is the identity exactly when P has no torsion
	// component.
	q := new(edwards25519.Point).ScalarMult(lMinus1, p)
	if q.Add(q, p).Equal(id) != 1 {
		return fmt.Errorf("qr: public key is not in the prime-order subgroup: %w", ErrInvalidKey)
	}
	return nil
}

// signingKey is the part common to root and merchant keys.
type signingKey struct {
	kid  string
	priv ed25519.PrivateKey
}

func generateSigningKey() (signingKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return signingKey{}, fmt.Errorf("qr: generating key: %w", err)
	}
	return signingKey{kid: keyID(priv.Public().(ed25519.PublicKey)), priv: priv}, nil
}

func newSigningKey(seed []byte) signingKey {
	priv := ed25519.NewKeyFromSeed(seed)
	return signingKey{kid: keyID(priv.Public().(ed25519.PublicKey)), priv: priv}
}

func (k signingKey) public() ed25519.PublicKey {
	return bytes.Clone(k.priv.Public().(ed25519.PublicKey))
}

// jwk is an Ed25519 key as an RFC 8037 JSON Web Key.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Use string `json:"use,omitempty"`
	Kid string `json:"kid"`
	X   string `json:"x"`
	D   string `json:"d,omitempty"`
}

func (k signingKey) marshal(private bool) []byte {
	j := jwk{Kty: "OKP", Crv: "Ed25519", Use: "sig", Kid: k.kid, X: b64.EncodeToString(k.public())}
	if private {
		j.D = b64.EncodeToString(k.priv.Seed())
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		panic("sdk: internal error: " + err.Error())
	}
	return append(b, '\n')
}

// parseJWK parses an Ed25519 JWK. With private set it requires "d" and
// returns the key; otherwise it refuses "d" and returns only the public key.
func parseJWK(b []byte, private bool) (signingKey, ed25519.PublicKey, error) {
	if err := checkJSON(b, 4); err != nil {
		return signingKey{}, nil, fmt.Errorf("qr: key file: %v: %w", err, ErrInvalidKey)
	}
	var j jwk
	if err := json.Unmarshal(b, &j); err != nil {
		return signingKey{}, nil, fmt.Errorf("qr: key file is not a JWK: %w", ErrInvalidKey)
	}
	if j.Kty != "OKP" || j.Crv != "Ed25519" {
		return signingKey{}, nil, fmt.Errorf("qr: key file: kty %q crv %q, want OKP Ed25519: %w", j.Kty, j.Crv, ErrInvalidKey)
	}
	pub, ok := decodeB64(j.X)
	if !ok {
		return signingKey{}, nil, fmt.Errorf("qr: key file: x is not canonical base64url: %w", ErrInvalidKey)
	}
	if err := checkPublicKey(pub); err != nil {
		return signingKey{}, nil, err
	}
	if j.Kid != keyID(pub) {
		return signingKey{}, nil, fmt.Errorf("qr: key file: kid does not match the key: %w", ErrInvalidKey)
	}
	switch {
	case !private && j.D != "":
		return signingKey{}, nil, fmt.Errorf("qr: key file holds a private key where a public key is expected: %w", ErrInvalidKey)
	case !private:
		return signingKey{}, pub, nil
	}
	seed, ok := decodeB64(j.D)
	if !ok || len(seed) != ed25519.SeedSize {
		return signingKey{}, nil, fmt.Errorf("qr: key file: d is not a 32-byte base64url seed: %w", ErrInvalidKey)
	}
	k := newSigningKey(seed)
	if !bytes.Equal(k.public(), pub) {
		return signingKey{}, nil, fmt.Errorf("qr: key file: d does not match x: %w", ErrInvalidKey)
	}
	return k, pub, nil
}

// RootKey is a registry root key: it certifies merchant keys and signs
// trust bundles. Keep it offline; its private part leaves the process only
// through [RootKey.ExportPrivateJWK].
type RootKey struct{ k signingKey }

// GenerateRootKey returns a new root key from crypto/rand.
func GenerateRootKey() (*RootKey, error) {
	k, err := generateSigningKey()
	if err != nil {
		return nil, err
	}
	return &RootKey{k}, nil
}

// ParseRootKey parses a root key file: an RFC 8037 Ed25519 JWK with its
// private part in "d", as written by [RootKey.ExportPrivateJWK].
func ParseRootKey(jwkJSON []byte) (*RootKey, error) {
	k, _, err := parseJWK(jwkJSON, true)
	if err != nil {
		return nil, err
	}
	return &RootKey{k}, nil
}

// ParsePublicKey parses the public JWK of a root or merchant key, as
// written by [RootKey.PublicJWK], and refuses weak keys. Use it to read the
// root keys to pin in [LoadTrustBundle].
func ParsePublicKey(jwkJSON []byte) (ed25519.PublicKey, error) {
	_, pub, err := parseJWK(jwkJSON, false)
	return pub, err
}

// KeyID returns the key's ID (11 characters of base64url).
func (k *RootKey) KeyID() string { return k.k.kid }

// Public returns a copy of the public key, the value to pin.
func (k *RootKey) Public() ed25519.PublicKey { return k.k.public() }

// PublicJWK returns the public key as an RFC 8037 JWK, for pinning.
func (k *RootKey) PublicJWK() []byte { return k.k.marshal(false) }

// ExportPrivateJWK returns the private key as an RFC 8037 JWK. It is the
// only way the secret leaves a RootKey: write it with mode 0600 and never
// log it.
func (k *RootKey) ExportPrivateJWK() []byte { return k.k.marshal(true) }

// String names the key without its secret.
func (k *RootKey) String() string { return "qr.RootKey(" + k.k.kid + ")" }

// MerchantKey is a merchant's QR signing key. The registry certifies its
// public part with [RootKey.Certify]; [Sign] uses it. Its private part
// leaves the process only through [MerchantKey.ExportPrivateJWK].
type MerchantKey struct{ k signingKey }

// GenerateMerchantKey returns a new merchant key from crypto/rand.
func GenerateMerchantKey() (*MerchantKey, error) {
	k, err := generateSigningKey()
	if err != nil {
		return nil, err
	}
	return &MerchantKey{k}, nil
}

// ParseMerchantKey parses a merchant key file (an RFC 8037 Ed25519 JWK
// with "d"), as written by [MerchantKey.ExportPrivateJWK].
func ParseMerchantKey(jwkJSON []byte) (*MerchantKey, error) {
	k, _, err := parseJWK(jwkJSON, true)
	if err != nil {
		return nil, err
	}
	return &MerchantKey{k}, nil
}

// KeyID returns the key's ID, as carried in signed QR codes.
func (k *MerchantKey) KeyID() string { return k.k.kid }

// Public returns a copy of the public key, the value to certify.
func (k *MerchantKey) Public() ed25519.PublicKey { return k.k.public() }

// ExportPrivateJWK returns the private key as an RFC 8037 JWK: write it
// with mode 0600 and never log it.
func (k *MerchantKey) ExportPrivateJWK() []byte { return k.k.marshal(true) }

// String names the key without its secret.
func (k *MerchantKey) String() string { return "qr.MerchantKey(" + k.k.kid + ")" }

// checkJSON refuses what encoding/json would silently accept: invalid
// UTF-8 (replaced by U+FFFD), duplicate object members (the last would
// win), nesting deeper than maxDepth, and data after the value.
func checkJSON(b []byte, maxDepth int) error {
	if !utf8.Valid(b) {
		return errors.New("invalid UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := checkJSONValue(d, 0, maxDepth); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("not a single JSON value")
	}
	return nil
}

func checkJSONValue(d *json.Decoder, depth, maxDepth int) error {
	tok, err := d.Token()
	if err != nil {
		return errors.New("not valid JSON")
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= maxDepth {
		return errors.New("nested too deeply")
	}
	var keys map[string]bool
	if delim == '{' {
		keys = map[string]bool{}
	}
	for d.More() {
		if keys != nil {
			t, err := d.Token()
			if err != nil {
				return errors.New("not valid JSON")
			}
			k, _ := t.(string)
			if keys[k] {
				return fmt.Errorf("duplicate member %q", truncate(k, 32))
			}
			keys[k] = true
		}
		if err := checkJSONValue(d, depth+1, maxDepth); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return errors.New("not valid JSON")
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
