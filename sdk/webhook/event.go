package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// Events (docs/edge-api.md, "Events"). The edge POSTs each event to the
// merchant's events URL with
//
//	Sealpay-Signature: t=<unix seconds>,v2=<hex MAC>
//	Sealpay-Route: sealpay.event
//	Sealpay-Event-Id: evt_…
//	Sealpay-Event-Type: card_testing.blocked
//
// where v2 is the forward's v2 MAC with route [EventRoute] and no tokens:
// HMAC-SHA256(secret, "sealpay/forward/v2" LF t LF "POST" LF
// "sealpay.event" LF path LF "" LF body). EventRoute is not a valid
// forward route name, so an event never verifies as a forward from one of
// the merchant's routes; and there is no v1 value, which covers only the
// body. A receiver calls [VerifyEvent], then processes each event id once
// ([Deduplicator]): the edge delivers at least once, and retries until it
// gets a 2xx answer.
const (
	// EventRoute is the route an event's signature covers.
	EventRoute = "sealpay.event"
	// EventIDHeader and EventTypeHeader repeat the event's id and type.
	EventIDHeader   = "Sealpay-Event-Id"
	EventTypeHeader = "Sealpay-Event-Type"
)

// The event types.
const (
	// CardTestingBlocked: the risk guard refused a card-testing burst
	// (too many distinct cards or failed attempts, per client or per
	// key). One event per burst: later refusals of the same limit and
	// client (or key) within the limit's window are not events.
	CardTestingBlocked = "card_testing.blocked"
	// TokenDeleted: DELETE /v1/tokens/{token} deleted a token.
	TokenDeleted = "token.deleted"
	// RelayFailed: a relay took card data from the vault but the provider
	// could not be reached or its answer could not be read.
	RelayFailed = "relay.failed"
	// KeyRotated: the edge started with a new primary key in one of its
	// key sets.
	KeyRotated = "key.rotated"
	// QRRejected: the merchant's checkout verified a QR code (POST
	// /v1/qr/verify with its secret key) and the verdict was "rejected".
	QRRejected = "qr.rejected"
)

// Event is one event as delivered. Data holds the type's payload: decode
// it with [Event.Decode] into the matching *Data type.
type Event struct {
	// ID is "evt_" and 26 base32 characters; a redelivery has the same.
	ID string `json:"id"`
	// Type is one of the event type constants; receivers ignore others.
	Type string `json:"type"`
	// Created is when the edge recorded the event, Unix seconds.
	Created int64 `json:"created"`
	// Merchant is the merchant id.
	Merchant string `json:"merchant"`
	// Data is the type's payload, a JSON object.
	Data json.RawMessage `json:"data"`
}

// CardTestingData is the data of [CardTestingBlocked].
type CardTestingData struct {
	// Reason names the limit: client_cards, client_failures, key_cards
	// or key_failures (sdk/risk).
	Reason string `json:"reason"`
	// Scope is "client" or "key": what the limit counts.
	Scope string `json:"scope"`
	// Client is the client address counted, for a client limit.
	Client string `json:"client,omitempty"`
	// KeyID names the API key used: its kind and the first 12 hex digits
	// of its hash ("pk:sha256:0123456789ab"), never the key.
	KeyID string `json:"key_id"`
	// Route is the route pattern refused, e.g. "POST /v1/tokens".
	Route string `json:"route"`
	// RetryAfter is the refusal's Retry-After, in seconds.
	RetryAfter int64 `json:"retry_after"`
}

// TokenDeletedData is the data of [TokenDeleted].
type TokenDeletedData struct {
	Token string `json:"token"`
}

