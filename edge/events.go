package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/risk"
	"github.com/sealpay/sealpay/sdk/sqlunit"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// Events to the merchant (docs/edge-api.md, "Events"). An operation that
// causes an event inserts it into the outbox table events (migration
// 0130_events.sql) in the operation's own unit; [Handler.DeliverEvents]
// POSTs due events to the merchant's events URL, signed, and records each
// outcome in a unit of its own: delivered on a 2xx answer, otherwise due
// again after an exponential, jittered backoff, until retry_for has
// passed since the event was recorded. Natively a loop runs it
// (server.RunEvents); on the Worker, the request that queued an event
// runs it in ctx.waitUntil and the Cron Trigger retries.

// EventsConfig is a merchant's events endpoint ("events" of a merchant).
type EventsConfig struct {
	// URL receives the events: https, or http to a loopback host with the
	// merchant's allow_loopback_http (tests and demos).
	URL string `json:"url"`
	// SigningSecret signs the deliveries (Sealpay-Signature v2 over the
	// route "sealpay.event"), inline or, natively, in SigningSecretFile.
	// Use a secret of its own, not the forward routes' signing_secret.
	SigningSecret     string `json:"signing_secret,omitempty"`
	SigningSecretFile string `json:"signing_secret_file,omitempty"`
	// Types limits the events sent to these types; empty sends all.
	Types []string `json:"types,omitempty"`

	url   *url.URL
	types map[string]bool
}

// EventSettings is the delivery schedule ("events" at the top level of
// the configuration). Durations are Go durations; omitted ones keep their
// defaults.
type EventSettings struct {
	// Interval is how often the native server looks for due events
	// ("5s"); it also delivers at once after a request queues one. The
	// Worker retries on its Cron Trigger (every minute).
	Interval string `json:"interval,omitempty"`
	// RetryBase is the delay after the first failed attempt ("30s"); each
	// further failure doubles it, up to RetryMax ("1h"). Each delay is
	// jittered: a uniformly random time between half of it and all of it.
	RetryBase string `json:"retry_base,omitempty"`
	RetryMax  string `json:"retry_max,omitempty"`
	// RetryFor is how long after an event was recorded it is retried
	// ("72h"; at least "24h"): an attempt that fails after it marks the
	// event failed.
	RetryFor string `json:"retry_for,omitempty"`
}

// Default event delivery schedule.
const (
	DefaultEventInterval  = 5 * time.Second
	DefaultEventRetryBase = 30 * time.Second
	DefaultEventRetryMax  = time.Hour
	DefaultEventRetryFor  = 72 * time.Hour
	minEventRetryFor      = 24 * time.Hour
	// eventLease is how long a delivery in flight holds its event: a crash
	// mid-delivery leaves it due again after it. It is longer than the
	// delivery timeout.
	eventLease = time.Minute
	// eventTimeout bounds one delivery.
	eventTimeout = 15 * time.Second
	// eventBatch is how many due events one round reads.
	eventBatch = 100
	// eventKeep is how long delivered and failed events stay in the table.
	eventKeep = 7 * 24 * time.Hour
)

var eventTypes = map[string]bool{
	webhook.CardTestingBlocked: true, webhook.TokenDeleted: true, webhook.RelayFailed: true,
	webhook.KeyRotated: true, webhook.QRRejected: true,
}

// eventSettings are an EventSettings' durations, defaults filled in.
type eventSettings struct {
	interval, base, max, retryFor time.Duration
}

func (s *EventSettings) settings() (eventSettings, error) {
	out := eventSettings{DefaultEventInterval, DefaultEventRetryBase, DefaultEventRetryMax, DefaultEventRetryFor}
	if s == nil {
		return out, nil
	}
	for _, f := range []struct {
		name, v string
		dst     *time.Duration
		min     time.Duration
	}{
		{"interval", s.Interval, &out.interval, 100 * time.Millisecond},
		{"retry_base", s.RetryBase, &out.base, 100 * time.Millisecond},
		{"retry_max", s.RetryMax, &out.max, 100 * time.Millisecond},
		{"retry_for", s.RetryFor, &out.retryFor, minEventRetryFor},
	} {
		if f.v == "" {
			continue
		}
		d, err := time.ParseDuration(f.v)
		if err != nil || d < f.min {
			return out, fmt.Errorf("edge: events.%s must be a duration of at least %v: %w", f.name, f.min, ErrConfig)
		}
		*f.dst = d
	}
	if out.max < out.base {
		return out, fmt.Errorf("edge: events.retry_max must not be below events.retry_base: %w", ErrConfig)
	}
	return out, nil
}

