package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/metrics"
)

// The native server does this in server.OpenMetrics: the handler reports
// each request through edge.Options.Observe, and the metrics are served
// on a listener of their own.
func Example() {
	m := metrics.New()
	// edge.New(edge.Options{..., Observe: m.ObserveRequest}) calls this
	// for every request it answers.
	m.ObserveRequest(edge.RequestStats{Route: "POST /v1/tokens", Status: 201, Duration: 4 * time.Millisecond})
	m.ObserveRequest(edge.RequestStats{Route: "POST /v1/tokens", Status: 401, Code: "unauthorized", Duration: time.Millisecond})
	// The events outbox's count of undelivered events (here a stand-in).
	m.WatchEventBacklog(func(context.Context) (int, error) { return 3, nil })

	srv := httptest.NewServer(m.Handler()) // natively: on metrics_addr
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "sealpay_http_requests_total") || strings.HasPrefix(l, "sealpay_refusals_total") ||
			strings.HasPrefix(l, "sealpay_events_backlog") {
			fmt.Println(l)
		}
	}
	// Output:
	// sealpay_events_backlog 3
	// sealpay_http_requests_total{route="POST /v1/tokens",status="201"} 1
	// sealpay_http_requests_total{route="POST /v1/tokens",status="401"} 1
	// sealpay_refusals_total{code="unauthorized"} 1
}