// RelayFailedData is the data of [RelayFailed].
type RelayFailedData struct {
	// Code is the error code the relay answered (upstream_error).
	Code string `json:"code"`
	// Method, Host and Path name the provider endpoint (never its query).
	Method string `json:"method"`
	Host   string `json:"host"`
	Path   string `json:"path"`
	// IdempotencyKey is the relay's Idempotency-Key, if it had one.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// KeyRotatedData is the data of [KeyRotated].
type KeyRotatedData struct {
	// KeySet is "envelope" (the keys browsers seal cards to; refresh a
	// cached JWK Set) or "audit" (the audit log's MAC keys).
	KeySet string `json:"key_set"`
	// KeyID is the new primary key's id, PreviousKeyID the old one's.
	KeyID         string `json:"key_id"`
	PreviousKeyID string `json:"previous_key_id"`
}

// QRRejectedData is the data of [QRRejected].
type QRRejectedData struct {
	// Reasons are the verdict's reasons, codes and details only.
	Reasons []QRReason `json:"reasons"`
	// PayloadSHA256 is the hex SHA-256 of the verified payload.
	PayloadSHA256 string `json:"payload_sha256"`
}

// QRReason is one reason of a rejected QR verdict.
type QRReason struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// Decode decodes e's data into v (one of the *Data types).
func (e *Event) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("webhook: event data: %v: %w", err, ErrMalformedEvent)
	}
	return nil
}

// ErrMalformedEvent is returned by [ParseEvent] for a body that is not an
// event: not one JSON object, or without a valid id, type, created time,
// merchant or data object.
var ErrMalformedEvent = errcode.New(errcode.BadRequest, "webhook: malformed event")

// MaxEventSize bounds an event body; the edge's are far smaller.
const MaxEventSize = 64 << 10

// ParseEvent parses an event body. It checks the shape only; call
// [VerifyEvent] to know the edge sent it.
func ParseEvent(body []byte) (*Event, error) {
	if len(body) > MaxEventSize {
		return nil, fmt.Errorf("webhook: event over %d bytes: %w", MaxEventSize, ErrMalformedEvent)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var e Event
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("webhook: event: %v: %w", err, ErrMalformedEvent)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("webhook: event: data after the object: %w", ErrMalformedEvent)
	}
	if !ValidEventID(e.ID) || e.Type == "" || len(e.Type) > 64 || e.Created <= 0 || e.Merchant == "" {
		return nil, fmt.Errorf("webhook: event lacks a valid id, type, created or merchant: %w", ErrMalformedEvent)
	}
	if d := bytes.TrimSpace(e.Data); len(d) == 0 || d[0] != '{' {
		return nil, fmt.Errorf("webhook: event data is not an object: %w", ErrMalformedEvent)
	}
	return &e, nil
}

