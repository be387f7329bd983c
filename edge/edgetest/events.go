package edgetest

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/webhook"
)

// EventSink is the stand-in for the merchant's events endpoint (outside
// our system): a loopback server at /events that records every delivery
// and answers 200, or 503 while it is down.
type EventSink struct {
	*httptest.Server
	Host   string // host:port
	Secret string // the events signing secret
	down   atomic.Bool

	mu   sync.Mutex
	reqs []sinkRequest
	hold chan struct{} // while set, deliveries wait for it to close (at most 20 s)
}

// Hold makes deliveries wait, recorded but unanswered, until release
// is called (or 20 s pass): a delivery in flight.
func (s *EventSink) Hold() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.hold = nil
			s.mu.Unlock()
			close(ch)
		})
	}
}

// Held counts the deliveries waiting in [EventSink.Hold] or answered
// after one.
func (s *EventSink) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.reqs {
		if q.status == 0 {
			n++
		}
	}
	return n
}

// sinkRequest is one delivery and the status the sink answered.
type sinkRequest struct {
	Received
	status int
}

// Requests returns every delivery received so far.
func (s *EventSink) Requests() []sinkRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkRequest(nil), s.reqs...)
}

// All returns every delivery's header and body, for scanning.
func (s *EventSink) All() []byte {
	var buf bytes.Buffer
	for _, q := range s.Requests() {
		fmt.Fprintf(&buf, "%s %s\n", q.Method, q.Target)
		q.Header.Write(&buf)
		buf.Write(q.Body)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// SetDown makes the endpoint answer 503 (down) or 200.
func (s *EventSink) SetDown(down bool) { s.down.Store(down) }

// Events returns every delivery received, verified with the events secret
// through sdk/webhook; a delivery that does not verify fails t.
func (s *EventSink) Events(t testing.TB) []*webhook.Event {
	t.Helper()
	var out []*webhook.Event
	for _, q := range s.Requests() {
		if q.Path != "/events" || q.status != http.StatusOK {
			continue
		}
		r, _ := http.NewRequest(q.Method, "http://"+s.Host+q.Target, nil)
		r.RequestURI = q.Target
		r.Header = q.Header
		e, err := webhook.VerifyEvent(r, q.Body, []byte(s.Secret), webhook.DefaultTolerance, time.Now())
		if err != nil {
			t.Errorf("an event delivery does not verify with sdk/webhook: %v", err)
			continue
		}
		if q.Header.Get(webhook.EventIDHeader) != e.ID || q.Header.Get(webhook.EventTypeHeader) != e.Type {
			t.Errorf("event %s: Sealpay-Event-Id/-Type headers do not match the body", e.Type)
		}
		out = append(out, e)
	}
	return out
}

// EventsDelivery is how [RunEvents] reaches into a home.
type EventsDelivery struct {
	// Retry runs the home's retry path once (the Worker's Cron Trigger);
	// nil for a home whose own loop retries (the native server).
	Retry func(t *testing.T)
}

// Event schedule of [Fixture.WithEvents]: quick retries, so that a test
// sees several within seconds.
const (
	EventRetryBase = 500 * time.Millisecond
	EventRetryMax  = time.Second
)

// WithEvents gives the shop an events endpoint (an [EventSink], up),
// a fast retry schedule, and a relay route to a closed port (for
// relay.failed), and rewrites the configuration. Call it before starting
// the edge.
func (fx *Fixture) WithEvents(t testing.TB) *EventSink {
	t.Helper()
	sink := &EventSink{Secret: "whsec_evt_" + crand.Text()}
	sink.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		status := http.StatusOK
		if sink.down.Load() {
			status = http.StatusServiceUnavailable
		}
		sink.mu.Lock()
		hold := sink.hold
		if hold != nil {
			status = 0 // never answered as far as the edge knows
		}
		sink.reqs = append(sink.reqs, sinkRequest{Received{r.Method, r.URL.Path, r.RequestURI, r.Header.Clone(), body}, status})
		sink.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-time.After(20 * time.Second):
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(sink.Close)
	sink.Host = strings.TrimPrefix(sink.URL, "http://")
	b, err := os.ReadFile(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	json.Unmarshal(b, &cfg)
	cfg["events"] = map[string]any{"interval": "200ms", "retry_base": EventRetryBase.String(), "retry_max": EventRetryMax.String()}
	shop := cfg["merchants"].([]any)[0].(map[string]any)
	shop["events"] = map[string]any{"url": sink.URL + "/events", "signing_secret": sink.Secret}
	shop["relay_routes"] = append(shop["relay_routes"].([]any), map[string]any{
		"method": "POST", "host": "127.0.0.1:1", "path": "/v1/charges", "format": "json",
		"placeholders": map[string][]string{"/n": {"number"}}})
	b, _ = json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(fx.ConfigPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return sink
}

// RunEvents checks the events of the shop's endpoint (see
// [Fixture.WithEvents]) against the edge at baseURL: each kind the edge
// can make while running is produced by its trigger, signed and
// verifiable with sdk/webhook, delivered after the request without a
// retry; a card-testing burst gives exactly one card_testing.blocked;
// events made while the endpoint is down all arrive once it is back,
// through the home's retry path; no delivered body holds a card number.
// (key.rotated needs a restart with a new key: the homes' own tests.)
func RunEvents(t *testing.T, baseURL string, fx *Fixture, sink *EventSink, home EventsDelivery) {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 60 * time.Second}, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &sealer{kid: kid, x: x, fx: fx}
	shop := fx.Shop
	// wait polls the sink until want holds for the events so far, running
	// the retry path (if retry) every second.
	wait := func(t *testing.T, what string, retry bool, want func([]*webhook.Event) bool) []*webhook.Event {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		last := time.Now()
		for {
			evs := sink.Events(t)
			if want(evs) {
				return evs
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s at the merchant's endpoint within 30 s (%d events so far)", what, len(evs))
			}
			if retry && home.Retry != nil && time.Since(last) > time.Second {
				home.Retry(t)
				last = time.Now()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	of := func(evs []*webhook.Event, typ string, match func(*webhook.Event) bool) []*webhook.Event {
		var out []*webhook.Event
		for _, e := range evs {
			if e.Type == typ && e.Merchant == shop.ID && (match == nil || match(e)) {
				out = append(out, e)
			}
		}
		return out
	}

	t.Run("token.deleted after the request", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, Cards()[0].Number)
		if a := c.do(t, req{method: "DELETE", path: "/v1/tokens/" + tok, key: shop.SK}); a.Status != http.StatusOK {
			t.Fatalf("delete = %d %s, want 200", a.Status, a.code())
		}
		c.fx.live.Add(-1)
		isTok := func(e *webhook.Event) bool {
			var d webhook.TokenDeletedData
			return e.Decode(&d) == nil && d.Token == tok
		}
		// No retry: the delivery that follows the request brings it.
		wait(t, "token.deleted", false, func(evs []*webhook.Event) bool { return len(of(evs, webhook.TokenDeleted, isTok)) > 0 })
	})

	t.Run("card_testing.blocked once per burst", func(t *testing.T) {
		attacker := "203.0.113.77"
		rng := rand.New(rand.NewPCG(5, 6))
		blocked := 0
		for i := 0; i < 30; i++ {
			number := "411111"
			for range 10 {
				number += string(rune('0' + rng.IntN(10)))
			}
			env := s.seal(t, shop.ID, shop.Origin, s.card(number), nil)
			a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, clientID: attacker,
				body: jsonBody(map[string]any{"envelope": env})})
			if a.Status == http.StatusTooManyRequests {
				blocked++
			}
			if a.Status == http.StatusCreated {
				c.fx.live.Add(1)
			}
		}
		if blocked < 5 {
			t.Fatalf("the burst was refused %d times of 30, want at least 5", blocked)
		}
		fromAttacker := func(e *webhook.Event) bool {
			var d webhook.CardTestingData
			return e.Decode(&d) == nil && d.Client == attacker && d.Scope == "client" &&
				(d.Reason == "client_cards" || d.Reason == "client_failures") && d.KeyID != "" && d.RetryAfter > 0
		}
		wait(t, "card_testing.blocked", false, func(evs []*webhook.Event) bool { return len(of(evs, webhook.CardTestingBlocked, fromAttacker)) > 0 })
		// Let every delivery the burst started settle, then count.
		time.Sleep(2 * time.Second)
		if home.Retry != nil {
			home.Retry(t)
		}
		if n := len(of(sink.Events(t), webhook.CardTestingBlocked, fromAttacker)); n != 1 {
			t.Errorf("a burst refused %d times gave %d card_testing.blocked events, want exactly 1", blocked, n)
		}
	})

	t.Run("relay.failed", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, Cards()[1].Number)
		a := c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, header: map[string]string{"Idempotency-Key": "evt-relay-1"},
			body: jsonBody(map[string]any{"url": "http://127.0.0.1:1/v1/charges", "method": "POST", "body": `{"n":"{{` + tok + `:number}}"}`})})
		if a.Status != http.StatusBadGateway || a.code() != "upstream_error" {
			t.Fatalf("relay to a closed port = %d %s, want 502 upstream_error", a.Status, a.code())
		}
		isRelay := func(e *webhook.Event) bool {
			var d webhook.RelayFailedData
			return e.Decode(&d) == nil && d.IdempotencyKey == "evt-relay-1" && d.Host == "127.0.0.1:1" && d.Path == "/v1/charges" &&
				d.Code == "upstream_error" && d.Method == "POST"
		}
		evs := wait(t, "relay.failed", false, func(evs []*webhook.Event) bool { return len(of(evs, webhook.RelayFailed, isRelay)) > 0 })
		for _, e := range of(evs, webhook.RelayFailed, isRelay) {
			if strings.Contains(string(e.Data), tok) {
				t.Errorf("relay.failed names the relay's token")
			}
		}
	})

	t.Run("qr.rejected at the checkout only", func(t *testing.T) {
		bad := fx.QRBase[:len(fx.QRBase)-4] + "0000"
		// A shopper's verify (no key) is not the merchant's: no event.
		if a := c.do(t, req{method: "POST", path: "/v1/qr/verify", body: jsonBody(map[string]any{"payload": bad + "1"})}); a.Status != http.StatusOK {
			t.Fatalf("open verify = %d %s, want 200", a.Status, a.code())
		}
		if a := c.do(t, req{method: "POST", path: "/v1/qr/verify", key: shop.SK, body: jsonBody(map[string]any{"payload": bad})}); a.Status != http.StatusOK {
			t.Fatalf("checkout verify = %d %s, want 200", a.Status, a.code())
		}
		hasCRC := func(e *webhook.Event) bool {
			var d webhook.QRRejectedData
			return e.Decode(&d) == nil && len(d.Reasons) > 0 && d.Reasons[0].Code == "qr_bad_crc" && len(d.PayloadSHA256) == 64
		}
		evs := wait(t, "qr.rejected", false, func(evs []*webhook.Event) bool { return len(of(evs, webhook.QRRejected, hasCRC)) > 0 })
		if n := len(of(evs, webhook.QRRejected, nil)); n != 1 {
			t.Errorf("%d qr.rejected events, want 1 (the checkout's verify only)", n)
		}
	})

	t.Run("endpoint down, then back", func(t *testing.T) {
		sink.SetDown(true)
		var toks []string
		for i := 0; i < 3; i++ {
			tok := tokenizeOK(t, c, s, Cards()[i%len(Cards())].Number)
			if a := c.do(t, req{method: "DELETE", path: "/v1/tokens/" + tok, key: shop.SK}); a.Status != http.StatusOK {
				t.Fatalf("delete = %d %s, want 200", a.Status, a.code())
			}
			c.fx.live.Add(-1)
			toks = append(toks, tok)
		}
		// The endpoint is tried and refuses.
		deadline := time.Now().Add(30 * time.Second)
		for refused(sink) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no delivery attempt reached the endpoint while it was down")
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(2 * EventRetryMax)
		sink.SetDown(false)
		dedup := webhook.NewMemoryDeduplicator(time.Hour, nil)
		evs := wait(t, "every event made while the endpoint was down", true, func(evs []*webhook.Event) bool {
			got := map[string]bool{}
			for _, e := range of(evs, webhook.TokenDeleted, nil) {
				var d webhook.TokenDeletedData
				e.Decode(&d)
				got[d.Token] = true
			}
			for _, tok := range toks {
				if !got[tok] {
					return false
				}
			}
			return true
		})
		processed := 0
		for _, e := range of(evs, webhook.TokenDeleted, nil) {
			if first, _ := dedup.Begin(context.Background(), e.ID); first {
				processed++
				dedup.End(context.Background(), e.ID, true)
			}
		}
		if processed < 3 {
			t.Errorf("%d distinct token.deleted events after the outage, want at least 3", processed)
		}
	})

	t.Run("no card number in any delivery", func(t *testing.T) {
		fx.ScanForNumbers(t, "event deliveries", sink.All())
	})
}

// refused counts the deliveries the sink refused.
func refused(s *EventSink) int {
	n := 0
	for _, q := range s.Requests() {
		if q.Path == "/events" && q.status != http.StatusOK {
			n++
		}
	}
	return n
}