// backoff is the delay after the attempt-th failed attempt (1-based):
// RetryBase·2^(attempt−1), at most RetryMax, scaled into [½, 1] by
// jitter in [0, 1) ("equal jitter": never less than half the step, so the
// schedule still spans retry_for, and spread so that events that failed
// together do not come back together).
func (s eventSettings) backoff(attempt int, jitter float64) time.Duration {
	d := s.max
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 40 {
		if e := s.base << (attempt - 1); e > 0 && e < s.max {
			d = e
		}
	}
	return d/2 + time.Duration(jitter*float64(d-d/2))
}

// compile checks m's events configuration.
func (e *EventsConfig) compile(m *Merchant) error {
	if e == nil {
		return nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("edge: merchant %q: events: %s: %w", m.ID, fmt.Sprintf(format, args...), ErrConfig)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return bad("url must be absolute with a host")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && m.AllowLoopbackHTTP && isLoopbackHost(u.Hostname())) {
		return bad("url must be https (http only for loopback with allow_loopback_http)")
	}
	if e.SigningSecret == "" && e.SigningSecretFile == "" {
		return bad("signing_secret or signing_secret_file is required")
	}
	e.types = map[string]bool{}
	for _, t := range e.Types {
		if !eventTypes[t] {
			return bad("unknown event type %q (want one of %s)", t, strings.Join(eventTypeNames(), ", "))
		}
		e.types[t] = true
	}
	e.url = u
	return nil
}

// load reads the signing_secret_file, a path relative to dir already.
func (e *EventsConfig) load(rel func(*string)) error {
	if e == nil || e.SigningSecretFile == "" {
		return nil
	}
	rel(&e.SigningSecretFile)
	s, err := ReadSecretFile(e.SigningSecretFile, "events signing_secret_file")
	if err != nil {
		return err
	}
	e.SigningSecret = strings.TrimSpace(string(s))
	return nil
}

// wants reports whether the merchant takes events of type t.
func (e *EventsConfig) wants(t string) bool {
	return e != nil && e.url != nil && (len(e.types) == 0 || e.types[t])
}

// outbox is the handler's event state.
type outbox struct {
	set    eventSettings
	kick   chan struct{}
	noted  atomic.Bool // key sets checked for rotation
	jitter func() float64
}

func newOutbox(s *EventSettings) (*outbox, error) {
	set, err := s.settings()
	if err != nil {
		return nil, err
	}
	return &outbox{set: set, kick: make(chan struct{}, 1), jitter: mrand.Float64}, nil
}

// EventsQueued returns a channel that receives a value after a unit that
// queued an event has completed (at most one value waits): the native
// loop delivers at once, and the Worker starts a delivery in
// ctx.waitUntil after the request.
func (h *Handler) EventsQueued() <-chan struct{} { return h.ev.kick }

// EventInterval is how often the native server looks for due events
// (events.interval).
func (h *Handler) EventInterval() time.Duration { return h.ev.set.interval }

func (h *Handler) eventsQueued() {
	select {
	case h.ev.kick <- struct{}{}:
	default:
	}
}

const insertEvent = `INSERT INTO events (id, merchant, type, dedupe, body, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)`

// insertEventOnce inserts unless the merchant has an event of the same
// dedupe key created after the given time.
const insertEventOnce = `INSERT INTO events (id, merchant, type, dedupe, body, created_at, next_at)
  SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS
  (SELECT 1 FROM events WHERE merchant = ? AND dedupe = ? AND created_at > ?)`