// ValidEventID reports whether id is "evt_" and 26 characters of the
// base32 alphabet (A–Z, 2–7).
func ValidEventID(id string) bool {
	rest, ok := strings.CutPrefix(id, "evt_")
	if !ok || len(rest) != 26 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// SignEvent returns the Sealpay-Signature header value for an event body
// POSTed to path (the request target: escaped path and query) at now: a
// v2 value per secret (the first is the current one).
func SignEvent(secrets [][]byte, path string, body []byte, now time.Time) (string, error) {
	t := now.Unix()
	in, err := eventMessage(path, body).canonical(t)
	if err != nil {
		return "", err
	}
	v2 := make([][]byte, len(secrets))
	for i, s := range secrets {
		v2[i] = macV2(s, in)
	}
	return formatHeader(t, nil, v2), nil
}

func eventMessage(path string, body []byte) Message {
	return Message{Method: http.MethodPost, Route: EventRoute, Path: path, Body: body}
}

// VerifyEvent checks the signature of r, an event delivery whose body the
// caller has read in full into body, with secret at now (a tolerance of
// zero or less means [DefaultTolerance]), and returns the event. It
// covers the method, the request target as received (r.RequestURI, or
// r.URL.RequestURI() if empty) and the body. Signature errors are those
// of [VerifyRequest]; a signed body that is no event gives
// [ErrMalformedEvent].
func VerifyEvent(r *http.Request, body, secret []byte, tolerance time.Duration, now time.Time) (*Event, error) {
	path := r.RequestURI
	if path == "" {
		path = r.URL.RequestURI()
	}
	m := eventMessage(path, body)
	m.Method = r.Method
	if _, err := VerifyMessage(r.Header.Get(Header), m, secret, tolerance, now); err != nil {
		return nil, err
	}
	return ParseEvent(body)
}

// A Deduplicator remembers which events a receiver has processed, so that
// a redelivered event is processed once. Implement it on the receiver's
// database (a table with the event id as primary key) and keep ids for at
// least as long as the edge retries (docs/edge-api.md, "Events"), plus
// the signature tolerance. [MemoryDeduplicator] is an in-memory one for
// one process.
type Deduplicator interface {
	// Begin reports whether id is new. A new id is held (a concurrent
	// Begin with it reports false) until End.
	Begin(ctx context.Context, id string) (bool, error)
	// End settles a held id: processed true remembers it, false forgets
	// it, so that the edge's retry is processed.
	End(ctx context.Context, id string, processed bool) error
}

// MemoryDeduplicator is a [Deduplicator] in memory, forgetting ids after
// a retention time. It is for one process and for tests; a restart
// forgets every id.
type MemoryDeduplicator struct {
	keep  time.Duration
	now   func() time.Time
	mu    sync.Mutex
	seen  map[string]time.Time // id → when it may be forgotten (zero while held)
	swept time.Time            // when forgotten ids were last deleted
}

// NewMemoryDeduplicator returns a MemoryDeduplicator that keeps ids for
// keep; now is the clock (nil for time.Now).
func NewMemoryDeduplicator(keep time.Duration, now func() time.Time) *MemoryDeduplicator {
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduplicator{keep: keep, now: now, seen: map[string]time.Time{}}
}

// Begin implements [Deduplicator].
func (d *MemoryDeduplicator) Begin(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	// Forgotten ids are deleted a minute apart (or every keep, if
	// shorter), not on every event.
	if now.Sub(d.swept) >= min(d.keep, time.Minute) {
		for k, until := range d.seen {
			if !until.IsZero() && now.After(until) {
				delete(d.seen, k)
			}
		}
		d.swept = now
	}
	if until, ok := d.seen[id]; ok && (until.IsZero() || !now.After(until)) {
		return false, nil
	}
	d.seen[id] = time.Time{}
	return true, nil
}

// End implements [Deduplicator].
func (d *MemoryDeduplicator) End(_ context.Context, id string, processed bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if processed {
		d.seen[id] = d.now().Add(d.keep)
	} else {
		delete(d.seen, id)
	}
	return nil
}

// EventHandler returns the receiving end of the merchant's events URL: it
// reads the body (at most [MaxEventSize]), verifies it with secret
// ([VerifyEvent], [DefaultTolerance]) and calls fn once per event id
// (dedup). It answers 401 for a bad signature, 400 for a signed body that
// is no event, 200 for a duplicate without calling fn, 500 if fn fails
// (the edge retries), and 200 once fn succeeds.
func EventHandler(secret []byte, dedup Deduplicator, fn func(ctx context.Context, e *Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxEventSize))
		if err != nil {
			http.Error(w, "event too large", http.StatusRequestEntityTooLarge)
			return
		}
		e, err := VerifyEvent(r, body, secret, DefaultTolerance, time.Now())
		switch {
		case errors.Is(err, ErrMalformedEvent):
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ctx := r.Context()
		first, err := dedup.Begin(ctx, e.ID)
		if err != nil {
			http.Error(w, "dedup store unavailable", http.StatusInternalServerError)
			return
		}
		if !first {
			w.WriteHeader(http.StatusOK)
			return
		}
		ferr := fn(ctx, e)
		if err := dedup.End(ctx, e.ID, ferr == nil); err != nil || ferr != nil {
			http.Error(w, "event not processed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
