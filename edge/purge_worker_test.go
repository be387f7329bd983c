//go:build !js

package edge_test

import (
	"bytes"
	"database/sql"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
)

// TestWorkerPurge runs the shared purge case on the Worker under wrangler
// dev, purging through the Cron Trigger the way Cloudflare fires it
// (wrangler dev --test-scheduled: GET /__scheduled runs the entry's
// scheduled handler, which runs Go's purge in a pooled instance). The
// local D1 database holds CVC keys (token.NewSQLCVCKeys) once cards are
// tokenized, and none, nor any CVC, after the purge.
func TestWorkerPurge(t *testing.T) {
	fx := edgetest.NewFixture(t)
	fx.ShortLived(t)
	w := startWorker(t, fx)
	path := d1File(t, w.State)
	count := func(t *testing.T, table string) int64 {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("counting %s in the local D1 database: %v", table, err)
		}
		return n
	}
	edgetest.RunPurge(t, w.URL, fx, edgetest.PurgeHome{
		Tokenized: func(t *testing.T) {
			if n := count(t, "vault_cvc_keys"); n == 0 {
				t.Fatal("no CVC key in D1 after tokenizing cards with CVCs")
			}
		},
		Purge: func(t *testing.T) {
			resp, err := http.Get(w.URL + "/__scheduled?cron=*+*+*+*+*")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /__scheduled = %d %q, want 200", resp.StatusCode, b)
			}
			// The event ends when the purge settles; allow the local D1 a
			// moment to show it to another reader.
			deadline := time.Now().Add(10 * time.Second)
			for count(t, "vault_cvc_keys")+count(t, "vault_cvcs") != 0 {
				if time.Now().After(deadline) {
					t.Fatalf("after the Cron Trigger: %d CVC keys and %d CVCs in D1, want none", count(t, "vault_cvc_keys"), count(t, "vault_cvcs"))
				}
				time.Sleep(200 * time.Millisecond)
			}
		},
	})
	if n := count(t, "vault_tokens"); n != 2 {
		t.Errorf("D1 holds %d tokens after the purge, want 2 (the reusable ones)", n)
	}
	if !bytesContain(w.Output.Bytes(), "edge: purged") {
		t.Errorf("the Worker's log has no purge line")
	}
}

func bytesContain(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
