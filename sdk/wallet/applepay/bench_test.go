package applepay

import (
	"errors"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// BenchmarkDecrypt verifies and decrypts the public sample: CMS parsing,
// two chain verifications' worth of ECDSA (leaf, intermediate), the
// signature, ECDH and AES-GCM.
func BenchmarkDecrypt(b *testing.B) {
	token := readTestdata(b, "gala-token.json")
	d := galaDecrypter(b, galaSigningTime, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decrypt(token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseToken is the JSON and base64 step alone.
func BenchmarkParseToken(b *testing.B) {
	token := readTestdata(b, "gala-token.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseToken(token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptUntrusted is a token whose chain does not reach the
// root: refused at the chain, before the signature and any ECDH.
func BenchmarkDecryptUntrusted(b *testing.B) {
	f := newFixture(b, applepaytest.Options{})
	tok, st := f.token(b, applepaytest.TokenOptions{})
	mk, _ := ParseMerchantKeyPEM(f.key.PEM(), nil)
	d, err := NewDecrypter(Config{Keys: []*MerchantKey{mk}, MerchantID: testMerchantID, Now: func() time.Time { return st }})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decrypt(tok); !errors.Is(err, ErrCertificate) {
			b.Fatal(err)
		}
	}
}
