//go:build !js

package edge_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// TestWorkerEvents runs the shared events case on the Worker under
// wrangler dev: events arrive through the delivery that the request
// starts in ctx.waitUntil (wrangler dev fires no cron of its own), and
// those made while the endpoint was down through the Cron Trigger's retry
// (GET /__scheduled, as TestWorkerPurge fires it). Then it redeploys the
// Worker on the same D1 with a rotated SEALPAY_KEYS: the first Cron
// Trigger of the new deployment sends key.rotated.
func TestWorkerEvents(t *testing.T) {
	fx := edgetest.NewFixture(t)
	sink := fx.WithEvents(t)
	w := startWorker(t, fx)
	cron := func(t *testing.T, url string) {
		resp, err := http.Get(url + "/__scheduled?cron=*+*+*+*+*")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /__scheduled = %d %q, want 200", resp.StatusCode, b)
		}
	}
	edgetest.RunEvents(t, w.URL, fx, sink, edgetest.EventsDelivery{Retry: func(t *testing.T) { cron(t, w.URL) }})
	w.stop()
	fx.ScanForNumbers(t, "wrangler output", w.Output.Bytes())

	t.Run("key.rotated after a redeploy", func(t *testing.T) {
		keysFile := filepath.Join(fx.Dir, "keys.json")
		ks, err := envelope.ReadKeySetFile(keysFile)
		if err != nil {
			t.Fatal(err)
		}
		old := primaryKID(ks)
		kid, err := ks.Rotate()
		if err != nil {
			t.Fatal(err)
		}
		if err := envelope.WriteKeySetFile(keysFile, ks); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(w.State)
		vars, err := fx.DevVars()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".dev.vars"), vars, 0o600); err != nil {
			t.Fatal(err)
		}
		wrangler, env := wranglerEnv(t, filepath.Join(dir, "xdg"))
		w2, err := runWranglerDev(t, wrangler, env, dir, filepath.Join(dir, "wrangler.toml"), w.State)
		if err != nil {
			t.Fatalf("wrangler dev on the same D1: %v", err)
		}
		defer w2.stop()
		cron(t, w2.URL)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var got []webhook.KeyRotatedData
			for _, e := range sink.Events(t) {
				var d webhook.KeyRotatedData
				if e.Type == webhook.KeyRotated && e.Decode(&d) == nil && d.KeySet == "envelope" {
					got = append(got, d)
				}
			}
			if len(got) > 0 {
				if len(got) != 1 || got[0].KeyID != kid || got[0].PreviousKeyID != old {
					t.Errorf("key.rotated events = %+v, want one naming %s after %s", got, kid, old)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no key.rotated within 20 s of the redeployed Worker's Cron Trigger")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// primaryKID is the id of ks's primary key.
func primaryKID(ks *envelope.KeySet) string {
	for _, k := range ks.Keys() {
		if k.Status == "primary" {
			return k.KeyID
		}
	}
	return ""
}
