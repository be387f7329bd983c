package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// Size limits for key set documents.
const maxPrivateKeySetSize = 256 << 10

// A PublicKeySet is the public half of a [KeySet]: the JWK Set the edge
// publishes and browsers seal to. Its first key is the primary.
type PublicKeySet struct {
	set sealer.PublicKeySet
}

// ParsePublicKeySet parses a JWK Set ([RFC 7517]) of X25519 keys ([RFC 8037]):
//
//	{"keys":[{"kty":"OKP","crv":"X25519","use":"enc","kid":"...","x":"..."}]}
//
// The first key is the primary. Each key needs kty "OKP", crv "X25519",
// kid equal to the RFC 7638 thumbprint of x, and x the canonical base64url
// of a 32-byte public key that is not a low-order point; "use", if present,
// must be "enc". It refuses duplicate JSON members, invalid UTF-8, duplicate
// key IDs and any key carrying "d" (private key material). Other members are
// ignored, as RFC 7517 asks.
//
// [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517.html
// [RFC 8037]: https://www.rfc-editor.org/rfc/rfc8037.html
func ParsePublicKeySet(jwks []byte) (*PublicKeySet, error) {
	set, err := sealer.ParsePublicKeySet(jwks)
	if err != nil {
		return nil, err
	}
	return &PublicKeySet{set: *set}, nil
}

// keySetMembers checks a JWK Set document and returns its "keys" elements.
// strict refuses top-level members other than "keys".
func keySetMembers(b []byte, strict bool) ([]jsontext.Value, error) {
	top, err := sealer.ParseObject(b)
	if err != nil {
		return nil, fmt.Errorf("envelope: key set: %v: %w", err, ErrInvalidKeySet)
	}
	if strict {
		for name := range top {
			if name != "keys" {
				return nil, fmt.Errorf("envelope: key set: unknown member %q: %w", name, ErrInvalidKeySet)
			}
		}
	}
	raw, ok := top["keys"]
	if !ok {
		return nil, fmt.Errorf(`envelope: key set: no "keys" member: %w`, ErrInvalidKeySet)
	}
	raws, err := sealer.Array(raw)
	if err != nil {
		return nil, fmt.Errorf(`envelope: key set: "keys": %v: %w`, err, ErrInvalidKeySet)
	}
	if len(raws) == 0 || len(raws) > maxKeys {
		return nil, fmt.Errorf("envelope: key set: %d keys, want 1 to %d: %w", len(raws), maxKeys, ErrInvalidKeySet)
	}
	return raws, nil
}

