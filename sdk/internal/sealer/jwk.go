package sealer

import (
	"crypto/sha256"
	"errors"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// Size limits and bounds for key set documents.
const (
	MaxPublicKeySetSize = 64 << 10
	MaxKeys             = 64 // keys in one set, retired ones included
)

// A PublicKey is one X25519 key of a [PublicKeySet].
type PublicKey struct {
	KeyID string // the RFC 7638 thumbprint of X
	X     []byte // the 32-byte X25519 public key
}

// A PublicKeySet is the JWK Set the edge publishes and browsers seal to.
// Its first key is the primary, which [Seal] uses.
type PublicKeySet struct {
	Keys []PublicKey
}

// Thumbprint returns the RFC 7638 JWK thumbprint (SHA-256, base64url) of an
// X25519 public key: the key ID. Deriving IDs from keys means two keys can
// never share an ID, and anyone can check that an ID belongs to its key.
func Thumbprint(x []byte) string { return OKPThumbprint("X25519", x) }

// OKPThumbprint is the RFC 7638 thumbprint of an OKP key (RFC 8037,
// Section 2): the required members crv, kty and x in lexicographic order,
// no whitespace, hashed with SHA-256.
func OKPThumbprint(crv string, x []byte) string {
	h := sha256.Sum256([]byte(`{"crv":"` + crv + `","kty":"OKP","x":"` + B64.EncodeToString(x) + `"}`))
	return B64.EncodeToString(h[:])
}

// ParsePublicKeySet parses a JWK Set ([RFC 7517]) of X25519 keys ([RFC
// 8037]), with the rules of package envelope's ParsePublicKeySet, which
// documents them.
//
// [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517.html
// [RFC 8037]: https://www.rfc-editor.org/rfc/rfc8037.html
func ParsePublicKeySet(jwks []byte) (*PublicKeySet, error) {
	// The browser's card module runs this: it reads JSON with jsontext
	// (json.go) and builds errors without fmt, so that the module links
	// neither encoding/json's decoder nor fmt.
	if len(jwks) > MaxPublicKeySetSize {
		return nil, wrap("envelope: public key set larger than "+strconv.Itoa(MaxPublicKeySetSize)+" bytes: ", ErrInvalidKeySet, "")
	}
	err := CheckJSON(jwks)
	switch {
	case err == ErrDuplicateMember || err == ErrTooDeep:
		return nil, wrap("envelope: key set: "+err.Error()+": ", ErrInvalidKeySet, "")
	case err != nil:
		return nil, wrap("envelope: key set: malformed JSON: ", ErrInvalidKeySet, "")
	}
	top, err := Object(jwks)
	if err != nil {
		return nil, wrap("envelope: key set: not a JSON object: ", ErrInvalidKeySet, "")
	}
	raw, ok := top["keys"]
	if !ok {
		return nil, wrap(`envelope: key set: no "keys" member: `, ErrInvalidKeySet, "")
	}
	keys, err := Array(raw)
	switch {
	case err != nil:
		return nil, wrap(`envelope: key set: "keys": not a JSON array: `, ErrInvalidKeySet, "")
	case len(keys) == 0 || len(keys) > MaxKeys:
		return nil, wrap("envelope: key set: "+strconv.Itoa(len(keys))+" keys, want 1 to "+strconv.Itoa(MaxKeys)+": ", ErrInvalidKeySet, "")
	}
	p := &PublicKeySet{}
	seen := make(map[string]bool)
	for i, raw := range keys {
		k, err := Object(raw)
		if err != nil {
			return nil, KeySetError(i, "not a JSON object")
		}
		if _, ok := k["d"]; ok {
			return nil, KeySetError(i, `has private key material "d"; publish only public keys`)
		}
		kid, x, err := ParsePublicJWK(RawMember(k))
		if err != nil {
			return nil, KeySetError(i, err.Error())
		}
		if seen[kid] {
			return nil, KeySetError(i, "duplicate kid")
		}
		seen[kid] = true
		if err := CheckPublicKey(x); err != nil {
			return nil, KeySetError(i, err.Error())
		}
		p.Keys = append(p.Keys, PublicKey{KeyID: kid, X: x})
	}
	return p, nil
}

// A Member looks up a member of a JWK: its value if it is a JSON string,
// whether it is present, and whether it is a string.
type Member func(name string) (s string, present, isString bool)

// RawMember is a member lookup in an object read by [Object].
func RawMember(m map[string]jsontext.Value) Member {
	return func(name string) (string, bool, bool) {
		raw, ok := m[name]
		if !ok {
			return "", false, false
		}
		s, ok := JSONString(raw)
		return s, true, ok
	}
}

// ParsePublicJWK checks the public members of an X25519 JWK. Its errors
// name members, never their values.
func ParsePublicJWK(m Member) (kid string, x []byte, err error) {
	str := func(name string) (string, error) {
		s, present, isString := m(name)
		if !present {
			return "", errors.New(`no "` + name + `"`)
		}
		if !isString {
			return "", errors.New(`"` + name + `" is not a string`)
		}
		return s, nil
	}
	kty, err := str("kty")
	if err != nil {
		return "", nil, err
	}
	if kty != "OKP" {
		return "", nil, errors.New(`kty is not "OKP"`)
	}
	crv, err := str("crv")
	if err != nil {
		return "", nil, err
	}
	if crv != "X25519" {
		return "", nil, errors.New(`crv is not "X25519"`)
	}
	if _, present, _ := m("use"); present {
		use, err := str("use")
		if err != nil {
			return "", nil, err
		}
		if use != "enc" {
			return "", nil, errors.New(`use is not "enc"`)
		}
	}
	xs, err := str("x")
	if err != nil {
		return "", nil, err
	}
	x, ok := DecodeB64(xs)
	if !ok || len(x) != X25519Size {
		return "", nil, errors.New("x is not the canonical base64url of 32 bytes")
	}
	kid, err = str("kid")
	if err != nil {
		return "", nil, err
	}
	if kid != Thumbprint(x) {
		return "", nil, errors.New("kid is not the RFC 7638 thumbprint of x")
	}
	return kid, x, nil
}

// KeySetError is the [ErrInvalidKeySet] for key i of a set, with detail
// naming what is wrong (never a value).
func KeySetError(i int, detail string) error {
	return wrap("envelope: key set: key "+strconv.Itoa(i)+": "+detail+": ", ErrInvalidKeySet, "")
}
