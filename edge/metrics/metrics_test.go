package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/metrics"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/edge/sqlitedb"
)

// native is a native edge with metrics: the real handler on sqlitedb,
// behind httptest servers for the API and for the metrics.
type native struct {
	fx      *edgetest.Fixture
	db      *sqlitedb.DB
	api     *httptest.Server
	metrics *httptest.Server
	hc      *http.Client
}

func startNative(t *testing.T, fx *edgetest.Fixture) *native {
	t.Helper()
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MetricsAddr = "127.0.0.1:0" // any: the test serves m.Handler() itself
	h, db, m, err := server.OpenMetrics(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatal("OpenMetrics with metrics_addr returned no metrics")
	}
	n := &native{fx: fx, db: db, api: httptest.NewServer(h), metrics: httptest.NewServer(m.Handler()),
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	t.Cleanup(func() { n.api.Close(); n.metrics.Close(); db.Close() })
	return n
}

// scrape is one parsed /metrics answer and its text.
type scrape struct {
	text     []byte
	families map[string]*dto.MetricFamily
}

func (n *native) scrape(t testing.TB) scrape {
	t.Helper()
	resp, err := n.hc.Get(n.metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("GET /metrics Content-Type = %q, want the Prometheus text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return scrape{text: b, families: fams}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// series returns the value of every series of family name, keyed by its
// label values joined with " ", in the order of keys. Counters and gauges
// give their value, histograms their count.
func (s scrape) series(name string, keys ...string) map[string]float64 {
	out := map[string]float64{}
	f := s.families[name]
	if f == nil {
		return out
	}
	for _, m := range f.GetMetric() {
		ls := labels(m)
		var k []string
		for _, key := range keys {
			k = append(k, ls[key])
		}
		var v float64
		switch {
		case m.Counter != nil:
			v = m.Counter.GetValue()
		case m.Gauge != nil:
			v = m.Gauge.GetValue()
		case m.Histogram != nil:
			v = float64(m.Histogram.GetSampleCount())
		}
		out[strings.Join(k, " ")] = v
	}
	return out
}

// tally counts what the load was answered, as the client saw it.
type tally struct {
	mu       sync.Mutex
	requests map[string]float64 // "route status"
	routes   map[string]float64 // "route"
	codes    map[string]float64 // error code
}

func newTally() *tally {
	return &tally{requests: map[string]float64{}, routes: map[string]float64{}, codes: map[string]float64{}}
}

func (t *tally) add(route string, status int, code string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests[fmt.Sprintf("%s %d", route, status)]++
	t.routes[route]++
	if code != "" {
		t.codes[code]++
	}
}

var clientSeq atomic.Uint32

// do sends one request from a fresh client address and tallies its
// answer under route, the pattern the request is meant to reach.
func (n *native) do(t testing.TB, tl *tally, route, method, path, key string, body []byte) (status int, respBody []byte) {
	r, err := http.NewRequest(method, n.api.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	if strings.HasPrefix(key, "pk_") {
		r.Header.Set("Origin", n.fx.Shop.Origin)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	c := clientSeq.Add(1)
	r.Header.Set(edgetest.ClientHeader, fmt.Sprintf("10.%d.%d.%d", 100+c>>16&127, c>>8&255, c&255))
	resp, err := n.hc.Do(r)
	if err != nil {
		t.Errorf("%s %s: %v", method, route, err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Error struct{ Code string } }
	if resp.StatusCode >= 400 {
		json.Unmarshal(b, &e)
	}
	tl.add(route, resp.StatusCode, e.Error.Code)
	return resp.StatusCode, b
}

// load runs one round of the mixed load, 8 requests at a time: tokenizes
// (201), key fetches, token reads and deletes, a bad key (401), a broken
// envelope (400) and an unknown path (404).
func (n *native) load(t *testing.T, tl *tally, tz *edgetest.Tokenizer, rounds int) {
	fx := n.fx
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				switch i % 6 {
				case 0, 1:
					env, err := tz.Seal(tz.RandomCard())
					if err != nil {
						t.Error(err)
						continue
					}
					status, b := n.do(t, tl, "POST /v1/tokens", "POST", "/v1/tokens", fx.Shop.PK, []byte(`{"envelope":"`+env+`"}`))
					if status != http.StatusCreated {
						t.Errorf("tokenize = %d, want 201", status)
						continue
					}
					var got struct{ Token string }
					json.Unmarshal(b, &got)
					n.do(t, tl, "GET /v1/tokens/{token}", "GET", "/v1/tokens/"+got.Token, fx.Shop.SK, nil)
					if i%12 == 0 {
						n.do(t, tl, "DELETE /v1/tokens/{token}", "DELETE", "/v1/tokens/"+got.Token, fx.Shop.SK, nil)
					}
				case 2:
					n.do(t, tl, "GET /v1/keys", "GET", "/v1/keys", "", nil)
				case 3:
					n.do(t, tl, "POST /v1/tokens", "POST", "/v1/tokens", "pk_not_a_key", []byte(`{"envelope":"sp1.x"}`))
				case 4:
					n.do(t, tl, "POST /v1/tokens", "POST", "/v1/tokens", fx.Shop.PK, []byte(`{"envelope":"sp1.AAAA.BBBB.CCCC"}`))
				case 5:
					n.do(t, tl, "/", "GET", "/v1/nothing-here/tok_abcdefghijklmnopqrstuv", "", nil)
				}
			}
		})
	}
	for i := range rounds * 6 {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// delta is after − before for every series in either.
func delta(after, before map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func sameCounts(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s{%s} rose by %v, want %v (what the load was answered)", what, k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s{%s} rose by %v, want 0 (the load sent none)", what, k, got[k])
		}
	}
}

// TestMetricsUnderLoad scrapes /metrics before, during and after a mixed
// load against the real handler on sqlitedb: the requests by route and
// status, the latency histograms' counts and the refusals by code rose by
// exactly what the load was answered; the vault rows gauge is the
// tables' row count; the group commits add up; and no scrape holds a
// token, a key, a card number, a merchant or a client address.
func TestMetricsUnderLoad(t *testing.T) {
	fx := edgetest.NewFixture(t)
	n := startNative(t, fx)
	tz := edgetest.NewTokenizer(t, n.api.URL, fx)
	before := n.scrape(t)

	phase1 := newTally()
	n.load(t, phase1, tz, 20)
	mid := n.scrape(t)
	check := func(s scrape, tl *tally) {
		t.Helper()
		sameCounts(t, "sealpay_http_requests_total", delta(s.series("sealpay_http_requests_total", "route", "status"),
			before.series("sealpay_http_requests_total", "route", "status")), tl.requests)
		sameCounts(t, "sealpay_http_request_duration_seconds_count", delta(s.series("sealpay_http_request_duration_seconds", "route"),
			before.series("sealpay_http_request_duration_seconds", "route")), tl.routes)
		sameCounts(t, "sealpay_refusals_total", delta(s.series("sealpay_refusals_total", "code"),
			before.series("sealpay_refusals_total", "code")), tl.codes)
	}
	check(mid, phase1)

	// Scrapes while the second phase runs: each between the first phase's
	// counts and the end's, never falling.
	phase2 := newTally()
	stop := make(chan struct{})
	var during []scrape
	var scrapes sync.WaitGroup
	scrapes.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				during = append(during, n.scrape(t))
			}
		}
	})
	n.load(t, phase2, tz, 20)
	close(stop)
	scrapes.Wait()
	end := n.scrape(t)
	all := newTally()
	for _, tl := range []*tally{phase1, phase2} {
		for k, v := range tl.requests {
			all.requests[k] += v
		}
		for k, v := range tl.routes {
			all.routes[k] += v
		}
		for k, v := range tl.codes {
			all.codes[k] += v
		}
	}
	check(end, all)
	if len(during) == 0 {
		t.Fatal("no scrape ran during the load")
	}
	prev := mid.series("sealpay_http_requests_total", "route", "status")
	for i, s := range append(during, end) {
		cur := s.series("sealpay_http_requests_total", "route", "status")
		for k, v := range prev {
			if cur[k] < v {
				t.Errorf("scrape %d: sealpay_http_requests_total{%s} fell from %v to %v", i, k, v, cur[k])
			}
		}
		prev = cur
	}
	t.Logf("%d scrapes during the load; %v requests in all", len(during), sumOf(all.requests))

	// The vault rows gauge is what the tables hold.
	rows := end.series("sealpay_vault_rows", "table")
	for _, table := range []string{"vault_tokens", "vault_cvcs"} {
		r, err := n.db.Query(context.Background(), "SELECT COUNT(*) FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rows[table], float64(r[0].Int(0)); got != want {
			t.Errorf("sealpay_vault_rows{table=%q} = %v, want %v", table, got, want)
		}
	}
	if got, want := rows["vault_tokens"], all.requests["POST /v1/tokens 201"]-all.requests["DELETE /v1/tokens/{token} 200"]; got != want {
		t.Errorf("sealpay_vault_rows{table=\"vault_tokens\"} = %v, want %v (tokens made minus deleted)", got, want)
	}

	// Every tokenize was one unit of some group; the commit histogram has
	// one sample a group.
	groups := end.families["sealpay_sqlite_group_units"].GetMetric()[0].GetHistogram()
	commits := end.families["sealpay_sqlite_commit_seconds"].GetMetric()[0].GetHistogram()
	if groups.GetSampleCount() == 0 || groups.GetSampleCount() != commits.GetSampleCount() {
		t.Errorf("group commits: %d group sizes, %d commit times; want as many, more than 0", groups.GetSampleCount(), commits.GetSampleCount())
	}
	if made := all.requests["POST /v1/tokens 201"]; groups.GetSampleSum() < made {
		t.Errorf("group units sum to %v, want at least the %v tokenizes", groups.GetSampleSum(), made)
	}

	for i, s := range append(append([]scrape{before, mid}, during...), end) {
		checkNoSecrets(t, fmt.Sprintf("scrape %d", i), s.text, fx)
	}
}

