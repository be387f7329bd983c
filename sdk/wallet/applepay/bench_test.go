package applepay

import (
	"testing"
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
		if _, err := ParseToken(token); err != nil {
			b.Fatal(err)
		}
	}
}
