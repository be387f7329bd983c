package qr

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"
)

type rfc8032Case struct {
	Name      string `json:"name"`
	SecretKey string `json:"secret_key"`
	PublicKey string `json:"public_key"`
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

func loadRFC8032(t testing.TB) []rfc8032Case {
	t.Helper()
	b, err := os.ReadFile("testdata/ed25519/rfc8032.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []rfc8032Case }
	if err := json.Unmarshal(b, &f); err != nil || len(f.Cases) == 0 {
		t.Fatalf("testdata/ed25519/rfc8032.json: %v", err)
	}
	return f.Cases
}

// verifyWith runs verifyKey.verify on pub, msg and sig as crypto/ed25519
// takes them.
func verifyWith(t testing.TB, pub ed25519.PublicKey, msg, sig []byte) bool {
	t.Helper()
	var k verifyKey
	if err := k.set(pub); err != nil {
		t.Fatalf("set(%x) = %v", pub, err)
	}
	if len(sig) != ed25519.SignatureSize {
		return false
	}
	var s [ed25519.SignatureSize]byte
	copy(s[:], sig)
	hram := append(append(append([]byte{}, sig[:32]...), pub...), msg...)
	return k.verify(hram, &s)
}

func TestVerifyKeyRFC8032(t *testing.T) {
	for _, tc := range loadRFC8032(t) {
		t.Run(tc.Name, func(t *testing.T) {
			seed, pub, msg, sig := mustHex(tc.SecretKey), mustHex(tc.PublicKey), mustHex(tc.Message), mustHex(tc.Signature)
			// The vectors as copied: the key and signature derive from the seed.
			priv := ed25519.NewKeyFromSeed(seed)
			if !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) || !bytes.Equal(ed25519.Sign(priv, msg), sig) {
				t.Fatal("vector does not match crypto/ed25519's key and signature for its seed")
			}
			if !verifyWith(t, pub, msg, sig) {
				t.Error("verify = false, want true")
			}
			for i := 0; i < len(sig)*8; i += 7 {
				bad := bytes.Clone(sig)
				bad[i/8] ^= 1 << (i % 8)
				if verifyWith(t, pub, msg, bad) {
					t.Errorf("verify with bit %d of the signature flipped = true", i)
				}
			}
			if verifyWith(t, pub, append(bytes.Clone(msg), 0), sig) {
				t.Error("verify of a longer message = true")
			}
		})
	}
}

// TestVerifyKeyDifferential checks verifyKey.verify against crypto/ed25519
// on valid signatures and on the malleations a verifier must refuse: a
// flipped bit anywhere, S + L (a non-canonical scalar), high bits set in
// S, and R replaced by points of small order.
func TestVerifyKeyDifferential(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'s', 'e', 'a', 'l', 'p', 'a', 'y'}))
	seed := make([]byte, 32)
	small := smallOrderEncodings(t)
	n := 300
	if testing.Short() {
		n = 30
	}
	var agreeTrue, agreeFalse int
	for i := range n {
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed)
		pub := priv.Public().(ed25519.PublicKey)
		msg := make([]byte, rng.IntN(600))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		sig := ed25519.Sign(priv, msg)
		variants := [][]byte{sig}
		flip := bytes.Clone(sig)
		bit := rng.IntN(512)
		flip[bit/8] ^= 1 << (bit % 8)
		variants = append(variants, flip, addL(sig))
		high := bytes.Clone(sig)
		high[63] |= 0x80
		variants = append(variants, high)
		r := bytes.Clone(sig)
		copy(r, small[i%len(small)])
		variants = append(variants, r)
		for k, v := range variants {
			want := ed25519.Verify(pub, msg, v)
			if got := verifyWith(t, pub, msg, v); got != want {
				t.Fatalf("key %d, variant %d: verify = %v, crypto/ed25519 says %v", i, k, got, want)
			}
			if want {
				agreeTrue++
			} else {
				agreeFalse++
			}
		}
	}
	if agreeTrue < n || agreeFalse < 3*n {
		t.Errorf("%d valid and %d invalid signatures, want at least %d and %d", agreeTrue, agreeFalse, n, 3*n)
	}
}

// addL returns sig with L added to S: the same signature as a group
// element, with a non-canonical scalar.
func addL(sig []byte) []byte {
	out := bytes.Clone(sig)
	l := [32]byte{
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	var carry uint16
	for i := range 32 {
		sum := uint16(out[32+i]) + uint16(l[i]) + carry
		out[32+i], carry = byte(sum), sum>>8
	}
	return out
}

func TestVerifyKeyHashInput(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(testSeed("hram"))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("sealpay")
	sig := ed25519.Sign(priv, msg)
	var k verifyKey
	if err := k.set(pub); err != nil {
		t.Fatal(err)
	}
	var s [64]byte
	copy(s[:], sig)
	other := ed25519.NewKeyFromSeed(testSeed("other")).Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name string
		hram []byte
		want bool
	}{
		{"R ‖ A ‖ M", append(append(append([]byte{}, sig[:32]...), pub...), msg...), true},
		{"another key in the hash", append(append(append([]byte{}, sig[:32]...), other...), msg...), false},
		{"another R in the hash", append(append(append([]byte{}, make([]byte, 32)...), pub...), msg...), false},
		{"short", sig[:40], false},
	} {
		if got := k.verify(tc.hram, &s); got != tc.want {
			t.Errorf("%s: verify = %v, want %v", tc.name, got, tc.want)
		}
	}
	if err := k.set(pub[:31]); err == nil {
		t.Error("set(31 bytes) = nil, want an error")
	}
}

// FuzzVerifyKey compares verifyKey.verify with crypto/ed25519.Verify on
// arbitrary messages and signatures under the RFC 8032 keys.
func FuzzVerifyKey(f *testing.F) {
	cases := loadRFC8032(f)
	for i, tc := range cases {
		f.Add(uint8(i), mustHex(tc.Message), mustHex(tc.Signature))
	}
	f.Fuzz(func(t *testing.T, key uint8, msg, sig []byte) {
		pub := ed25519.PublicKey(mustHex(cases[int(key)%len(cases)].PublicKey))
		want := ed25519.Verify(pub, msg, sig)
		if got := verifyWith(t, pub, msg, sig); got != want {
			t.Fatalf("verify = %v, crypto/ed25519 says %v", got, want)
		}
	})
}