func sumOf(m map[string]float64) (s float64) {
	for _, v := range m {
		s += v
	}
	return s
}

var (
	ipv4   = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	ipv6   = regexp.MustCompile(`(?i)\b[0-9a-f]{0,4}::[0-9a-f:]*\b|::1\b`)
	hexRun = regexp.MustCompile(`[0-9a-f]{24,}`)
	// A token, an API key, a signing secret or a fingerprint, by its
	// prefix at the start of a word ("risk_" is a metric's name).
	prefixed = regexp.MustCompile(`(^|[^A-Za-z0-9])(tok|pk|sk|whsec|fp)_`)
	secrets  = []string{"sha256:", "m_shop", "m_other", "Bearer", "sp1."}
)

// checkNoSecrets fails t if a scrape holds a token, a key or its hash, a
// signing secret, a fingerprint, an envelope, a merchant id, a card
// number or a client address. The messages name the kind, not the value.
func checkNoSecrets(t *testing.T, where string, b []byte, fx *edgetest.Fixture) {
	t.Helper()
	if m := prefixed.Find(b); m != nil {
		t.Errorf("%s: a %q value found in the metrics", where, bytes.TrimLeft(m, " \"{=,\n"))
	}
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s: %q found in the metrics", where, s)
		}
	}
	for _, s := range []string{fx.Shop.PK, fx.Shop.SK, fx.Other.PK, fx.Other.SK, fx.Secret} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s: an API key or the signing secret found in the metrics", where)
		}
	}
	if ipv4.Match(b) {
		t.Errorf("%s: an IPv4 address found in the metrics", where)
	}
	if ipv6.Match(b) {
		t.Errorf("%s: an IPv6 address found in the metrics", where)
	}
	if hexRun.Match(b) {
		t.Errorf("%s: a long hex string (key material?) found in the metrics", where)
	}
	fx.ScanForNumbers(t, where+" of /metrics", b)
}

