package googlepay

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Key statuses, as in the envelope key set: the primary is the key a
// merchant publishes (GET /v1/wallets) and Google encrypts to; enabled
// keys still decrypt; retired keys do not.
const (
	StatusPrimary = "primary"
	StatusEnabled = "enabled"
	StatusRetired = "retired"
)

// maxKeys bounds the keys in one set.
const maxKeys = 256

// A KeySet holds merchants' Google Pay decryption keys: P-256 private
// keys, each for one merchant (its Sealpay merchant id), one of a
// merchant's keys its primary. It is stored as a JWK Set (RFC 7517, EC
// keys of RFC 7518 §6.2 with "d"), with two members of its own per key:
// "mid" (the merchant) and "status".
//
//	{"keys":[{"kty":"EC","crv":"P-256","kid":"…","mid":"m_shop","status":"primary","x":"…","y":"…","d":"…"}]}
//
// Rotate like the envelope keys: [KeySet.Add] a key, register its public
// key with Google and [KeySet.Promote] it, then [KeySet.Retire] the old
// one once Google no longer encrypts to it. String redacts; key bytes
// leave only through [KeySet.MarshalPrivate].
type KeySet struct {
	keys []*merchantKey
}

type merchantKey struct {
	kid    string
	mid    string
	status string
	priv   *ecdh.PrivateKey
}

// String names the set's size, never its keys.
func (s *KeySet) String() string { return fmt.Sprintf("googlepay.KeySet{%d keys}", len(s.keys)) }

// NewKeySet returns an empty key set.
func NewKeySet() *KeySet { return &KeySet{} }

// Add generates a key for merchant mid and returns its key id. The first
// key of a merchant becomes its primary; later ones are enabled until
// promoted.
func (s *KeySet) Add(mid string) (string, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("googlepay: generating a key: %w", err)
	}
	return s.AddKey(mid, priv)
}

// AddKey adds priv (a P-256 key) for merchant mid, as [KeySet.Add] does
// with a fresh one: for keys made elsewhere (openssl, Tink's examples).
func (s *KeySet) AddKey(mid string, priv *ecdh.PrivateKey) (string, error) {
	if mid == "" || len(mid) > 128 {
		return "", errors.New("googlepay: a key needs a merchant id of 1 to 128 characters")
	}
	if priv == nil || priv.Curve() != ecdh.P256() {
		return "", errors.New("googlepay: a merchant key must be a P-256 key")
	}
	if len(s.keys) >= maxKeys {
		return "", fmt.Errorf("googlepay: a key set holds at most %d keys", maxKeys)
	}
	k := &merchantKey{kid: keyID(priv.PublicKey()), mid: mid, status: StatusEnabled, priv: priv}
	for _, o := range s.keys {
		if o.kid == k.kid {
			return "", errors.New("googlepay: the key set already holds this key")
		}
	}
	if s.primary(mid) == nil {
		k.status = StatusPrimary
	}
	s.keys = append(s.keys, k)
	return k.kid, nil
}

