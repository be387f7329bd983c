package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	_ "modernc.org/sqlite"
)

// openDB returns a fresh SQLite database with the audit migration applied.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "audit.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files, _ := filepath.Glob("../migrations/*_audit.sql")
	if len(files) != 1 {
		t.Fatalf("found %d audit migrations, want 1", len(files))
	}
	schema, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatalf("applying %s: %v", files[0], err)
	}
	return db
}

func entry(i int) audit.Entry {
	return audit.Entry{
		Time:     time.UnixMilli(1_800_000_000_000 + int64(i)),
		Merchant: "m_shop",
		Action:   "tokenize",
		Target:   "tokens",
		Token:    "tok_0000000000000000000000",
	}
}

func TestAppendVerify(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ex := sqlunit.OnSQL(db)
	log := audit.New(ex)
	var last audit.Entry
	for i := range 10 {
		e, err := log.Append(ctx, ex, entry(i))
		if err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) {
			t.Errorf("Append #%d: Seq = %d, want %d", i, e.Seq, i+1)
		}
		if i > 0 && e.Prev != last.Hash {
			t.Errorf("Append #%d: Prev = %s, want previous hash %s", i, e.Prev, last.Hash)
		}
		last = e
	}
	n, err := audit.Verify(ctx, db)
	if err != nil || n != 10 {
		t.Fatalf("Verify = %d, %v; want 10, nil", n, err)
	}
}

func TestEmptyVerifies(t *testing.T) {
	n, err := audit.Verify(context.Background(), openDB(t))
	if err != nil || n != 0 {
		t.Fatalf("Verify(empty) = %d, %v; want 0, nil", n, err)
	}
}

// TestConcurrentAppenders simulates several Worker isolates: separate Logs
// (separate locks) on one database race for sequence numbers.
func TestConcurrentAppenders(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			ex := sqlunit.OnSQL(db)
			log := audit.New(ex)
			for i := range each {
				if _, err := log.Append(ctx, ex, entry(w*each+i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n, err := audit.Verify(ctx, db)
	if err != nil || n != writers*each {
		t.Fatalf("Verify = %d, %v; want %d, nil", n, err, writers*each)
	}
}

func TestAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := audit.New(sqlunit.OnSQL(db)).Append(ctx, sqlunit.OnSQL(db), entry(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET code = 'x' WHERE seq = 1`); err == nil {
		t.Error("UPDATE audit_log succeeded, want the trigger to refuse it")
	}
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 1`); err == nil {
		t.Error("DELETE FROM audit_log succeeded, want the trigger to refuse it")
	}
}

func TestVerifyFindsFirstBrokenLink(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		wantSeq int64
	}{
		{"changed field", `UPDATE audit_log SET code = 'replayed' WHERE seq = 4`, 4},
		{"changed time", `UPDATE audit_log SET at = at + 1 WHERE seq = 2`, 2},
		{"deleted entry", `DELETE FROM audit_log WHERE seq = 3`, 3},
		{"rehashed entry", `UPDATE audit_log SET hash = prev_hash WHERE seq = 5`, 5},
		{"forged prev", `UPDATE audit_log SET prev_hash = '` + "ab" + `' || substr(prev_hash, 3) WHERE seq = 6`, 6},
		{"reordered", `UPDATE audit_log SET seq = 100 WHERE seq = 1`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			ex := sqlunit.OnSQL(db)
			log := audit.New(ex)
			for i := range 8 {
				if _, err := log.Append(ctx, ex, entry(i)); err != nil {
					t.Fatal(err)
				}
			}
			for _, trg := range []string{"audit_log_no_update", "audit_log_no_delete"} {
				if _, err := db.Exec(`DROP TRIGGER ` + trg); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(tc.tamper); err != nil {
				t.Fatal(err)
			}
			n, err := audit.Verify(ctx, db)
			var broken *audit.BrokenLinkError
			if !errors.As(err, &broken) || !errors.Is(err, audit.ErrBroken) {
				t.Fatalf("Verify = %d, %v; want a BrokenLinkError", n, err)
			}
			if broken.Seq != tc.wantSeq || n != tc.wantSeq-1 {
				t.Errorf("Verify = %d, broken at %d; want %d, broken at %d", n, broken.Seq, tc.wantSeq-1, tc.wantSeq)
			}
		})
	}
}

// TestCanonicalVector pins the hash of a fixed first entry (documented in
// docs/edge-api.md, "Test vectors"). It was cross-checked with
// printf '\0…' | sha256sum over 32 zero bytes and the canonical JSON.
func TestCanonicalVector(t *testing.T) {
	e := audit.Entry{Seq: 1, Time: time.UnixMilli(1800000000000), Merchant: "m_shop", Action: "tokenize",
		Target: "tokens", Token: "tok_0000000000000000000000", Code: ""}
	const wantCanon = `{"seq":1,"at":1800000000000,"merchant":"m_shop","action":"tokenize","target":"tokens","token":"tok_0000000000000000000000","code":""}`
	if got := string(e.Canonical()); got != wantCanon {
		t.Errorf("Canonical() = %s, want %s", got, wantCanon)
	}
	got, err := e.ComputeHash("0000000000000000000000000000000000000000000000000000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	if want := canonicalVectorHash; got != want {
		t.Errorf("ComputeHash = %s, want %s", got, want)
	}
}

const canonicalVectorHash = "7e69afbcc063e867372b49ec19c72630b98c8d1b97457be277d969b7bbeb288a"
