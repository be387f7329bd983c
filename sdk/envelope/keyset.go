package envelope

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/sealpay/sealpay/sdk/internal/sealer"
)

// Key statuses, as written in key set files and [KeyInfo].
const (
	statusPrimary = "primary"
	statusEnabled = "enabled"
	statusRetired = "retired"
)

// maxKeys bounds the keys in one set, retired ones included.
const maxKeys = sealer.MaxKeys

// A KeySet is the edge's set of X25519 private keys. Exactly one key is the
// primary, which [Seal] uses through [KeySet.Public]; enabled keys still open
// envelopes; retired keys do not. Rotate like Tink: [KeySet.Rotate] (or
// [KeySet.Add] then [KeySet.Promote]), then [KeySet.Retire] the old primary
// once no envelope sealed to it can still be valid: the longest envelope
// lifetime (1 h) plus clock skew (5 min) plus how long clients cache the
// published JWK Set.
//
// [Open] may run concurrently; the methods that change the set must not run
// concurrently with anything else. String redacts; the key bytes leave only
// through [KeySet.MarshalPrivate].
type KeySet struct {
	keys []*privateKey // in the order of the file; one has statusPrimary
}

type privateKey struct {
	kid     string
	d       []byte // RFC 8037 "d": the X25519 private key, as generated
	x       []byte
	sk      hpke.PrivateKey
	status  string
	created time.Time
	retired time.Time // zero unless retired
}

// KeyInfo describes one key of a [KeySet], without key bytes.
type KeyInfo struct {
	KeyID   string
	Status  string    // "primary", "enabled" or "retired"
	Created time.Time // UTC, whole seconds
	Retired time.Time // zero unless Status is "retired"
}

// GenerateKeySet returns a key set with one fresh X25519 key, the primary.
func GenerateKeySet() (*KeySet, error) {
	k, err := generateKey(time.Now())
	if err != nil {
		return nil, err
	}
	k.status = statusPrimary
	return &KeySet{keys: []*privateKey{k}}, nil
}

func generateKey(now time.Time) (*privateKey, error) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("envelope: generating a key: %w", err)
	}
	return newKey(priv.Bytes(), statusEnabled, now.UTC().Truncate(time.Second), time.Time{})
}

// newKey builds a key from its private bytes, deriving the public key and
// the key ID.
func newKey(d []byte, status string, created, retired time.Time) (*privateKey, error) {
	sk, x, err := v1Suite.newPrivateKey(d)
	if err != nil {
		return nil, err
	}
	// A private key whose public key is low order cannot exist: clamping
	// makes every scalar a multiple of 8 times a generator of prime order.
	// CheckPublicKey checks anyway, so both halves of a key pass one rule.
	if err := sealer.CheckPublicKey(x); err != nil {
		return nil, err
	}
	return &privateKey{
		kid:     sealer.Thumbprint(x),
		d:       append([]byte(nil), d...),
		x:       x,
		sk:      sk,
		status:  status,
		created: created,
		retired: retired,
	}, nil
}

// Add generates a new key and adds it as an enabled key. It never makes the
// new key primary: call [KeySet.Promote] once the new public key set has
// been published.
func (ks *KeySet) Add() (kid string, err error) {
	if len(ks.keys) >= maxKeys {
		return "", fmt.Errorf("envelope: key set already has %d keys; remove retired ones: %w", maxKeys, ErrInvalidKeySet)
	}
	k, err := generateKey(time.Now())
	if err != nil {
		return "", err
	}
	ks.keys = append(ks.keys, k)
	return k.kid, nil
}

// Promote makes the enabled key kid the primary; the old primary stays
// enabled. Retired keys cannot come back.
func (ks *KeySet) Promote(kid string) error {
	k := ks.find(kid)
	if k == nil {
		return fmt.Errorf("envelope: promote: no key %q: %w", kid, ErrUnknownKey)
	}
	if k.status == statusRetired {
		return fmt.Errorf("envelope: promote: key %q is retired: %w", kid, ErrUnknownKey)
	}
	if p := ks.primary(); p != nil {
		p.status = statusEnabled
	}
	k.status = statusPrimary
	return nil
}

// Rotate adds a new key and makes it the primary. The old primary stays
// enabled until [KeySet.Retire].
func (ks *KeySet) Rotate() (kid string, err error) {
	kid, err = ks.Add()
	if err != nil {
		return "", err
	}
	return kid, ks.Promote(kid)
}

// Retire disables key kid: it no longer opens envelopes and is no longer
// published. The primary cannot be retired. Retiring a retired key does
// nothing.
func (ks *KeySet) Retire(kid string) error {
	k := ks.find(kid)
	if k == nil {
		return fmt.Errorf("envelope: retire: no key %q: %w", kid, ErrUnknownKey)
	}
	switch k.status {
	case statusPrimary:
		return fmt.Errorf("envelope: retire: key %q is the primary: %w", kid, ErrPrimaryKey)
	case statusEnabled:
		k.status = statusRetired
		k.retired = time.Now().UTC().Truncate(time.Second)
	}
	return nil
}

// Remove deletes key kid from the set for good. Only retired keys can be
// removed.
func (ks *KeySet) Remove(kid string) error {
	for i, k := range ks.keys {
		if k.kid != kid {
			continue
		}
		switch k.status {
		case statusPrimary:
			return fmt.Errorf("envelope: remove: key %q is the primary: %w", kid, ErrPrimaryKey)
		case statusEnabled:
			return fmt.Errorf("envelope: remove: key %q is not retired: %w", kid, ErrInvalidKeySet)
		}
		ks.keys = append(ks.keys[:i], ks.keys[i+1:]...)
		return nil
	}
	return fmt.Errorf("envelope: remove: no key %q: %w", kid, ErrUnknownKey)
}

// Keys lists the keys in the set, in file order.
func (ks *KeySet) Keys() []KeyInfo {
	out := make([]KeyInfo, len(ks.keys))
	for i, k := range ks.keys {
		out[i] = KeyInfo{KeyID: k.kid, Status: k.status, Created: k.created, Retired: k.retired}
	}
	return out
}

// Public returns the public key set to publish: the primary first, then the
// other enabled keys. Retired keys are left out.
func (ks *KeySet) Public() *PublicKeySet {
	p := &PublicKeySet{}
	if pk := ks.primary(); pk != nil {
		p.set.Keys = append(p.set.Keys, sealer.PublicKey{KeyID: pk.kid, X: pk.x})
	}
	for _, k := range ks.keys {
		if k.status == statusEnabled {
			p.set.Keys = append(p.set.Keys, sealer.PublicKey{KeyID: k.kid, X: k.x})
		}
	}
	return p
}

// String describes the set without key material.
func (ks *KeySet) String() string {
	if ks == nil {
		return "envelope.KeySet(nil)"
	}
	kid := ""
	if p := ks.primary(); p != nil {
		kid = p.kid
	}
	return fmt.Sprintf("envelope.KeySet{%d keys, primary %s, private keys redacted}", len(ks.keys), kid)
}

// GoString redacts like String, for %#v.
func (ks *KeySet) GoString() string { return ks.String() }

// opener returns the enabled or primary key with ID kid, or nil.
func (ks *KeySet) opener(kid string) *privateKey {
	if ks == nil {
		return nil
	}
	if k := ks.find(kid); k != nil && k.status != statusRetired {
		return k
	}
	return nil
}

func (ks *KeySet) find(kid string) *privateKey {
	for _, k := range ks.keys {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

func (ks *KeySet) primary() *privateKey {
	for _, k := range ks.keys {
		if k.status == statusPrimary {
			return k
		}
	}
	return nil
}