// jwk is the JSON shape of one key; the private members stay empty in
// public key sets.
type jwk struct {
	Kty     string `json:"kty"`
	Crv     string `json:"crv"`
	Use     string `json:"use"`
	Kid     string `json:"kid"`
	X       string `json:"x"`
	D       string `json:"d,omitempty"`
	Status  string `json:"status,omitempty"`
	Created string `json:"created,omitempty"`
	Retired string `json:"retired,omitempty"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// MarshalJSON returns the JWK Set, primary first:
//
//	{"keys":[{"kty":"OKP","crv":"X25519","use":"enc","kid":"...","x":"..."}]}
func (p *PublicKeySet) MarshalJSON() ([]byte, error) {
	set := jwkSet{Keys: make([]jwk, len(p.set.Keys))}
	for i, k := range p.set.Keys {
		set.Keys[i] = jwk{Kty: "OKP", Crv: "X25519", Use: "enc", Kid: k.KeyID, X: sealer.B64.EncodeToString(k.X)}
	}
	return json.Marshal(set)
}

// KeyIDs returns the key IDs in the set, primary first.
func (p *PublicKeySet) KeyIDs() []string {
	out := make([]string, len(p.set.Keys))
	for i, k := range p.set.Keys {
		out[i] = k.KeyID
	}
	return out
}

// ParseKeySet parses a private key set file: a JWK Set whose keys carry, on
// top of the public members, the private key "d" (RFC 8037) and Sealpay's
// "status" ("primary", "enabled" or "retired"), "created" and, for retired
// keys, "retired" (RFC 3339 UTC times). Parsing is strict: unknown or
// duplicate members, an x that does not match d, a kid that is not x's
// thumbprint, duplicate keys, and anything but exactly one primary are
// refused.
func ParseKeySet(b []byte) (*KeySet, error) {
	if len(b) > maxPrivateKeySetSize {
		return nil, fmt.Errorf("envelope: key set larger than %d bytes: %w", maxPrivateKeySetSize, ErrInvalidKeySet)
	}
	raws, err := keySetMembers(b, true)
	if err != nil {
		return nil, err
	}
	ks := &KeySet{}
	primaries := 0
	for i, raw := range raws {
		m, err := sealer.Object(raw)
		if err != nil {
			return nil, sealer.KeySetError(i, err.Error())
		}
		k, err := parsePrivateJWK(m)
		if err != nil {
			return nil, sealer.KeySetError(i, err.Error())
		}
		if ks.find(k.kid) != nil {
			return nil, sealer.KeySetError(i, "duplicate kid")
		}
		if k.status == statusPrimary {
			primaries++
		}
		ks.keys = append(ks.keys, k)
	}
	if primaries != 1 {
		return nil, fmt.Errorf("envelope: key set: %d primary keys, want 1: %w", primaries, ErrInvalidKeySet)
	}
	return ks, nil
}

var privateMembers = map[string]bool{
	"kty": true, "crv": true, "use": true, "kid": true, "x": true,
	"d": true, "status": true, "created": true, "retired": true,
}

func parsePrivateJWK(m map[string]jsontext.Value) (*privateKey, error) {
	for name := range m {
		if !privateMembers[name] {
			return nil, fmt.Errorf("unknown member %q", name)
		}
	}
	kid, x, err := sealer.ParsePublicJWK(sealer.RawMember(m))
	if err != nil {
		return nil, err
	}
	str := func(name string) (string, bool) {
		raw, ok := m[name]
		if !ok {
			return "", false
		}
		return sealer.JSONString(raw)
	}
	ds, ok := str("d")
	if !ok {
		return nil, errors.New(`no private key "d"`)
	}
	d, ok := sealer.DecodeB64(ds)
	if !ok || len(d) != sealer.X25519Size {
		return nil, errors.New("d is not the canonical base64url of 32 bytes")
	}
	status, _ := str("status")
	if status != statusPrimary && status != statusEnabled && status != statusRetired {
		return nil, errors.New(`status is not "primary", "enabled" or "retired"`)
	}
	created, err := parseTime(m, "created")
	if err != nil {
		return nil, err
	}
	var retired time.Time
	_, hasRetired := m["retired"]
	switch {
	case status == statusRetired:
		if retired, err = parseTime(m, "retired"); err != nil {
			return nil, err
		}
	case hasRetired:
		return nil, errors.New(`"retired" on a key that is not retired`)
	}
	k, err := newKey(d, status, created, retired)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(k.x, x) {
		return nil, errors.New("x is not the public key of d")
	}
	if k.kid != kid {
		return nil, errors.New("kid is not the RFC 7638 thumbprint of x") // unreachable: x matched
	}
	return k, nil
}

// parseTime reads an RFC 3339 time member, in UTC with whole seconds.
func parseTime(m map[string]jsontext.Value, name string) (time.Time, error) {
	raw, ok := m[name]
	if !ok {
		return time.Time{}, fmt.Errorf("no %q", name)
	}
	s, ok := sealer.JSONString(raw)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a string", name)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Format(time.RFC3339) != s || t.Location() != time.UTC {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 UTC time like 2026-01-02T15:04:05Z", name)
	}
	return t, nil
}

// MarshalPrivate encodes the key set as a private key set file, which
// [ParseKeySet] reads. The output holds private keys: write it only with
// [WriteKeySetFile] or to equally protected storage, and never log it.
func (ks *KeySet) MarshalPrivate() ([]byte, error) {
	if ks.primary() == nil {
		return nil, fmt.Errorf("envelope: key set has no primary key: %w", ErrInvalidKeySet)
	}
	set := jwkSet{Keys: make([]jwk, len(ks.keys))}
	for i, k := range ks.keys {
		set.Keys[i] = jwk{
			Kty: "OKP", Crv: "X25519", Use: "enc", Kid: k.kid,
			X:       sealer.B64.EncodeToString(k.x),
			D:       sealer.B64.EncodeToString(k.d),
			Status:  k.status,
			Created: k.created.UTC().Format(time.RFC3339),
		}
		if k.status == statusRetired {
			set.Keys[i].Retired = k.retired.UTC().Format(time.RFC3339)
		}
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
