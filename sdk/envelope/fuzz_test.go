package envelope

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// openCodes are the codes Open may return: its own and package card's.
var openCodes = map[errcode.Code]bool{
	errcode.UnsupportedVersion: true, errcode.InvalidEnvelope: true, errcode.UnknownKey: true,
	errcode.EnvelopeExpired: true, errcode.EnvelopeNotYetValid: true, errcode.WrongMerchant: true,
	errcode.WrongOrigin: true, errcode.DecryptFailed: true,
	errcode.InvalidCardNumber: true, errcode.UnsupportedBrand: true, errcode.InvalidExpiry: true,
	errcode.CardExpired: true, errcode.InvalidCVC: true, errcode.BadRequest: true,
}

// FuzzOpen checks that Open never panics, that every error carries one of
// its codes, and that whatever opens seals and opens again to the same card.
func FuzzOpen(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		f.Add(v.Envelope)
	}
	for _, c := range vf.Open {
		f.Add(c.Envelope)
	}
	ks := vectorKeySet(f)
	now := time.Unix(vf.Valid[0].IAT, 0)
	f.Fuzz(func(t *testing.T, s string) {
		o, err := Open(ks, s, OpenOptions{Now: now})
		if err != nil {
			if c := errcode.Of(err); !openCodes[c] {
				t.Fatalf("Open error %q has code %s, not one of Open's", err, c)
			}
			return
		}
		env, err := Seal(ks.Public(), o.Card, SealOptions{MerchantID: o.Header.MerchantID, Origin: o.Header.Audience, Now: now})
		if err != nil {
			t.Fatalf("an opened card does not seal again: %v", err)
		}
		o2, err := Open(ks, env, OpenOptions{MerchantID: o.Header.MerchantID, Origin: o.Header.Audience, Now: now})
		if err != nil {
			t.Fatalf("a re-sealed card does not open: %v", err)
		}
		if o2.Card != o.Card {
			t.Fatalf("re-sealing changed the card") // no card data in the message
		}
	})
}

// FuzzParseHeader checks that every header the parser accepts satisfies the
// header rules and survives marshal and parse unchanged.
func FuzzParseHeader(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		f.Add([]byte(v.Header))
	}
	for _, c := range vf.Open {
		// The header part of every case that has one, valid or not.
		if parts := strings.Split(c.Envelope, "."); len(parts) > 1 {
			if hb, ok := decodeB64(parts[1]); ok {
				f.Add(hb)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			return
		}
		if !validKeyID(h.Kid) || !validMerchantID(h.Mid) || !validJTI(h.JTI) ||
			(h.Aud != "" && !validOrigin(h.Aud)) || h.Iat < 0 || h.Exp <= h.Iat || h.Exp-h.Iat > maxLifetime {
			t.Fatalf("parseHeader accepted a header breaking the rules: %+v", h)
		}
		m := h.Marshal()
		h2, err := parseHeader(m)
		if err != nil {
			t.Fatalf("parseHeader(marshal(h)) = %v", err)
		}
		if h2 != h {
			t.Fatalf("round trip changed the header: %+v, want %+v", h2, h)
		}
		if !bytes.Equal(h2.Marshal(), m) {
			t.Fatalf("marshal is not stable")
		}
	})
}

// seedFiles returns the contents of the files matching pattern, failing if
// there are none.
func seedFiles(f *testing.F, pattern string) [][]byte {
	names, err := filepath.Glob(pattern)
	if err != nil || len(names) == 0 {
		f.Fatalf("no seed files %s", pattern)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzParsePublicKeySet checks that ParsePublicKeySet fails only with
// ErrInvalidKeySet and that what it accepts marshals and parses back to the
// same keys, and that MarshalJSON is stable.
func FuzzParsePublicKeySet(f *testing.F) {
	for _, b := range seedFiles(f, "testdata/jwks/*.json") {
		f.Add(b)
	}
	f.Add([]byte(loadVectors(f).Recipient.JWKS))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePublicKeySet(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidKeySet) {
				t.Fatalf("ParsePublicKeySet error %v is not ErrInvalidKeySet", err)
			}
			return
		}
		m, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		p2, err := ParsePublicKeySet(m)
		if err != nil {
			t.Fatalf("ParsePublicKeySet(MarshalJSON()) = %v", err)
		}
		if len(p2.set.Keys) != len(p.set.Keys) {
			t.Fatalf("round trip changed the number of keys")
		}
		for i := range p.set.Keys {
			if p2.set.Keys[i].KeyID != p.set.Keys[i].KeyID || !bytes.Equal(p2.set.Keys[i].X, p.set.Keys[i].X) {
				t.Fatalf("round trip changed key %d", i)
			}
		}
		m2, err := p2.MarshalJSON()
		if err != nil || !bytes.Equal(m, m2) {
			t.Fatalf("MarshalJSON is not stable (%v)", err)
		}
	})
}

// FuzzParseKeySet is FuzzParsePublicKeySet for private key set files.
func FuzzParseKeySet(f *testing.F) {
	for _, b := range seedFiles(f, "testdata/private-key-set.json") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := ParseKeySet(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidKeySet) {
				t.Fatalf("ParseKeySet error %v is not ErrInvalidKeySet", err)
			}
			return
		}
		m, err := ks.MarshalPrivate()
		if err != nil {
			t.Fatal(err)
		}
		ks2, err := ParseKeySet(m)
		if err != nil {
			t.Fatalf("ParseKeySet(MarshalPrivate()) = %v", err)
		}
		if !equalKeyInfo(ks.Keys(), ks2.Keys()) {
			t.Fatalf("round trip changed the keys")
		}
		for i := range ks.keys {
			if !bytes.Equal(ks.keys[i].d, ks2.keys[i].d) {
				t.Fatalf("round trip changed private key %d", i)
			}
		}
		m2, err := ks2.MarshalPrivate()
		if err != nil || !bytes.Equal(m, m2) {
			t.Fatalf("MarshalPrivate is not stable (%v)", err)
		}
	})
}
