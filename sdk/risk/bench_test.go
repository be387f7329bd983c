package risk_test

import (
	"fmt"
	"testing"

	"github.com/sealpay/sealpay/sdk/risk"
)

// BenchmarkCheckRecord is what a tokenize asks of the limiter: a Check,
// then a Record of the card, from a new client each time (as a busy shop's
// shoppers are), on SQLite.
func BenchmarkCheckRecord(b *testing.B) {
	store, _ := openStore(b)
	l := risk.NewLimiter(store, risk.DefaultPolicy(), nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		client := fmt.Sprintf("client-%d", i)
		if _, err := l.Check(ctx, "key-hash", client); err != nil {
			b.Fatal(err)
		}
		if err := l.Record(ctx, "key-hash", client, risk.Attempt{Card: fmt.Sprintf("fp_%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
}
