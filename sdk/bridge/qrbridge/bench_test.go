package qrbridge

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sealpay/sealpay/sdk/bridge"
)

// BenchmarkVerifyQR verifies a signed code with the root pinned, as the
// browser module does: "fresh" checks the trust bundle on every call,
// "cached" reuses it (a Handler from New).
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
				if _, err := h.handle(context.Background(), bridge.MethodVerifyQR, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