// TestMetricsRisk: a card-testing burst from one client is slowed, then
// blocked; sealpay_risk_decisions_total counts the blocks exactly (each
// a 429 the client got) and the slows, by limit.
func TestMetricsRisk(t *testing.T) {
	fx := edgetest.NewFixture(t)
	n := startNative(t, fx)
	tz := edgetest.NewTokenizer(t, n.api.URL, fx)
	before := n.scrape(t)
	blocked := 0
	for range 9 {
		env, err := tz.Seal(tz.RandomCard())
		if err != nil {
			t.Fatal(err)
		}
		r, _ := http.NewRequest("POST", n.api.URL+"/v1/tokens", strings.NewReader(`{"envelope":"`+env+`"}`))
		r.Header.Set("Authorization", "Bearer "+fx.Shop.PK)
		r.Header.Set("Origin", fx.Shop.Origin)
		r.Header.Set(edgetest.ClientHeader, "203.0.113.9") // one client: card testing
		resp, err := n.hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			blocked++
		}
	}
	end := n.scrape(t)
	risk := delta(end.series("sealpay_risk_decisions_total", "decision", "limit"), before.series("sealpay_risk_decisions_total", "decision", "limit"))
	if blocked == 0 || risk["blocked client_cards"] != float64(blocked) {
		t.Errorf("sealpay_risk_decisions_total{blocked,client_cards} rose by %v; the client got %d 429s, want as many and more than 0", risk["blocked client_cards"], blocked)
	}
	if risk["slowed client_cards"] == 0 || risk["slowed client_cards"]+float64(blocked) > 9 {
		t.Errorf("sealpay_risk_decisions_total{slowed,client_cards} rose by %v, want between 1 and %d", risk["slowed client_cards"], 9-blocked)
	}
	if got := delta(end.series("sealpay_refusals_total", "code"), before.series("sealpay_refusals_total", "code"))["rate_limited"]; got != float64(blocked) {
		t.Errorf("sealpay_refusals_total{code=\"rate_limited\"} rose by %v, want %d", got, blocked)
	}
	checkNoSecrets(t, "scrape", end.text, fx)
}

