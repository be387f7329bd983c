package edgetest

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// jwks is the public JWK Set the edge publishes.
type jwks struct {
	Keys []struct {
		Kty, Crv, Use, Kid, X string
	} `json:"keys"`
}

// rawSeal seals any plaintext under any header with HPKE (crypto/hpke,
// RFC 9180 base mode, X25519 / HKDF-SHA256 / ChaCha20Poly1305), the way
// docs/envelope-v1.md specifies, independently of sdk/envelope. Tests use
// it to make envelopes sdk/envelope.Seal would refuse to make: invalid
// cards, expired or foreign headers.
func rawSeal(x []byte, header map[string]any, plaintext []byte) (string, error) {
	pub, err := ecdh.X25519().NewPublicKey(x)
	if err != nil {
		return "", err
	}
	pk, err := hpke.NewDHKEMPublicKey(pub)
	if err != nil {
		return "", err
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	aad := "sp1." + b64(hb)
	enc, sender, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), []byte("sealpay/envelope/v1"))
	if err != nil {
		return "", err
	}
	ct, err := sender.Seal([]byte(aad), plaintext)
	if err != nil {
		return "", err
	}
	return aad + "." + b64(enc) + "." + b64(ct), nil
}

// header returns a fresh valid header for kid, mid and aud at now.
func header(kid, mid, aud string, now time.Time) map[string]any {
	jti := make([]byte, 16)
	rand.Read(jti)
	h := map[string]any{
		"kid": kid, "mid": mid,
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti),
	}
	if aud != "" {
		h["aud"] = aud
	}
	return h
}

// cardJSON is the plaintext card document.
func cardJSON(number string, month, year int, cvc string) []byte {
	m := map[string]any{"number": number, "exp_month": month, "exp_year": year}
	if cvc != "" {
		m["cvc"] = cvc
	}
	b, _ := json.Marshal(m)
	return b
}

// primaryX returns the primary key's id and X25519 public key.
func primaryX(keys []byte) (string, []byte, error) {
	var set jwks
	if err := json.Unmarshal(keys, &set); err != nil || len(set.Keys) == 0 {
		return "", nil, fmt.Errorf("edgetest: GET /v1/keys is not a JWK Set: %v", err)
	}
	x, err := base64.RawURLEncoding.DecodeString(set.Keys[0].X)
	if err != nil {
		return "", nil, err
	}
	return set.Keys[0].Kid, x, nil
}