// eventStmt returns the statement that queues an event of type typ with
// data for m at now, and false if m takes no such events. With a dedupe
// key, the statement inserts nothing if m has an event with that key
// recorded within window before now.
func (h *Handler) eventStmt(m *Merchant, typ string, data any, now time.Time, dedupe string, window time.Duration) (sqlunit.Stmt, bool) {
	if m == nil || !m.Events.wants(typ) {
		return sqlunit.Stmt{}, false
	}
	d, err := json.Marshal(data)
	if err != nil {
		panic("edge: internal error: event data does not marshal")
	}
	id := "evt_" + rand.Text()
	body, err := json.Marshal(webhook.Event{ID: id, Type: typ, Created: now.Unix(), Merchant: m.ID, Data: d})
	if err != nil {
		panic("edge: internal error: event does not marshal")
	}
	args := []any{id, m.ID, typ, nil, body, now.Unix(), now.Unix()}
	if dedupe == "" {
		return sqlunit.S(insertEvent, args...), true
	}
	args[3] = dedupe
	return sqlunit.S(insertEventOnce, append(args, m.ID, dedupe, now.Add(-window).Unix())...), true
}

// cardTestingReasons are the risk limits whose refusal is a card-testing
// block (the request limits are not).
var cardTestingReasons = map[string]string{
	risk.ReasonClientCards: "client", risk.ReasonClientFailures: "client",
	risk.ReasonKeyCards: "key", risk.ReasonKeyFailures: "key",
}

// cardTestingEvent queues card_testing.blocked with c's refusal if err
// is a card-testing limit's refusal of an identified merchant's request:
// one per limit, client (or key) and window.
func (h *Handler) cardTestingEvent(c *call, err error) {
	var rl *rateLimited
	if c.merchant == nil || !errors.As(err, &rl) {
		return
	}
	scope, ok := cardTestingReasons[c.limit]
	if !ok {
		return
	}
	d := webhook.CardTestingData{Reason: c.limit, Scope: scope, KeyID: c.keyID, Route: c.r.Pattern, RetryAfter: int64(rl.after / time.Second)}
	subject := c.key
	if scope == "client" {
		d.Client, subject = clientID(c), clientID(c)
	}
	sum := sha256.Sum256([]byte(c.limit + "\n" + subject))
	dedupe := "ct:" + hex.EncodeToString(sum[:16])
	// The outbox's own check keeps it to one per window; skipping the
	// statement when this instance has already stored it keeps the
	// refusals that follow in the window cheap (an early counter bump, no
	// fsync each).
	if h.blocked.has(c.merchant.ID, dedupe, c.now) {
		return
	}
	if s, ok := h.eventStmt(c.merchant, webhook.CardTestingBlocked, d, c.now, dedupe, rl.after); ok {
		c.events = append(c.events, s)
		c.blocked = blockedMark{key: c.merchant.ID + "\n" + dedupe, until: c.now.Add(rl.after)}
	}
}

// blockedMark is a card-testing event a request queues: its merchant and
// dedupe key, and the end of its window.
type blockedMark struct {
	key   string
	until time.Time
}

// blockedSet remembers the card-testing events this instance has stored,
// until their windows end.
type blockedSet struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// maxBlocked bounds the set; past it, ended windows are swept first.
const maxBlocked = 4096

// has reports whether the event of merchant mid and key dedupe was stored
// by this instance and its window has not ended at now.
func (s *blockedSet) has(mid, dedupe string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.m[mid+"\n"+dedupe]
	return ok && now.Before(until)
}

// note remembers b, once its unit is stored at now. A full set forgets
// the ended windows, then any (the outbox's check still holds).
func (s *blockedSet) note(b blockedMark, now time.Time) {
	if b.key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]time.Time{}
	}
	if len(s.m) >= maxBlocked {
		for k, until := range s.m {
			if !now.Before(until) {
				delete(s.m, k)
			}
		}
		for k := range s.m {
			if len(s.m) < maxBlocked {
				break
			}
			delete(s.m, k)
		}
	}
	s.m[b.key] = b.until
}

// relayFailedEvent queues relay.failed for c, a relay whose card data
// left the vault but whose provider failed with err.
func (h *Handler) relayFailedEvent(c *call, method string, u *url.URL, err error) {
	d := webhook.RelayFailedData{Code: string(errcode.Of(err)), Method: method, Host: u.Host, Path: auditPath(u),
		IdempotencyKey: c.r.Header.Get("Idempotency-Key")}
	if s, ok := h.eventStmt(c.merchant, webhook.RelayFailed, d, c.now, "", 0); ok {
		c.events = append(c.events, s)
	}
}

