package bridge

import (
	"context"
	"encoding/json"
	"testing"
)

func BenchmarkSeal(b *testing.B) {
	_, pub := newKeys(b)
	req := sealRequest(b, pub, testCard, nil)
	h := testHandler()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.handle(context.Background(), MethodSeal, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckCard(b *testing.B) {
	req := []byte(`{"number":"4242 4242 4242 4242","expiry":"12 / 30","cvc":"123","name":"A. Shopper"}`)
	h := testHandler()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.handle(context.Background(), MethodCheckCard, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyQR verifies a signed code with the root pinned, as the
// browser module does: "fresh" checks the trust bundle on every call (the
// package's Handle), "cached" reuses it (a Handler from New).
func BenchmarkVerifyQR(b *testing.B) {
	f := newQRFixture(b)
	req, _ := json.Marshal(map[string]any{"payload": f.signed, "bundle": string(f.bundle)})
	pinned, err := New(Options{Roots: [][]byte{f.rootJWK}})
	if err != nil {
		b.Fatal(err)
	}
	for _, cached := range []bool{false, true} {
		name, h := "fresh", testHandler()
		h.roots = pinned.h.roots
		if cached {
			name, h.trust = "cached", &trustCache{}
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.handle(context.Background(), MethodVerifyQR, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
