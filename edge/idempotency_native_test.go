//go:build !js

package edge_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
)

// TestNativeIdempotencyExpiry runs edgetest.IdempotencyExpiry on a native
// handler whose clock the test moves (Options.Now), then purges at the
// moved clock and checks the expired key is gone. The Worker takes its
// clock from the platform, so this case runs natively only.
func TestNativeIdempotencyExpiry(t *testing.T) {
	ctx := context.Background()
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := envelope.ReadKeySetFile(cfg.KeysFile)
	if err != nil {
		t.Fatal(err)
	}
	kekBytes, err := edge.ReadSecretFile(cfg.KEKFile, "kek_file")
	if err != nil {
		t.Fatal(err)
	}
	keks, err := edge.ParseKEKs(kekBytes)
	if err != nil {
		t.Fatal(err)
	}
	akeys, err := server.ReadAuditKeys(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "idem.db"), sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h, err := edge.New(edge.Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: akeys, Store: db, Now: clock, GooglePayKeys: fx.GooglePayKeys, ApplePayKeys: fx.ApplePayKeys})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	edgetest.IdempotencyExpiry(t, srv.URL, fx, func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() })

	count := func() int64 {
		rows, err := db.Query(ctx, `SELECT count(*) FROM idempotency_keys`)
		if err != nil {
			t.Fatal(err)
		}
		return rows[0].Int(0)
	}
	before := count()
	if before == 0 {
		t.Fatal("no idempotency key stored")
	}
	res, err := edge.RunPurge(ctx, h.PurgeJobs(), clock().Add(24*time.Hour+time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var purged int
	for _, r := range res {
		if r.Name == "idempotency_keys" {
			purged = r.Deleted
		}
	}
	if purged == 0 || count() != 0 {
		t.Errorf("purge a day later deleted %d idempotency keys, %d left; want all %d gone", purged, count(), before)
	}
}