// qrRejectedEvent queues qr.rejected, in a unit of its own (a rejected
// verify writes nothing else), for the checkout m's rejected verdict v
// of payload.
func (h *Handler) qrRejectedEvent(ctx context.Context, m *Merchant, payload string, v *qr.Verdict, now time.Time) error {
	sum := sha256.Sum256([]byte(payload))
	d := webhook.QRRejectedData{PayloadSHA256: hex.EncodeToString(sum[:]), Reasons: []webhook.QRReason{}}
	for _, r := range v.Reasons {
		d.Reasons = append(d.Reasons, webhook.QRReason{Code: string(r.Code), Detail: r.Detail})
	}
	s, ok := h.eventStmt(m, webhook.QRRejected, d, now, "", 0)
	if !ok {
		return nil
	}
	if _, err := h.store.Exec(dbContext(ctx), sqlunit.Unit{Stmts: []sqlunit.Stmt{s}}); err != nil {
		return fmt.Errorf("edge: queueing qr.rejected: %w", err)
	}
	h.eventsQueued()
	return nil
}

// noteKeys queues key.rotated for every merchant that takes it when a key
// set's primary is not the one the edge last recorded, and records the
// current one: the first time a process with the new primary delivers
// events (natively at start-up, on the Worker at the first delivery of
// an instance). The first primary ever recorded is no rotation.
func (h *Handler) noteKeys(ctx context.Context) error {
	sets := []struct{ name, id string }{{"envelope", primaryKID(h.keys_)}, {"audit", h.akeys.PrimaryID()}}
	now := h.now()
	for _, ks := range sets {
		if ks.id == "" {
			continue
		}
		rows, err := h.store.Query(ctx, `SELECT key_id FROM event_keys WHERE name = ?`, ks.name)
		if err != nil {
			return fmt.Errorf("edge: reading the last primary keys: %w", err)
		}
		prev := ""
		if len(rows) > 0 {
			prev = rows[0].String(0)
		}
		if prev == ks.id {
			continue
		}
		var stmts []sqlunit.Stmt
		if prev == "" {
			stmts = append(stmts, sqlunit.Refuse(sqlunit.RefusedReplayed, `SELECT 1 FROM event_keys WHERE name = ?`, ks.name))
		} else {
			stmts = append(stmts, sqlunit.RefuseUnless(sqlunit.RefusedReplayed, `SELECT 1 FROM event_keys WHERE name = ? AND key_id = ?`, ks.name, prev))
			for _, m := range h.cfg.Merchants {
				if s, ok := h.eventStmt(m, webhook.KeyRotated, webhook.KeyRotatedData{KeySet: ks.name, KeyID: ks.id, PreviousKeyID: prev}, now, "", 0); ok {
					stmts = append(stmts, s)
				}
			}
		}
		stmts = append(stmts, sqlunit.S(`INSERT INTO event_keys (name, key_id, seen_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, seen_at = excluded.seen_at`, ks.name, ks.id, now.Unix()))
		_, err = h.store.Exec(ctx, sqlunit.Unit{Stmts: stmts})
		var r *sqlunit.Refusal
		if errors.As(err, &r) {
			continue // another process recorded it first
		}
		if err != nil {
			return fmt.Errorf("edge: recording the primary keys: %w", err)
		}
	}
	return nil
}

// primaryKID is the id of ks's primary key.
func primaryKID(ks *envelope.KeySet) string {
	for _, k := range ks.Keys() {
		if k.Status == "primary" {
			return k.KeyID
		}
	}
	return ""
}

// DeliveryResult is what one [Handler.DeliverEvents] did.
type DeliveryResult struct {
	// Delivered events got a 2xx answer; Retrying ones failed and are
	// due again later; GaveUp ones failed after retry_for and are marked
	// failed.
	Delivered, Retrying, GaveUp int
}

// pendingEvent is a due event read for delivery.
type pendingEvent struct {
	id, merchant, typ string
	body              []byte
}

