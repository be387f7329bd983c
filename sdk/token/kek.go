package token

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// A KEK (key-encryption key) wraps the vault's data keys. It is the vault's
// extension point: [NewLocalKEK] keeps the secret in the process (a Worker
// secret, a file), and an implementation backed by a cloud KMS keeps it out
// of the process entirely. The vault calls a KEK only to wrap a fresh data
// key or to unwrap one it has not cached, so a remote KEK costs one call
// per data key per process, not one per card.
//
// Implementations must be safe for concurrent use. Check one with
// tokentest.TestKEK.
type KEK interface {
	// ID names this KEK version. It is stored with every row sealed under
	// the KEK, so it must never change: 1 to 64 characters from
	// [A-Za-z0-9._-].
	ID() string

	// Wrap encrypts key, binding it to additionalData, and returns a
	// self-contained ciphertext.
	Wrap(ctx context.Context, key, additionalData []byte) ([]byte, error)

	// Unwrap reverses Wrap. It fails if wrapped or additionalData differ
	// from what Wrap was given or saw, without saying which.
	Unwrap(ctx context.Context, wrapped, additionalData []byte) ([]byte, error)
}

// minSecret is the shortest secret NewLocalKEK accepts: 256 bits.
const minSecret = 32

// kekInfo is the HKDF info prefix for a local KEK's wrapping key; the KEK ID
// follows it, so one secret under two IDs gives two unrelated keys.
const kekInfo = "sealpay/vault/v1/local-kek "

// NewLocalKEK returns a KEK whose wrapping key is derived from secret with
// HKDF-SHA256 (info "sealpay/vault/v1/local-kek " and id) and which wraps
// with XChaCha20-Poly1305 under a random nonce. secret must hold at least 32
// bytes from a CSPRNG (for example `openssl rand -base64 32`, stored as a
// Worker secret); it is copied.
func NewLocalKEK(id string, secret []byte) (KEK, error) {
	if !validKEKID(id) {
		return nil, fmt.Errorf("token: KEK id must be 1 to 64 characters from [A-Za-z0-9._-]: %w", errBadRequest)
	}
	if len(secret) < minSecret {
		return nil, fmt.Errorf("token: KEK secret has %d bytes, want at least %d: %w", len(secret), minSecret, errBadRequest)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, kekInfo+id, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("token: deriving KEK: %w", errInternal)
	}
	return &localKEK{id: id, key: key}, nil
}

type localKEK struct {
	id  string
	key []byte
}

func (k *localKEK) ID() string { return k.id }

// String redacts the key.
func (k *localKEK) String() string { return "token.LocalKEK(" + k.id + ")" }

// GoString redacts the key from %#v too.
func (k *localKEK) GoString() string { return k.String() }

var errUnwrap = errors.New("token: KEK cannot unwrap this key")

func (k *localKEK) Wrap(_ context.Context, key, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k.key)
	if err != nil {
		return nil, err
	}
	// A random 24-byte nonce is safe for any number of wraps under one key:
	// collisions are negligible at 2⁹⁶ messages.
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(key)+aead.Overhead())
	rand.Read(out)
	return aead.Seal(out, out, key, ad), nil
}

func (k *localKEK) Unwrap(_ context.Context, wrapped, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k.key)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < aead.NonceSize()+aead.Overhead() {
		return nil, errUnwrap
	}
	n := aead.NonceSize()
	key, err := aead.Open(nil, wrapped[:n], wrapped[n:], ad)
	if err != nil {
		return nil, errUnwrap
	}
	return key, nil
}

func validKEKID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// A KEKSet is the vault's KEKs: one primary, which seals every new row, and
// older versions that still open the rows sealed under them until
// [Vault.Rewrap] has moved those rows to the primary.
//
// Rotation, without downtime, across many processes:
//  1. deploy NewKEKSet(old, new): every process can read rows of both;
//  2. deploy NewKEKSet(new, old): new rows use the new KEK;
//  3. call [Vault.Rewrap] until it returns 0;
//  4. deploy NewKEKSet(new) and destroy the old secret.
type KEKSet struct {
	primary KEK
	byID    map[string]KEK
	others  []KEK
}

// NewKEKSet returns a set whose primary is primary. IDs must be valid and
// distinct.
func NewKEKSet(primary KEK, others ...KEK) (*KEKSet, error) {
	s := &KEKSet{primary: primary, byID: map[string]KEK{}}
	for i, k := range append([]KEK{primary}, others...) {
		if k == nil {
			return nil, fmt.Errorf("token: KEK %d is nil: %w", i, errBadRequest)
		}
		id := k.ID()
		if !validKEKID(id) {
			return nil, fmt.Errorf("token: KEK %d has an invalid id: %w", i, errBadRequest)
		}
		if _, dup := s.byID[id]; dup {
			return nil, fmt.Errorf("token: KEK id %q appears twice: %w", id, errBadRequest)
		}
		s.byID[id] = k
		if i > 0 {
			s.others = append(s.others, k)
		}
	}
	return s, nil
}
