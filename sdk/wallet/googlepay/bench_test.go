package googlepay

import "testing"

// BenchmarkOpen is one ECv2 token verified and decrypted: two ECDSA
// verifications, one ECDH, HKDF, HMAC and AES-CTR, and the JSON.
func BenchmarkOpen(b *testing.B) {
	w := newWorld(b)
	tok := []byte(w.good(b, cryptogram3DS()).JSON())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.r.Open(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenForged is a token no root key signed: refused after the
// first verification, before any ECDH.
func BenchmarkOpenForged(b *testing.B) {
	w := newWorld(b)
	tk := w.good(b, cryptogram3DS())
	tk.KeySignatures = []string{tk.Signature}
	tok := []byte(tk.JSON())
	for b.Loop() {
		if _, err := w.r.Open(tok); err == nil {
			b.Fatal("forged token opened")
		}
	}
}
