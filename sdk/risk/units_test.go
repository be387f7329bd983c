package risk_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/risk"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// TestRecordStmtsMatchRecord: the statements a unit runs for an attempt
// leave the same counters as Record's store calls, distinct cards
// included.
func TestRecordStmtsMatchRecord(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	storeA, dbA := openStore(t)
	_, dbB := openStore(t)
	la := risk.NewLimiter(storeA, risk.DefaultPolicy(), clock)
	lb := risk.NewLimiter(risk.NewSQLStore(dbB), risk.DefaultPolicy(), clock)
	exB := sqlunit.OnSQL(dbB)
	for i, a := range []risk.Attempt{
		{Card: "fp_a"}, {Card: "fp_b"}, {Card: "fp_a"}, {Failed: true}, {Card: "fp_c"}, {Card: "fp_b"},
	} {
		if err := la.Record(ctx, "key", "203.0.113.9", a); err != nil {
			t.Fatal(err)
		}
		if _, err := exB.Exec(ctx, sqlunit.Unit{Stmts: lb.RecordStmts("key", "203.0.113.9", a)}); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	a, b := counters(t, dbA), counters(t, dbB)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("Record left %d counters, RecordStmts %d", len(a), len(b))
	}
	for k, n := range a {
		if b[k] != n {
			t.Errorf("counter %s: Record %d, RecordStmts %d", k, n, b[k])
		}
	}
}

func counters(t *testing.T, db *sql.DB) map[string]int64 {
	t.Helper()
	rows, err := db.Query(`SELECT name, win, n FROM risk_counters`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var win, n int64
		rows.Scan(&name, &win, &n)
		out[name+"@"+time.Unix(win, 0).UTC().Format(time.RFC3339)] = n
	}
	return out
}
