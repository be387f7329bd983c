package googlepay

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// FuzzOpen feeds tokens to Open: it must never panic, and every refusal
// must be one of the package's errors. Seeds: the Tink-made vectors of
// testdata and tokens of the stand-in for Google; `go test` runs them.
func FuzzOpen(f *testing.F) {
	b, err := os.ReadFile("testdata/tink_ecv2_tokens.json")
	if err != nil {
		f.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil || len(vf.Cases) == 0 {
		f.Fatal("no seed vectors in testdata/tink_ecv2_tokens.json")
	}
	for _, c := range vf.Cases {
		f.Add([]byte(c.Token))
	}
	w := newWorld(f)
	f.Add([]byte(w.good(f, panOnly()).JSON()))
	f.Add([]byte(w.good(f, cryptogram3DS()).JSON()))
	f.Add([]byte(`{"protocolVersion":"ECv2","signature":"","intermediateSigningKey":{"signedKey":"{}","signatures":[]},"signedMessage":"{}"}`))
	sentinels := []error{ErrMalformed, ErrBadSignature, ErrKeyExpired, ErrMessageExpired, ErrWrongRecipient, ErrUnknownKey, ErrDecrypt}
	f.Fuzz(func(t *testing.T, tok []byte) {
		p, err := w.r.Open(tok)
		if err == nil {
			if !digits(p.Number, 12, 19) || p.Expires.Before(w.now) || p.Expires.Equal(w.now) {
				t.Fatalf("Open accepted a payment that breaks its own checks: %v", p)
			}
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("Open = %v, not one of the package's errors", err)
	})
}

// FuzzParseRootKeys: the root key file parser never panics and accepts
// only files with an ECv2-family key.
func FuzzParseRootKeys(f *testing.F) {
	w := newWorld(f)
	f.Add(w.g.RootKeysJSON(time.Now()))
	f.Add([]byte(`{"keys":[{"keyValue":"AAAA","protocolVersion":"ECv1"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRootKeys(Test, b)
		if err == nil && len(r.keys) == 0 {
			t.Fatal("ParseRootKeys accepted a file with no key")
		}
	})
}

// FuzzParseKeySet: the key set parser never panics, and what it accepts
// marshals back to a set it accepts with the same primaries.
func FuzzParseKeySet(f *testing.F) {
	ks := NewKeySet()
	ks.Add("m_a")
	ks.Add("m_a")
	ks.Add("m_b")
	b, _ := ks.MarshalPrivate()
	f.Add(b)
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := ParseKeySet(b)
		if err != nil {
			return
		}
		out, err := ks.MarshalPrivate()
		if err != nil {
			t.Fatal(err)
		}
		ks2, err := ParseKeySet(out)
		if err != nil {
			t.Fatalf("a marshalled key set does not parse: %v", err)
		}
		for _, m := range ks.Merchants() {
			if ks2.PublicKey(m) != ks.PublicKey(m) {
				t.Fatal("round trip changed a primary")
			}
		}
	})
}
