//go:build js && wasm

package main

import (
	"context"
	"log/slog"

	"github.com/sealpay/sealpay/edge"
	"github.com/syumai/workers/cloudflare"
)

// deliverAfter starts, in the request's ctx.waitUntil, the delivery of
// the events the request queued (and any others due): the response goes
// out first, and the pool lends the instance to no other request until
// the delivery settles. What fails stays in D1 for the Cron Trigger's
// retry (purge_js.go).
func deliverAfter(h *edge.Handler, log *slog.Logger) {
	select {
	case <-h.EventsQueued():
	default:
		return
	}
	cloudflare.WaitUntil(func() {
		defer func() {
			if r := recover(); r != nil {
				log.Error("edge: event delivery panicked")
			}
		}()
		res, err := h.DeliverEvents(context.Background())
		if err != nil {
			log.Error("edge: event delivery failed", "err", err.Error())
		}
		if res.Retrying+res.GaveUp > 0 {
			log.Warn("edge: event deliveries failed; the Cron Trigger retries", "retrying", res.Retrying, "gave_up", res.GaveUp)
		}
	})
}
