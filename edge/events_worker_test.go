//go:build !js

package edge_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/sealpay/sealpay/edge/edgetest"
)

// TestWorkerEvents runs the shared events case on the Worker under
// wrangler dev: events arrive through the delivery that the request
// starts in ctx.waitUntil (wrangler dev fires no cron of its own), and
// those made while the endpoint was down through the Cron Trigger's retry
// (GET /__scheduled, as TestWorkerPurge fires it).
func TestWorkerEvents(t *testing.T) {
	fx := edgetest.NewFixture(t)
	sink := fx.WithEvents(t)
	w := startWorker(t, fx)
	edgetest.RunEvents(t, w.URL, fx, sink, edgetest.EventsDelivery{Retry: func(t *testing.T) {
		resp, err := http.Get(w.URL + "/__scheduled?cron=*+*+*+*+*")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /__scheduled = %d %q, want 200", resp.StatusCode, b)
		}
	}})
	w.stop()
	fx.ScanForNumbers(t, "wrangler output", w.Output.Bytes())
}
