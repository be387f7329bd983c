//go:build !js

package edge_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
)

// TestNativePurge runs the shared purge case on the native server, with
// its production jobs (server.PurgeJobs: the edge's, then a WAL
// checkpoint), then reads vault.db and its -wal byte by byte: none of the
// sealed values (card and CVC ciphertexts) that left the live tables —
// deleted, used, expired — is anywhere in them, while every live one is.
func TestNativePurge(t *testing.T) {
	ctx := context.Background()
	fx := edgetest.NewFixture(t)
	fx.ShortLived(t)
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

	sealed := func(t *testing.T) map[string]bool {
		rows, err := db.Query(ctx, `SELECT sealed FROM vault_tokens UNION ALL SELECT sealed FROM vault_cvcs`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, r := range rows {
			out[string(r.Bytes(0))] = true
		}
		return out
	}
	var before map[string]bool
	edgetest.RunPurge(t, srv.URL, fx, edgetest.PurgeHome{
		Tokenized: func(t *testing.T) { before = sealed(t) },
		Purge: func(t *testing.T) {
			res, err := edge.RunPurge(ctx, server.PurgeJobs(h, db, cfg), time.Now())
			if err != nil {
				t.Fatalf("purge: %v", err)
			}
			t.Logf("purge: %+v", res)
		},
	})
	live := sealed(t)
	var gone [][]byte
	for b := range before {
		if !live[b] {
			gone = append(gone, []byte(b))
		}
	}
	// Five cards, four of them with a CVC: the kept card stays (and the
	// one without a CVC); four CVCs and three cards go.
	if len(before) != 9 || len(live) != 2 || len(gone) != 7 {
		t.Fatalf("sealed values: %d before, %d live, %d gone; want 9, 2, 7", len(before), len(live), len(gone))
	}
	for _, table := range []string{"vault_cvcs", "vault_cvc_keys"} {
		rows, err := db.Query(ctx, `SELECT count(*) FROM `+table)
		if err != nil || rows[0].Int(0) != 0 {
			t.Errorf("%s after the purge: %v rows, %v; want 0 (the native CVC keys live in memory only)", table, rows, err)
		}
	}
	db.Close()

	var files []byte
	for _, suffix := range []string{"", "-wal", "-journal"} {
		if b, err := os.ReadFile(cfg.Database + suffix); err == nil {
			files = append(append(files, b...), 0)
		}
	}
	for b := range live {
		if !bytes.Contains(files, []byte(b)) {
			t.Fatalf("a live sealed value (%d bytes) is not in the %d bytes of the files: the scan does not see what SQLite writes", len(b), len(files))
		}
	}
	for i, b := range gone {
		// The whole value, and its last 16 bytes (the tag) alone, in case
		// a page kept a part.
		if bytes.Contains(files, b) || bytes.Contains(files, b[len(b)-16:]) {
			t.Errorf("sealed value %d of %d that left the live tables (%d bytes) is still in the database files", i+1, len(gone), len(b))
		}
	}
	t.Logf("scanned %d bytes for %d sealed values that left", len(files), len(gone))
}

// TestNativePurgeJobsAudit: with audit_retention and audit_archive the
// native purge prunes the audit log too, into a 0600 archive; without
// them it does not touch the log.
func TestNativePurgeJobsAudit(t *testing.T) {
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
	names := func(jobs []edge.PurgeJob) (s []string) {
		for _, j := range jobs {
			s = append(s, j.Name)
		}
		return s
	}
	if got := names(server.PurgeJobs(h, db, cfg)); slices.Contains(got, "audit") {
		t.Errorf("jobs without audit_retention = %v, want no audit job", got)
	}
	cfg.AuditRetention, cfg.AuditArchive = "2160h", filepath.Join(t.TempDir(), "audit-archive.jsonl")
	jobs := server.PurgeJobs(h, db, cfg)
	if got := names(jobs); !slices.Contains(got, "audit") || got[len(got)-1] != "checkpoint" {
		t.Fatalf("jobs with audit_retention = %v, want an audit job before the checkpoint", got)
	}
	if _, err := edge.RunPurge(ctx, jobs, time.Now()); err != nil {
		t.Fatalf("purge: %v", err)
	}
	if fi, err := os.Stat(cfg.AuditArchive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit archive: %v, %v; want a 0600 file", fi, err)
	}
}
