package qrbridge

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sealpay/sealpay/sdk/bridge"
)

// BenchmarkVerifyQR verifies a signed code with the root in the request,
// as the browser's frame sends it: "fresh" checks the root key and the
// trust bundle on every call, "cached" reuses both (a Handler from New).
func BenchmarkVerifyQR(b *testing.B) {
	f := newQRFixture(b)
	req, _ := json.Marshal(map[string]any{"payload": f.signed, "bundle": string(f.bundle), "roots": []json.RawMessage{f.rootJWK}})
	for _, cached := range []bool{false, true} {
		name, h := "fresh", testHandler()
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
