package metrics_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/metrics"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// BenchmarkObserveRequest is what the metrics add to each request's
// handling: counting a tokenize, a refusal, and tokenizes on every CPU.
func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New()
	ok := edge.RequestStats{Route: "POST /v1/tokens", Status: 201, Duration: 3 * time.Millisecond}
	refused := edge.RequestStats{Route: "POST /v1/tokens", Status: 429, Code: errcode.RateLimited, Duration: time.Millisecond,
		Risk: edge.RiskBlocked, Limit: "client_cards"}
	b.Run("success", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.ObserveRequest(ok)
		}
	})
	b.Run("refusal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.ObserveRequest(refused)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.ObserveRequest(ok)
			}
		})
	})
}

// BenchmarkScrapeVault is the scrape-time cost of sealpay_vault_rows:
// a COUNT(*) of vault_tokens and of vault_cvcs, each holding 100,000
// rows, on sqlitedb's read connections.
func BenchmarkScrapeVault(b *testing.B) {
	const n = 100000
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(b.TempDir(), "vault.db"), sqlitedb.Options{Sync: sqlitedb.SyncNormal})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const series = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) `
	for _, q := range []string{
		series + `INSERT INTO vault_tokens (token, merchant_id, brand, last4, exp_month, exp_year, fingerprint, kek_id, sealed, created_at)
			SELECT printf('tok_%022d', x), 'm', 'visa', '1111', 12, 2030, printf('fp_%d', x), 'k1', zeroblob(64), 0 FROM c`,
		series + `INSERT INTO vault_cvcs (token, merchant_id, kek_id, sealed, expires_at)
			SELECT printf('tok_%022d', x), 'm', 'k1', zeroblob(48), 0 FROM c`,
	} {
		if _, err := db.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{{SQL: q, Args: []any{n}}}}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		for _, table := range []string{"vault_tokens", "vault_cvcs"} {
			rows, err := db.Query(ctx, "SELECT COUNT(*) FROM "+table)
			if err != nil || rows[0].Int(0) != n {
				b.Fatalf("COUNT(*) of %s = %v, %v; want %d", table, rows, err, n)
			}
		}
	}
}
