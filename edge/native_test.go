//go:build !js

package edge_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
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
	entries, err := audit.Verify(context.Background(), db)
	if err != nil {
		t.Errorf("audit.Verify = %v", err)
	}
	if entries == 0 {
		t.Error("audit log is empty")
	}
	rows, err := db.Query(`SELECT merchant, action, target, token, code FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all bytes.Buffer
	refusals := 0
	for rows.Next() {
		var m, a, tg, tok, code string
		rows.Scan(&m, &a, &tg, &tok, &code)
		all.WriteString(m + a + tg + tok + code + "\n")
		if code != "" {
			refusals++
		}
	}
	if refusals == 0 {
		t.Error("audit log has no refusals")
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