// keyID names a key by the first 16 bytes of the SHA-256 of its
// uncompressed public point, base64url.
func keyID(pub *ecdh.PublicKey) string {
	h := sha256.Sum256(pub.Bytes())
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// Promote makes key kid its merchant's primary; the old primary stays
// enabled.
func (s *KeySet) Promote(kid string) error {
	k := s.find(kid)
	if k == nil {
		return fmt.Errorf("googlepay: no key %q in the set", kid)
	}
	if k.status == StatusRetired {
		return fmt.Errorf("googlepay: key %q is retired", kid)
	}
	if p := s.primary(k.mid); p != nil {
		p.status = StatusEnabled
	}
	k.status = StatusPrimary
	return nil
}

// Retire stops key kid from decrypting. A primary cannot be retired:
// promote another key first.
func (s *KeySet) Retire(kid string) error {
	k := s.find(kid)
	if k == nil {
		return fmt.Errorf("googlepay: no key %q in the set", kid)
	}
	if k.status == StatusPrimary {
		return fmt.Errorf("googlepay: key %q is its merchant's primary: promote another key first", kid)
	}
	k.status = StatusRetired
	return nil
}

func (s *KeySet) find(kid string) *merchantKey {
	for _, k := range s.keys {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

func (s *KeySet) primary(mid string) *merchantKey {
	for _, k := range s.keys {
		if k.mid == mid && k.status == StatusPrimary {
			return k
		}
	}
	return nil
}

// Merchants returns the merchant ids that have a primary key.
func (s *KeySet) Merchants() []string {
	var out []string
	for _, k := range s.keys {
		if k.status == StatusPrimary {
			out = append(out, k.mid)
		}
	}
	return out
}

// PublicKey returns merchant mid's primary public key as Google's
// tokenizationSpecification of type DIRECT wants it: the uncompressed
// point (65 bytes), base64. It is "" if mid has no key.
func (s *KeySet) PublicKey(mid string) string {
	p := s.primary(mid)
	if p == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(p.priv.PublicKey().Bytes())
}

// decrypters returns mid's keys that decrypt, primary first.
func (s *KeySet) decrypters(mid string) []*ecdh.PrivateKey {
	var out []*ecdh.PrivateKey
	if p := s.primary(mid); p != nil {
		out = append(out, p.priv)
	}
	for _, k := range s.keys {
		if k.mid == mid && k.status == StatusEnabled {
			out = append(out, k.priv)
		}
	}
	return out
}

type jwk struct {
	Kty    string `json:"kty"`
	Crv    string `json:"crv"`
	Kid    string `json:"kid"`
	Mid    string `json:"mid"`
	Status string `json:"status"`
	X      string `json:"x"`
	Y      string `json:"y"`
	D      string `json:"d,omitempty"`
}

// MarshalPrivate returns the key set file: a JWK Set with the private
// keys. Write it with mode 0600.
func (s *KeySet) MarshalPrivate() ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, k := range s.keys {
		pub := k.priv.PublicKey().Bytes()
		set.Keys = append(set.Keys, jwk{Kty: "EC", Crv: "P-256", Kid: k.kid, Mid: k.mid, Status: k.status,
			X: b64u(pub[1:33]), Y: b64u(pub[33:]), D: b64u(k.priv.Bytes())})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(set); err != nil {
		return nil, fmt.Errorf("googlepay: encoding the key set: %w", err)
	}
	return buf.Bytes(), nil
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ParseKeySet parses a key set file written by [KeySet.MarshalPrivate].
// Each merchant must have exactly one primary key; x and y must be the
// public key of d. Errors never show key bytes.
func ParseKeySet(b []byte) (*KeySet, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return nil, errors.New("googlepay: key set is not a JWK Set of P-256 keys")
	}
	if len(set.Keys) > maxKeys {
		return nil, fmt.Errorf("googlepay: a key set holds at most %d keys", maxKeys)
	}
	s := &KeySet{}
	primaries := map[string]int{}
	for i, j := range set.Keys {
		bad := func(what string) error { return fmt.Errorf("googlepay: key %d: %s", i, what) }
		if j.Kty != "EC" || j.Crv != "P-256" {
			return nil, bad(`want "kty":"EC","crv":"P-256"`)
		}
		if j.Mid == "" || len(j.Mid) > 128 {
			return nil, bad(`want "mid", the merchant id`)
		}
		switch j.Status {
		case StatusPrimary, StatusEnabled, StatusRetired:
		default:
			return nil, bad(`"status" must be primary, enabled or retired`)
		}
		d, err := base64.RawURLEncoding.Strict().DecodeString(j.D)
		if err != nil {
			return nil, bad(`"d" is not base64url`)
		}
		priv, err := ecdh.P256().NewPrivateKey(d)
		if err != nil {
			return nil, bad(`"d" is not a P-256 private key`)
		}
		pub := priv.PublicKey().Bytes()
		if j.X != b64u(pub[1:33]) || j.Y != b64u(pub[33:]) {
			return nil, bad(`"x" and "y" are not the public key of "d"`)
		}
		kid := keyID(priv.PublicKey())
		if j.Kid != kid {
			return nil, bad(`"kid" is not the key's id`)
		}
		if s.find(kid) != nil {
			return nil, bad("appears twice")
		}
		if j.Status == StatusPrimary {
			primaries[j.Mid]++
		}
		s.keys = append(s.keys, &merchantKey{kid: kid, mid: j.Mid, status: j.Status, priv: priv})
	}
	for _, k := range s.keys {
		if primaries[k.mid] != 1 {
			return nil, fmt.Errorf("googlepay: merchant %q must have exactly one primary key, has %d", k.mid, primaries[k.mid])
		}
	}
	return s, nil
}
