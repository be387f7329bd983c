package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/sealpay/sealpay/edge"
)

// RunEvents delivers h's events until ctx is done: at once (first making
// the deliveries a killed predecessor left in flight due again: this
// process holds the database alone), then every
// events.interval and whenever a request queues one
// ([edge.Handler.EventsQueued]). Failures are logged; the events stay in the database,
// so a restart loses none.
func RunEvents(ctx context.Context, h *edge.Handler, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if n, err := h.ReleaseEventLeases(ctx); err != nil {
		log.Error("sealpay serve: event delivery failed", "err", err.Error())
	} else if n > 0 {
		log.Info("sealpay serve: retrying event deliveries that were in flight at the last stop", "events", n)
	}
	t := time.NewTicker(h.EventInterval())
	defer t.Stop()
	for {
		res, err := h.DeliverEvents(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("sealpay serve: event delivery failed", "err", err.Error())
		}
		if res.Delivered+res.Retrying+res.GaveUp > 0 {
			log.Debug("sealpay serve: events", "delivered", res.Delivered, "retrying", res.Retrying, "gave_up", res.GaveUp)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.EventsQueued():
		}
	}
}