// TestMetricsOff: without metrics_addr there are no metrics, and the API
// listener answers 404 on /metrics whether or not they are on.
func TestMetricsOff(t *testing.T) {
	fx := edgetest.NewFixture(t)
	cfg, err := edge.LoadConfig(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	h, db, m, err := server.OpenMetrics(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m != nil {
		t.Error("OpenMetrics without metrics_addr returned metrics, want nil")
	}
	api := httptest.NewServer(h)
	get := func(base string) int {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(api.URL); got != http.StatusNotFound {
		t.Errorf("API listener: GET /metrics = %d, want 404 (metrics off)", got)
	}
	api.Close()
	db.Close()

	n := startNative(t, fx)
	if got := get(n.api.URL); got != http.StatusNotFound {
		t.Errorf("API listener: GET /metrics = %d, want 404 (metrics on, served elsewhere)", got)
	}
	if got := get(n.metrics.URL); got != http.StatusOK {
		t.Errorf("metrics listener: GET /metrics = %d, want 200", got)
	}
	for _, p := range []string{"/", "/metricsx", "/v1/keys", "/healthz"} {
		resp, err := http.Get(n.metrics.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("metrics listener: GET %s = %d, want 404 (it serves /metrics only)", p, resp.StatusCode)
		}
	}
}

// TestEventBacklog: a nil backlog registers nothing; a backlog is read
// at every scrape; a failing one drops its series from that scrape and
// the others are served.
func TestEventBacklog(t *testing.T) {
	get := func(m *metrics.Metrics) (int, string) {
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	m := metrics.New()
	if err := m.WatchEventBacklog(nil); err != nil {
		t.Fatal(err)
	}
	if _, out := get(m); strings.Contains(out, "sealpay_events_backlog") {
		t.Error("WatchEventBacklog(nil) registered sealpay_events_backlog")
	}
	n, fail := 0, false
	if err := m.WatchEventBacklog(func(context.Context) (int, error) {
		if fail {
			return 0, errors.New("outbox unavailable")
		}
		n++
		return n * 10, nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if _, out := get(m); !strings.Contains(out, fmt.Sprintf("\nsealpay_events_backlog %d\n", i*10)) {
			t.Errorf("scrape %d lacks sealpay_events_backlog %d", i, i*10)
		}
	}
	fail = true
	status, out := get(m)
	if status != http.StatusOK || strings.Contains(out, "\nsealpay_events_backlog ") || !strings.Contains(out, "go_goroutines") {
		t.Errorf("scrape with a failing backlog: status %d, backlog series present %v; want 200, the other series and no backlog",
			status, strings.Contains(out, "\nsealpay_events_backlog "))
	}
	if err := m.WatchEventBacklog(func(context.Context) (int, error) { return 0, nil }); err == nil {
		t.Error("a second WatchEventBacklog succeeded, want an error (the series is registered)")
	}
}