// DeliverEvents delivers the events that are due now, each merchant's in
// turn and the merchants side by side: an endpoint that fails stops its
// own merchant's deliveries for this round and pushes them back to its
// next retry, never another merchant's. Each step is a unit: taking an
// event (its attempt counted, and held for a lease so that a crash
// mid-delivery retries it), then its outcome. It first records the key
// sets' primaries (see key.rotated). Call it from a loop (natively) or
// after a request and from a cron (Worker); concurrent calls deliver an
// event once each time it is due.
func (h *Handler) DeliverEvents(ctx context.Context) (DeliveryResult, error) {
	var res DeliveryResult
	var errs []error
	if !h.ev.noted.Load() {
		if err := h.noteKeys(ctx); err != nil {
			errs = append(errs, err)
		} else {
			h.ev.noted.Store(true)
		}
	}
	now := h.now()
	rows, err := h.store.Query(ctx, `SELECT id, merchant, type, body FROM events
		WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, created_at LIMIT ?`, now.Unix(), eventBatch)
	if err != nil {
		return res, errors.Join(append(errs, fmt.Errorf("edge: reading due events: %w", err))...)
	}
	byMerchant := map[string][]pendingEvent{}
	var order []string
	for _, r := range rows {
		e := pendingEvent{id: r.String(0), merchant: r.String(1), typ: r.String(2), body: r.Bytes(3)}
		if _, ok := byMerchant[e.merchant]; !ok {
			order = append(order, e.merchant)
		}
		byMerchant[e.merchant] = append(byMerchant[e.merchant], e)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, mid := range order {
		wg.Go(func() {
			r, err := h.deliverMerchant(ctx, mid, byMerchant[mid], now)
			mu.Lock()
			defer mu.Unlock()
			res.Delivered += r.Delivered
			res.Retrying += r.Retrying
			res.GaveUp += r.GaveUp
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return res, errors.Join(errs...)
}

// merchant returns the configured merchant with id mid, or nil.
func (h *Handler) merchant(mid string) *Merchant {
	for _, m := range h.cfg.Merchants {
		if m.ID == mid {
			return m
		}
	}
	return nil
}

// deliverMerchant delivers evs, one merchant's due events, in order,
// stopping at the first failure.
func (h *Handler) deliverMerchant(ctx context.Context, mid string, evs []pendingEvent, now time.Time) (DeliveryResult, error) {
	var res DeliveryResult
	m := h.merchant(mid)
	for _, e := range evs {
		rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
			`UPDATE events SET attempts = attempts + 1, next_at = ?, leased = 1 WHERE id = ? AND state = 'pending' AND next_at <= ?
			RETURNING attempts, created_at`, now.Add(eventLease).Unix(), e.id, now.Unix())}})
		if err != nil {
			return res, fmt.Errorf("edge: taking an event: %w", err)
		}
		if len(rs[0]) == 0 {
			continue // another deliverer took it
		}
		attempts, created := int(rs[0][0].Int(0)), rs[0][0].Int(1)
		if m == nil || !m.Events.wants(e.typ) {
			// The configuration no longer sends it (the merchant, its
			// events url or this type is gone): no retry can deliver it,
			// and it must not hold the merchant's other events back.
			failure := "no events url configured"
			if m != nil && m.Events != nil && m.Events.url != nil {
				failure = "event type not enabled"
			}
			if _, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`UPDATE events SET state = 'failed', leased = 0, done_at = ?, last_error = ? WHERE id = ?`,
				h.now().Unix(), failure, e.id)}}); err != nil {
				return res, fmt.Errorf("edge: settling an event: %w", err)
			}
			res.GaveUp++
			continue
		}
		status, failure := h.send(ctx, m, e)
		if failure == "" {
			if _, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
				`UPDATE events SET state = 'delivered', leased = 0, done_at = ?, last_status = ?, last_error = NULL WHERE id = ?`,
				h.now().Unix(), status, e.id)}}); err != nil {
				return res, fmt.Errorf("edge: recording a delivery: %w", err)
			}
			res.Delivered++
			continue
		}
		at := h.now()
		next := at.Add(h.ev.set.backoff(attempts, h.ev.jitter()))
		var st sqlunit.Stmt
		// An attempt that fails once retry_for has passed is the last:
		// the event is retried for at least retry_for.
		if at.Unix() >= created+int64(h.ev.set.retryFor/time.Second) {
			st = sqlunit.S(`UPDATE events SET state = 'failed', leased = 0, done_at = ?, last_status = ?, last_error = ? WHERE id = ?`,
				at.Unix(), status, failure, e.id)
			res.GaveUp++
		} else {
			st = sqlunit.S(`UPDATE events SET next_at = ?, leased = 0, last_status = ?, last_error = ? WHERE id = ?`,
				next.Unix(), status, failure, e.id)
			res.Retrying++
		}
		// The endpoint failed: the merchant's other pending events wait
		// for its next retry too, so a dead endpoint costs one attempt
		// per step of the backoff, not one per event.
		push := sqlunit.S(`UPDATE events SET next_at = ? WHERE merchant = ? AND state = 'pending' AND next_at < ? AND id != ?`,
			next.Unix(), mid, next.Unix(), e.id)
		if _, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{st, push}}); err != nil {
			return res, fmt.Errorf("edge: recording a failed delivery: %w", err)
		}
		h.log.Warn("edge: event delivery failed", "merchant", mid, "type", e.typ, "attempt", attempts, "error", failure)
		return res, nil
	}
	return res, nil
}

