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

func BenchmarkVerifyQR(b *testing.B) {
	f := newQRFixture(b)
	req, _ := json.Marshal(map[string]any{"payload": f.signed, "bundle": string(f.bundle), "roots": []json.RawMessage{f.rootJWK}})
	h := testHandler()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.handle(context.Background(), MethodVerifyQR, req); err != nil {
			b.Fatal(err)
		}
	}
}
