//go:build !js

package edge_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	sqlite3 "modernc.org/sqlite/lib"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// TestNativeSuite runs the shared HTTP suite against the native handler on
// SQLite, then checks what it left behind: the vault holds exactly the
// acknowledged tokens, the audit chain verifies, and no card number is in
// the database files, the audit log or the logs.
func TestNativeSuite(t *testing.T) {
	ctx := context.Background()
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h, db, err := server.Open(ctx, cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	edgetest.Run(t, srv.URL, fx)

	db.Close()
	checkClosedStore(t, cfg.Database, fx)
	sdb, err := server.OpenSQLite(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	edgetest.CheckFloodAudit(t, sdb, fx)
	sdb.Close()
	fx.ScanForNumbers(t, "server log", logs.Bytes())
	files, _ := filepath.Glob(filepath.Join(fx.Dir, "sealpay.db*"))
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx.ScanForNumbers(t, filepath.Base(f), b)
	}
}

// checkStore compares the vault with the suite's acknowledged tokens and
// verifies the audit chain.
func checkStore(t *testing.T, db *sql.DB, fx *edgetest.Fixture) {
	t.Helper()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM vault_tokens`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := fx.LiveTokens(); n != want {
		t.Errorf("vault holds %d tokens, want %d (refused requests must store nothing)", n, want)
	}
	// No wallet cryptogram without its token: a refused wallet tokenize
	// stores none.
	if err := db.QueryRow(`SELECT count(*) FROM vault_wallet_creds WHERE token NOT IN (SELECT token FROM vault_tokens)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("vault holds %d wallet cryptograms without a token (%v), want 0", n, err)
	}
	res, err := audit.Verify(context.Background(), sqlunit.OnSQL(db), fx.AuditKeys(t), audit.VerifyOptions{})
	if err != nil {
		t.Errorf("audit.Verify = %v", err)
	}
	if res.Entries == 0 || res.Legacy != 0 {
		t.Errorf("audit log has %d entries, %d unkeyed; want some, all keyed", res.Entries, res.Legacy)
	}
	rows, err := db.Query(`SELECT merchant, action, target, token, code FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all bytes.Buffer
	refusals := 0
	// The relay entries name the method, host and path, never the query:
	// the shared suite relays to /v1/charges with and without one, and
	// PUTs to it, which no route allows. (Tests that do not run the suite
	// relay nothing.)
	relays := 0
	charges := fx.Provider.Host + "/v1/charges"
	want := map[string]bool{"POST " + charges + "|": false, "PUT " + charges + "|relay_route_forbidden": false}
	for rows.Next() {
		var m, a, tg, tok, code string
		rows.Scan(&m, &a, &tg, &tok, &code)
		all.WriteString(m + a + tg + tok + code + "\n")
		if code != "" {
			refusals++
		}
		if a == "relay" {
			relays++
			if _, ok := want[tg+"|"+code]; ok {
				want[tg+"|"+code] = true
			}
			if strings.Contains(tg, "?") {
				t.Errorf("a relay's audit target holds a query string")
			}
		}
	}
	if refusals == 0 {
		t.Error("audit log has no refusals")
	}
	for k, seen := range want {
		if !seen && relays > 0 {
			t.Errorf("audit log has no relay entry with target and code %q", k)
		}
	}
	fx.ScanForNumbers(t, "audit log", all.Bytes())
}

// TestNativeCardTesting runs the card-testing burst against the native
// handler and prints the block and false-positive figures (go test -v).
func TestNativeCardTesting(t *testing.T) {
	ctx := context.Background()
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	h, db, err := server.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	edgetest.RunCardTesting(t, srv.URL, fx, 40, 20)
	db.Close()
	checkClosedStore(t, cfg.Database, fx)
}

// checkClosedStore is checkStore on the closed server's database at path.
func checkClosedStore(t *testing.T, path string, fx *edgetest.Fixture) {
	t.Helper()
	db, err := server.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkStore(t, db, fx)
}

// TestNativeFullDisk: with the database capped by max_page_count, units
// too big for the room left fail with SQLITE_FULL while concurrent
// tokenizes on the same writer all succeed, and the server keeps serving.
func TestNativeFullDisk(t *testing.T) {
	ctx := context.Background()
	fx := edgetest.NewFixture(t)
	fx.Relax(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	h, db, err := server.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	tz := edgetest.NewTokenizer(t, srv.URL, fx)

	unit := func(q string) error {
		_, err := db.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(q)}})
		return err
	}
	if err := unit(`CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `PRAGMA page_count`)
	if err != nil {
		t.Fatal(err)
	}
	// Room for the tokenizes (about ten pages each), not for 16 MiB.
	if err := unit(`PRAGMA max_page_count = ` + strconv.FormatInt(rows[0].Int(0)+2000, 10)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var full, other, created, refused int
	for range 4 {
		wg.Go(func() {
			for range 3 {
				err := unit(`INSERT INTO filler (b) VALUES (zeroblob(16777216))`)
				mu.Lock()
				if sqlitedb.Code(err) == sqlite3.SQLITE_FULL {
					full++
				} else {
					other++
				}
				mu.Unlock()
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			for range 10 {
				env, err := tz.Seal(tz.RandomCard())
				if err != nil {
					t.Error(err)
					return
				}
				_, status, err := tz.Tokenize(env)
				mu.Lock()
				if err == nil && status == http.StatusCreated {
					created++
				} else {
					refused++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if full != 12 || other != 0 {
		t.Errorf("big units: %d failed with SQLITE_FULL, %d otherwise; want all 12 SQLITE_FULL", full, other)
	}
	if created != 80 || refused != 0 {
		t.Errorf("concurrent tokenizes: %d created, %d not; want all 80 created", created, refused)
	}
	env, _ := tz.Seal(tz.RandomCard())
	if _, status, err := tz.Tokenize(env); err != nil || status != http.StatusCreated {
		t.Errorf("tokenize after the full-disk failures = %d, %v; want 201", status, err)
	}
}
