//go:build !js

package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/webhook"
)

func TestEventBackoff(t *testing.T) {
	s := eventSettings{base: 30 * time.Second, max: time.Hour, retryFor: 72 * time.Hour}
	for _, tc := range []struct {
		attempt  int
		jitter   float64
		min, max time.Duration
	}{
		{1, 0, 15 * time.Second, 15 * time.Second},
		{1, 0.999999, 29 * time.Second, 30 * time.Second},
		{2, 0, 30 * time.Second, 30 * time.Second},
		{3, 0.5, 90 * time.Second, 90 * time.Second},
		{7, 0, 16 * time.Minute, 16 * time.Minute},    // 30 s · 2⁶ = 32 min, halved
		{8, 0, 30 * time.Minute, 30 * time.Minute},    // 64 min, capped at 1 h
		{60, 0.999999, 59 * time.Minute, time.Hour},   // no overflow
		{0, 0, 15 * time.Second, 15 * time.Second},    // treated as the first
		{1000, 0, 30 * time.Minute, 30 * time.Minute}, // capped
	} {
		if got := s.backoff(tc.attempt, tc.jitter); got < tc.min || got > tc.max {
			t.Errorf("backoff(%d, %v) = %v, want in [%v, %v]", tc.attempt, tc.jitter, got, tc.min, tc.max)
		}
	}
	// The default schedule keeps trying for at least 24 h: the sum of the
	// shortest delays (jitter 0) before retry_for runs out.
	d := eventSettings{base: DefaultEventRetryBase, max: DefaultEventRetryMax, retryFor: DefaultEventRetryFor}
	var total time.Duration
	n := 0
	for total < minEventRetryFor {
		n++
		total += d.backoff(n, 0)
	}
	if n < 20 {
		t.Errorf("the default schedule reaches 24 h after %d attempts; want a steady retry (at least 20)", n)
	}
}

