// Package tokentest checks [token.KEK] implementations and provides a fake
// KMS for tests.
//
// Call [TestKEK] from a test of every KEK implementation; use [FakeKMS] to
// exercise the vault against a KEK that is not the local one, including
// outages.
package tokentest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sealpay/sealpay/sdk/token"
)

// TestKEK runs the conformance checks the vault relies on against KEKs
// made by newKEK. Each call of newKEK must return a KEK with an
// independent secret (and may reuse the ID).
func TestKEK(t *testing.T, newKEK func(t *testing.T) token.KEK) {
	ctx := context.Background()
	t.Run("ID", func(t *testing.T) {
		k := newKEK(t)
		id := k.ID()
		if !validID(id) {
			t.Fatalf("ID() = %q, want 1 to 64 characters from [A-Za-z0-9._-]", id)
		}
		if got := k.ID(); got != id {
			t.Errorf("ID() changed between calls: %q, then %q", id, got)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		k := newKEK(t)
		for _, size := range []int{16, 32, 64} {
			key := randomBytes(size)
			ad := []byte("sealpay/test ad")
			w, err := k.Wrap(ctx, key, ad)
			if err != nil {
				t.Fatalf("Wrap(%d-byte key) error: %v", size, err)
			}
			if bytes.Contains(w, key) {
				t.Errorf("Wrap(%d-byte key) output contains the key", size)
			}
			got, err := k.Unwrap(ctx, w, ad)
			if err != nil {
				t.Fatalf("Unwrap(Wrap(%d-byte key)) error: %v", size, err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("Unwrap(Wrap(key)) differs from key (%d bytes, want %d)", len(got), size)
			}
		}
	})
	t.Run("CopiesInput", func(t *testing.T) {
		k := newKEK(t)
		key, ad := randomBytes(32), []byte("ad")
		want := bytes.Clone(key)
		w, err := k.Wrap(ctx, key, ad)
		if err != nil {
			t.Fatal(err)
		}
		key[0] ^= 1 // the caller reuses its buffer
		got, err := k.Unwrap(ctx, w, ad)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Error("Unwrap returned different bytes after the caller changed its input to Wrap")
		}
	})
	t.Run("AdditionalData", func(t *testing.T) {
		k := newKEK(t)
		key := randomBytes(32)
		w, err := k.Wrap(ctx, key, []byte("sealpay/vault/v1 kek-1 seal"))
		if err != nil {
			t.Fatal(err)
		}
		for _, ad := range [][]byte{nil, []byte("sealpay/vault/v1 kek-1 sea"), []byte("sealpay/vault/v1 kek-2 seal"), []byte("sealpay/vault/v1 kek-1 seal\x00")} {
			if _, err := k.Unwrap(ctx, w, ad); err == nil {
				t.Errorf("Unwrap with additional data %q succeeded, want an error", ad)
			}
		}
	})
	t.Run("Tampering", func(t *testing.T) {
		k := newKEK(t)
		key, ad := randomBytes(32), []byte("ad")
		w, err := k.Wrap(ctx, key, ad)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(w) * 8 {
			bad := bytes.Clone(w)
			bad[i/8] ^= 1 << (i % 8)
			if _, err := k.Unwrap(ctx, bad, ad); err == nil {
				t.Fatalf("Unwrap with bit %d flipped succeeded, want an error", i)
			}
		}
		for _, bad := range [][]byte{nil, {}, w[:len(w)-1], w[:len(w)/2], append(bytes.Clone(w), 0)} {
			if _, err := k.Unwrap(ctx, bad, ad); err == nil {
				t.Errorf("Unwrap of a %d-byte ciphertext (wrapped is %d bytes) succeeded, want an error", len(bad), len(w))
			}
		}
	})
	t.Run("Independent", func(t *testing.T) {
		a, b := newKEK(t), newKEK(t)
		w, err := a.Wrap(ctx, randomBytes(32), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Unwrap(ctx, w, nil); err == nil {
			t.Error("a second KEK from newKEK unwrapped the first one's key, want an error")
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		k := newKEK(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Go(func() {
				for range 20 {
					key, ad := randomBytes(32), randomBytes(8)
					w, err := k.Wrap(ctx, key, ad)
					if err != nil {
						errs <- err
						return
					}
					got, err := k.Unwrap(ctx, w, ad)
					if err != nil || !bytes.Equal(got, key) {
						errs <- fmt.Errorf("concurrent round trip failed: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// ErrUnavailable is returned by a [FakeKMS] KEK while the KMS is down.
var ErrUnavailable = errors.New("tokentest: fake KMS unavailable")

// FakeKMS is an in-memory stand-in for a cloud KMS, in the manner of Tink's
// fakekms: key material never leaves it, KEKs are handles that call it, and
// it counts calls and can be taken down. It wraps with AES-256-GCM, unlike
// [token.NewLocalKEK], so that tests see a second, independent KEK
// implementation. Not for production.
type FakeKMS struct {
	mu    sync.Mutex
	keys  map[string]cipher.AEAD
	down  atomic.Bool
	calls atomic.Int64
}

// NewFakeKMS returns an empty fake KMS.
func NewFakeKMS() *FakeKMS { return &FakeKMS{keys: map[string]cipher.AEAD{}} }

// KEK returns a handle to the KMS key named id, creating the key on first use.
func (k *FakeKMS) KEK(id string) token.KEK {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys[id] == nil {
		block, _ := aes.NewCipher(randomBytes(32))
		k.keys[id], _ = cipher.NewGCM(block)
	}
	return &fakeKEK{kms: k, id: id}
}

// SetDown makes every call fail with [ErrUnavailable] (true) or work again.
func (k *FakeKMS) SetDown(down bool) { k.down.Store(down) }

// Calls returns how many Wrap and Unwrap calls the KMS has served.
func (k *FakeKMS) Calls() int { return int(k.calls.Load()) }

func (k *FakeKMS) aead(id string) (cipher.AEAD, error) {
	if k.down.Load() {
		return nil, ErrUnavailable
	}
	k.calls.Add(1)
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[id], nil
}

type fakeKEK struct {
	kms *FakeKMS
	id  string
}

func (f *fakeKEK) ID() string { return f.id }

func (f *fakeKEK) Wrap(_ context.Context, key, ad []byte) ([]byte, error) {
	aead, err := f.kms.aead(f.id)
	if err != nil {
		return nil, err
	}
	nonce := randomBytes(aead.NonceSize())
	return aead.Seal(nonce, nonce, key, ad), nil
}

func (f *fakeKEK) Unwrap(_ context.Context, wrapped, ad []byte) ([]byte, error) {
	aead, err := f.kms.aead(f.id)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(wrapped) < n+aead.Overhead() {
		return nil, errors.New("tokentest: fake KMS: ciphertext too short")
	}
	key, err := aead.Open(nil, wrapped[:n], wrapped[n:], ad)
	if err != nil {
		return nil, errors.New("tokentest: fake KMS: cannot unwrap")
	}
	return key, nil
}
