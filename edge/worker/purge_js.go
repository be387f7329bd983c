//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"syscall/js"
	"time"

	"github.com/sealpay/sealpay/edge"
)

// registerScheduled gives the entry (edge/workerjs/worker.mjs) Go's side
// of the Worker's scheduled event: binding.runScheduled(cron,
// scheduledTime) returns a Promise of a JSON summary of the purge
// ({"vault":3,"risk":40,"qr_nonces":0}), rejected with an Error if a job
// failed. It is set on the instance's binding, beside serve.
func registerScheduled(h *edge.Handler, log *slog.Logger) {
	if binding.Type() != js.TypeObject {
		log.Error("edge: no runtime context binding; scheduled events will fail")
		return
	}
	binding.Set("runScheduled", js.FuncOf(func(_ js.Value, args []js.Value) any {
		cron := ""
		if len(args) > 0 && args[0].Type() == js.TypeString {
			cron = args[0].String()
		}
		var executor js.Func
		executor = js.FuncOf(func(_ js.Value, p []js.Value) any {
			resolve, reject := p[0], p[1]
			go func() {
				defer executor.Release()
				summary, err := purge(h, cron, log)
				if err != nil {
					reject.Invoke(js.Global().Get("Error").New(err.Error()))
					return
				}
				resolve.Invoke(summary)
			}()
			return nil
		})
		return js.Global().Get("Promise").New(executor)
	}))
}

// purge runs the edge's purge jobs now, logs what they did and returns
// the counts as JSON. A panic is an error, never a crash of the instance.
func purge(h *edge.Handler, cron string, log *slog.Logger) (summary string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("edge: purge panicked")
			log.Error("edge: purge panicked", "panic", fmt.Sprint(r))
		}
	}()
	res, err := edge.RunPurge(context.Background(), h.PurgeJobs(), time.Now())
	counts := map[string]int{}
	attrs := []any{"cron", cron}
	for _, r := range res {
		counts[r.Name] = r.Deleted
		attrs = append(attrs, r.Name, r.Deleted)
	}
	// The retry path of event deliveries: every due event, each Cron
	// Trigger (docs/edge-api.md, "Events").
	dr, derr := h.DeliverEvents(context.Background())
	counts["events_delivered"], counts["events_retrying"], counts["events_gave_up"] = dr.Delivered, dr.Retrying, dr.GaveUp
	attrs = append(attrs, "events_delivered", dr.Delivered, "events_retrying", dr.Retrying, "events_gave_up", dr.GaveUp)
	if derr != nil {
		log.Error("edge: event delivery failed", "err", derr.Error())
	}
	if err != nil {
		log.Error("edge: purge failed", append(attrs, "err", err.Error())...)
		// Job names only: causes stay in the log.
		return "", fmt.Errorf("edge: purge failed (see the Worker's log)")
	}
	log.Info("edge: purged", attrs...)
	b, _ := json.Marshal(counts)
	return string(b), nil
}