func TestEventConfigRefused(t *testing.T) {
	base := `{"merchants":[{"id":"m","secret_keys":["` + HashAPIKey("sk_x") + `"]%s}]%s}`
	for _, tc := range []struct{ name, merchant, top string }{
		{"http to a public host", `,"events":{"url":"http://hooks.example/e","signing_secret":"s"}`, ""},
		{"http to loopback without allow_loopback_http", `,"events":{"url":"http://127.0.0.1:9/e","signing_secret":"s"}`, ""},
		{"no secret", `,"events":{"url":"https://hooks.example/e"}`, ""},
		{"credentials in the URL", `,"events":{"url":"https://u:p@hooks.example/e","signing_secret":"s"}`, ""},
		{"unknown type", `,"events":{"url":"https://hooks.example/e","signing_secret":"s","types":["card.created"]}`, ""},
		{"relative URL", `,"events":{"url":"/e","signing_secret":"s"}`, ""},
		{"retry_for under 24h", "", `,"events":{"retry_for":"23h"}`},
		{"retry_max below retry_base", "", `,"events":{"retry_base":"2m","retry_max":"1m"}`},
		{"bad interval", "", `,"events":{"interval":"soon"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(strings.Replace(base, "%s", tc.merchant, 1), "%s", tc.top, 1)
			if _, err := ParseConfig([]byte(doc)); !errors.Is(err, ErrConfig) {
				t.Errorf("ParseConfig = %v, want ErrConfig", err)
			}
		})
	}
	ok := strings.Replace(strings.Replace(base, "%s", `,"allow_loopback_http":true,"events":{"url":"http://127.0.0.1:9/e","signing_secret":"s","types":["token.deleted"]}`, 1), "%s", "", 1)
	if _, err := ParseConfig([]byte(ok)); err != nil {
		t.Errorf("ParseConfig(loopback http with allow_loopback_http) = %v, want nil", err)
	}
}

// endpoint is a stand-in for a merchant's events endpoint.
type endpoint struct {
	*httptest.Server
	down atomic.Bool
	mu   sync.Mutex
	got  []string // event ids of the deliveries it accepted
	hits int
}

func newEndpoint(t *testing.T, secret string) *endpoint {
	e := &endpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := new(bytes.Buffer)
		body.ReadFrom(r.Body)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.hits++
		if e.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		// The deliveries are signed at the edge's (injected) clock.
		ev, err := webhook.VerifyEvent(r, body.Bytes(), []byte(secret), 365*24*time.Hour, time.Now())
		if err != nil {
			t.Errorf("delivery does not verify: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		e.got = append(e.got, ev.ID)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) counts() (hits, accepted int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits, len(e.got)
}

// TestEventRetrySchedule drives deliveries with an injected clock: a dead
// endpoint is retried on the jittered exponential schedule, one attempt
// per step however many of its events wait, until retry_for has passed;
// another merchant's endpoint gets its events meanwhile; an endpoint that
// comes back gets all of its events.
func TestEventRetrySchedule(t *testing.T) {
	const secretA, secretB = "whsec_a", "whsec_b"
	a, b := newEndpoint(t, secretA), newEndpoint(t, secretB)
	a.down.Store(true)
	cfg, err := ParseConfig([]byte(`{"events":{"retry_base":"30s","retry_max":"1h","retry_for":"24h"},"merchants":[
	 {"id":"m_a","secret_keys":["` + HashAPIKey("sk_a") + `"],"allow_loopback_http":true,"events":{"url":"` + a.URL + `/e","signing_secret":"` + secretA + `"}},
	 {"id":"m_b","secret_keys":["` + HashAPIKey("sk_b") + `"],"allow_loopback_http":true,"events":{"url":"` + b.URL + `/e?x=1","signing_secret":"` + secretB + `"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := envelope.GenerateKeySet()
	keks, _ := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlunit.OnSQL(db)
	now := time.Unix(1_800_000_000, 0)
	h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h.ev.jitter = func() float64 { return 0.5 }
	ctx := context.Background()
	queue := func(mid string, n int) {
		for i := 0; i < n; i++ {
			s, ok := h.eventStmt(h.merchant(mid), webhook.TokenDeleted, webhook.TokenDeletedData{Token: "tok_x"}, now, "", 0)
			if !ok {
				t.Fatal("no event statement for a merchant with events")
			}
			if _, err := store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{s}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	nextAt := func() (min, max int64) {
		rows, err := store.Query(ctx, `SELECT min(next_at), max(next_at) FROM events WHERE merchant = 'm_a' AND state = 'pending'`)
		if err != nil {
			t.Fatal(err)
		}
		return rows[0].Int(0), rows[0].Int(1)
	}
	queue("m_a", 3)
	queue("m_b", 2)
	start := now

	// Round 1: m_b's two arrive; m_a's endpoint is tried once, and all
	// three of its events wait for the first retry.
	res, err := h.DeliverEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 2 || res.Retrying != 1 {
		t.Errorf("round 1 = %+v, want 2 delivered, 1 retrying", res)
	}
	if hits, _ := a.counts(); hits != 1 {
		t.Errorf("the dead endpoint got %d attempts in one round, want 1", hits)
	}
	if _, got := b.counts(); got != 2 {
		t.Errorf("the live endpoint accepted %d events, want 2", got)
	}
	// Each retry comes backoff(n, 0.5) after the attempt; every m_a event
	// waits for it.
	attempt := 1
	for {
		lo, hi := nextAt()
		want := now.Add(h.ev.set.backoff(attempt, 0.5)).Unix()
		if lo != want || hi != want {
			t.Fatalf("after attempt %d at +%v: m_a's events are due at %d..%d, want all at %d", attempt, now.Sub(start), lo, hi, want)
		}
		// A round before it is due sends nothing.
		now = time.Unix(want-1, 0)
		if res, _ := h.DeliverEvents(ctx); res != (DeliveryResult{}) {
			t.Fatalf("a round before the retry is due did %+v, want nothing", res)
		}
		now = time.Unix(want, 0)
		res, err := h.DeliverEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		attempt++
		if res.GaveUp > 0 {
			break
		}
		if res.Retrying != 1 || res.Delivered != 0 {
			t.Fatalf("attempt %d = %+v, want 1 retrying", attempt, res)
		}
		if attempt > 200 {
			t.Fatal("no end to the retries")
		}
	}
	if elapsed := now.Sub(start); elapsed < 24*time.Hour || elapsed > 25*time.Hour {
		t.Errorf("gave up after %v, want at the first failure after retry_for (24h), within one retry_max", elapsed)
	}
	hits, _ := a.counts()
	if hits != attempt {
		t.Errorf("the dead endpoint got %d attempts over %d rounds, want one per round", hits, attempt)
	}
	t.Logf("a dead endpoint: %d attempts over %v", attempt, now.Sub(start))

	// The endpoint comes back: events queued now are delivered, and so
	// are the two that were still pending (their retry_for counts from
	// their own creation, so they too are given up at their next
	// failure; here the next attempt succeeds).
	a.down.Store(false)
	queue("m_a", 2)
	lo, _ := nextAt()
	if lo > now.Unix() {
		now = time.Unix(lo, 0)
	}
	for i := 0; i < 5; i++ {
		if _, err := h.DeliverEvents(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	rows, _ := store.Query(ctx, `SELECT state, count(*) FROM events WHERE merchant = 'm_a' GROUP BY state ORDER BY state`)
	got := map[string]int64{}
	for _, r := range rows {
		got[r.String(0)] = r.Int(1)
	}
	if got["pending"] != 0 || got["failed"] < 1 || got["delivered"] < 2 {
		t.Errorf("m_a's events by state = %v, want none pending, the given-up ones failed, the rest delivered", got)
	}
	if n, err := h.EventBacklog(ctx); err != nil || n != 0 {
		t.Errorf("EventBacklog = %d, %v; want 0", n, err)
	}
	// A week later the purge removes the settled rows.
	n, err := h.purgeEvents(ctx, now.Add(eventKeep+time.Hour))
	if err != nil || n != 7 {
		t.Errorf("purgeEvents = %d, %v; want all 7 settled events", n, err)
	}
}

// TestKeyRotatedOnce: the first primary is recorded without an event; a
// new primary queues one key.rotated per merchant taking events, once,
// however many handlers (instances) start with it.
func TestKeyRotatedOnce(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"merchants":[
	 {"id":"m_a","secret_keys":["` + HashAPIKey("sk_a") + `"],"events":{"url":"https://a.example/e","signing_secret":"s"}},
	 {"id":"m_b","secret_keys":["` + HashAPIKey("sk_b") + `"],"events":{"url":"https://b.example/e","signing_secret":"s","types":["token.deleted"]}},
	 {"id":"m_c","secret_keys":["` + HashAPIKey("sk_c") + `"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := envelope.GenerateKeySet()
	keks, _ := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlunit.OnSQL(db)
	ctx := context.Background()
	start := func() {
		h, err := New(Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.noteKeys(ctx); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int64, body string) {
		rows, err := store.Query(ctx, `SELECT count(*), coalesce(max(body), '') FROM events WHERE type = 'key.rotated'`)
		if err != nil {
			t.Fatal(err)
		}
		return rows[0].Int(0), rows[0].String(1)
	}
	start()
	if n, _ := count(); n != 0 {
		t.Errorf("%d key.rotated events for the first primary ever seen, want 0", n)
	}
	old := primaryKID(ks)
	kid, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	start()
	start()
	n, body := count()
	if n != 1 {
		t.Fatalf("%d key.rotated events after one rotation and two starts, want 1 (m_a only)", n)
	}
	e, err := webhook.ParseEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var d webhook.KeyRotatedData
	if err := e.Decode(&d); err != nil || d.KeySet != "envelope" || d.KeyID != kid || d.PreviousKeyID != old || e.Merchant != "m_a" {
		t.Errorf("key.rotated = %+v for %s, want envelope %s after %s for m_a", d, e.Merchant, kid, old)
	}
}

// TestEventTypeDropped: events of a type the merchant's configuration no
// longer sends are settled at once as failed, and do not hold back the
// types it still sends (they were retried, and pushed the others back,
// for retry_for).
func TestEventTypeDropped(t *testing.T) {
	const secret = "whsec_a"
	a := newEndpoint(t, secret)
	config := func(types string) *Config {
		cfg, err := ParseConfig([]byte(`{"merchants":[{"id":"m_a","secret_keys":["` + HashAPIKey("sk_a") + `"],"allow_loopback_http":true,
			"events":{"url":"` + a.URL + `/e","signing_secret":"` + secret + `"` + types + `}}]}`))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	ks, _ := envelope.GenerateKeySet()
	keks, _ := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlunit.OnSQL(db)
	ctx := context.Background()
	queue := func(h *Handler, typ string, data any) {
		s, ok := h.eventStmt(h.merchant("m_a"), typ, data, time.Now(), "", 0)
		if !ok {
			t.Fatalf("no %s event statement", typ)
		}
		if _, err := store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{s}}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := New(Options{Config: config(""), Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	queue(before, webhook.TokenDeleted, webhook.TokenDeletedData{Token: "tok_x"})
	// The operator then sends only qr.rejected.
	after, err := New(Options{Config: config(`,"types":["qr.rejected"]`), Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: store})
	if err != nil {
		t.Fatal(err)
	}
	queue(after, webhook.QRRejected, webhook.QRRejectedData{PayloadSHA256: strings.Repeat("0", 64)})
	res, err := after.DeliverEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 1 || res.GaveUp != 1 || res.Retrying != 0 {
		t.Errorf("delivery round = %+v, want the qr.rejected delivered and the token.deleted given up", res)
	}
	if _, got := a.counts(); got != 1 {
		t.Errorf("the endpoint accepted %d events, want 1", got)
	}
}
