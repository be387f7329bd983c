package token

import (
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// BenchmarkSealAtRest measures the at-rest crypto of one card row alone:
// the crypto-only bound for Tokenize and Reveal.
func BenchmarkSealAtRest(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	aead, _ := chacha20poly1305.NewX(key)
	tok, merchant := NewTokenID(), "m_bench"
	pt := encodeCard("4242424242424242", "A. Shopper")
	sealed := sealRow(aead, labelCard, "kek-1", tok, merchant, pt)
	b.Run("seal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sealRow(aead, labelCard, "kek-1", tok, merchant, encodeCard("4242424242424242", "A. Shopper"))
		}
	})
	b.Run("open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := openRow(aead, labelCard, "kek-1", tok, merchant, sealed); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fingerprint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			fingerprint(key, merchant, "4242424242424242")
		}
	})
}