// send POSTs e to m's events URL, signed now, and returns the answer's
// status and "" for a 2xx answer, or a short description of the failure
// (never a body or a header of the answer).
func (h *Handler) send(ctx context.Context, m *Merchant, e pendingEvent) (int, string) {
	u := m.Events.url
	sig, err := webhook.SignEvent([][]byte{[]byte(m.Events.SigningSecret)}, u.RequestURI(), e.body, h.now())
	if err != nil {
		return 0, "signing failed"
	}
	ctx, cancel := context.WithTimeout(ctx, eventTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(e.body))
	if err != nil {
		return 0, "bad request"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sealpay-Edge/1")
	req.Header.Set(webhook.Header, sig)
	req.Header.Set(webhook.RouteHeader, webhook.EventRoute)
	req.Header.Set(webhook.EventIDHeader, e.id)
	req.Header.Set(webhook.EventTypeHeader, e.typ)
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "timeout"
		}
		return 0, "unreachable"
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "status " + strconv.Itoa(resp.StatusCode)
	}
	return resp.StatusCode, ""
}

// ReleaseEventLeases makes the events whose delivery was in flight when
// a previous process stopped (killed mid-delivery) due at once, instead
// of after their lease. Call it only from a process that is the store's
// only deliverer, before it delivers: the native server at start-up
// (sqlitedb lets one process hold the database). It returns how many.
func (h *Handler) ReleaseEventLeases(ctx context.Context) (int, error) {
	rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`UPDATE events SET next_at = ?, leased = 0 WHERE state = 'pending' AND leased = 1 RETURNING 1`, h.now().Unix())}})
	if err != nil {
		return 0, fmt.Errorf("edge: releasing event leases: %w", err)
	}
	return len(rs[0]), nil
}

// EventBacklog returns how many events wait for delivery (pending, due
// or not): for a metrics gauge.
func (h *Handler) EventBacklog(ctx context.Context) (int, error) {
	rows, err := h.store.Query(ctx, `SELECT count(*) FROM events WHERE state = 'pending'`)
	if err != nil {
		return 0, fmt.Errorf("edge: counting pending events: %w", err)
	}
	return int(rows[0].Int(0)), nil
}

// purgeEvents deletes delivered and failed events a week after they were
// settled.
func (h *Handler) purgeEvents(ctx context.Context, now time.Time) (int, error) {
	rs, err := h.store.Exec(ctx, sqlunit.Unit{Stmts: []sqlunit.Stmt{sqlunit.S(
		`DELETE FROM events WHERE state IN ('delivered', 'failed') AND done_at < ? RETURNING 1`, now.Add(-eventKeep).Unix())}})
	if err != nil {
		return 0, err
	}
	return len(rs[0]), nil
}

// eventTypeNames lists the event types, sorted, for messages.
func eventTypeNames() []string {
	var out []string
	for t := range eventTypes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
