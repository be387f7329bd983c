package cardbridge

import (
	"context"
	"testing"

	"github.com/sealpay/sealpay/sdk/bridge"
)

func BenchmarkSeal(b *testing.B) {
	_, pub := newKeys(b)
	req := sealRequest(b, pub, testCard, nil)
	h := testHandler()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.handle(context.Background(), bridge.MethodSeal, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckCard(b *testing.B) {
	req := []byte(`{"number":"4242 4242 4242 4242","expiry":"12 / 30","cvc":"123","name":"A. Shopper"}`)
	h := testHandler()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.handle(context.Background(), bridge.MethodCheckCard, req); err != nil {
			b.Fatal(err)
		}
	}
}
