// Package metrics is the native edge's Prometheus metrics, served at
// GET /metrics on a listener of their own (the configuration's
// metrics_addr), never on the API's.
//
// For most uses, call [New], pass [Metrics.ObserveRequest] as
// edge.Options.Observe and [Metrics.ObserveCommit] as
// sqlitedb.Options.OnCommit, call [Metrics.WatchVault] with the opened
// database, and serve [Metrics.Handler]; edge/server's OpenMetrics does
// all of it. docs/edge-api.md ("Metrics") lists every series.
//
// No label holds a path, a key, a token, a merchant or a client address:
// routes are the route patterns, codes the error codes, limits the names
// of sdk/risk's limits — all from small fixed sets.
//
// Only the native server imports this package: client_golang does not
// belong in the Worker's or the browser's WebAssembly. The Worker writes
// the same request figures to Workers Analytics Engine instead.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// Buckets of the histograms, in seconds or units (docs/edge-api.md,
// "Metrics", lists them).
var (
	// durationBuckets span a cached GET (sub-millisecond), a tokenize
	// (a few ms), a risk slow-down (up to seconds) and a relay up to its
	// 20 s timeout.
	durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}
	// groupBuckets are powers of two up to sqlitedb's 256 units a group.
	groupBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}
	// commitBuckets span a COMMIT without fsync (tens of µs) to a slow
	// disk's fsync.
	commitBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}
)

// Metrics holds the edge's collectors and their registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	refusals *prometheus.CounterVec
	risk     *prometheus.CounterVec
	units    prometheus.Histogram
	commit   prometheus.Histogram
}

// New returns the edge's metrics, registered with a registry of their own
// together with the Go runtime's and the process's collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sealpay_http_requests_total",
			Help: "Requests answered, by route pattern and HTTP status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sealpay_http_request_duration_seconds",
			Help:    "Time from a request's arrival at the handler to its answer, by route pattern.",
			Buckets: durationBuckets,
		}, []string{"route"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sealpay_refusals_total",
			Help: "Requests answered with an error, by error code (docs/error-codes.md).",
		}, []string{"code"}),
		risk: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sealpay_risk_decisions_total",
			Help: "Requests slowed or blocked by the rate limits and the card-testing defence, by decision and limit.",
		}, []string{"decision", "limit"}),
		units: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sealpay_sqlite_group_units",
			Help:    "Units committed together in one SQLite transaction (one COMMIT, one fsync).",
			Buckets: groupBuckets,
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sealpay_sqlite_commit_seconds",
			Help:    "Time of a group's COMMIT, the WAL's fsync included with database_sync full.",
			Buckets: commitBuckets,
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.refusals, m.risk, m.units, m.commit,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// statusText holds the label values of the statuses, so that counting a
// request allocates nothing.
var statusText = func() (t [600]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// ObserveRequest counts one answered request; it is edge.Options.Observe.
func (m *Metrics) ObserveRequest(s edge.RequestStats) {
	status := "other"
	if s.Status >= 0 && s.Status < len(statusText) {
		status = statusText[s.Status]
	}
	m.requests.WithLabelValues(s.Route, status).Inc()
	m.duration.WithLabelValues(s.Route).Observe(s.Duration.Seconds())
	if s.Code != "" {
		m.refusals.WithLabelValues(string(s.Code)).Inc()
	}
	if s.Risk != "" {
		m.risk.WithLabelValues(s.Risk, s.Limit).Inc()
	}
}

// ObserveCommit records one group commit; it is sqlitedb.Options.OnCommit.
func (m *Metrics) ObserveCommit(s sqlitedb.GroupStats) {
	m.units.Observe(float64(s.Units))
	m.commit.Observe(s.Commit.Seconds())
}

// scrapeTimeout bounds each query a scrape makes.
const scrapeTimeout = 5 * time.Second

// vaultTables are the tables whose rows sealpay_vault_rows counts.
var vaultTables = []string{"vault_tokens", "vault_cvcs"}

// WatchVault registers sealpay_vault_rows, read from q at every scrape:
// one COUNT(*) per table (tokens, and CVCs still held). Pass the
// sqlitedb.DB: its reads run on its read-only connections, beside the
// writer, so a scrape never waits for a group commit nor holds one up.
// A COUNT(*) reads the table's smallest index (BENCHMARKS.md has its
// cost with 100,000 rows); a failed read makes the scrape report the
// error for that series and go on with the others.
func (m *Metrics) WatchVault(q sqlunit.Querier) error {
	return m.reg.Register(&vaultCollector{q: q, desc: prometheus.NewDesc("sealpay_vault_rows",
		"Rows in the vault's tables, read at scrape time: vault_tokens (tokens) and vault_cvcs (CVCs held, each deleted at first use or expiry).",
		[]string{"table"}, nil)})
}

type vaultCollector struct {
	q    sqlunit.Querier
	desc *prometheus.Desc
}

func (c *vaultCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *vaultCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	for _, t := range vaultTables {
		rows, err := c.q.Query(ctx, "SELECT COUNT(*) FROM "+t)
		if err == nil && len(rows) != 1 {
			err = fmt.Errorf("metrics: counting %s: %d rows", t, len(rows))
		}
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.desc, fmt.Errorf("metrics: counting %s: %w", t, err))
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(rows[0].Int(0)), t)
	}
}

// WatchEventBacklog registers sealpay_events_backlog, the events not yet
// delivered to merchants' endpoints, read from backlog at every scrape
// (the events outbox's count of pending deliveries). A nil backlog
// registers nothing. Call it once, before or after serving; an error from
// backlog is reported for the series, the others are served.
func (m *Metrics) WatchEventBacklog(backlog func(context.Context) (int, error)) error {
	if backlog == nil {
		return nil
	}
	return m.reg.Register(&backlogCollector{f: backlog, desc: prometheus.NewDesc("sealpay_events_backlog",
		"Events waiting for delivery to merchants' endpoints (retries included), read at scrape time.", nil, nil)})
}

type backlogCollector struct {
	f    func(context.Context) (int, error)
	desc *prometheus.Desc
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, err := c.f(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, fmt.Errorf("metrics: reading the events backlog: %w", err))
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// Handler serves GET /metrics in the Prometheus text format (or
// OpenMetrics, if the scraper asks for it) and answers 404 to every other
// path. Serve it on the metrics address only.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: 4,
		Timeout:             2 * scrapeTimeout,
	})))
	mux.HandleFunc("/", http.NotFound)
	return mux
}
