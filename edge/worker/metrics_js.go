//go:build js && wasm

package main

import (
	"strconv"
	"strings"

	"github.com/sealpay/sealpay/edge"
	"github.com/syumai/workers/cloudflare"
)

// metricsBinding is the Workers Analytics Engine dataset binding the
// entry writes one data point per request to (edge/workerjs/metrics.mjs,
// docs/edge-api.md "Metrics"). Without it, nothing is measured.
const metricsBinding = "SEALPAY_METRICS"

// pointRecorder keeps the figures of the request its instance is
// serving, for serve to hand to the entry with the response. An instance
// serves one request at a time, on one goroutine, so the last observed
// request is the one being answered.
type pointRecorder struct {
	last string
}

// newPointRecorder returns a recorder if the Worker has the dataset
// binding, or nil. The binding is part of the deployment, so it is
// looked up once, when the instance starts.
func newPointRecorder() *pointRecorder {
	if b := cloudflare.GetBinding(metricsBinding); b.IsUndefined() || b.IsNull() {
		return nil
	}
	return &pointRecorder{}
}

// observe is the handler's edge.Options.Observe: it encodes s as one
// string, "route\ncode\nrisk\nlimit\nms", so that it crosses into JS as
// one value with the response (no call of its own).
func (p *pointRecorder) observe(s edge.RequestStats) {
	var b strings.Builder
	b.Grow(len(s.Route) + len(s.Code) + len(s.Risk) + len(s.Limit) + 16)
	b.WriteString(s.Route)
	b.WriteByte('\n')
	b.WriteString(string(s.Code))
	b.WriteByte('\n')
	b.WriteString(s.Risk)
	b.WriteByte('\n')
	b.WriteString(s.Limit)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatFloat(float64(s.Duration.Microseconds())/1000, 'f', -1, 64))
	p.last = b.String()
}

// take returns the last request's point and forgets it.
func (p *pointRecorder) take() string {
	s := p.last
	p.last = ""
	return s
}
