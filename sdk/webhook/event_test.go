package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The event vector of docs/edge-api.md ("Events"), computed independently
// with
//
//	printf 'sealpay/forward/v2\n1800000000\nPOST\nsealpay.event\n/hooks/sealpay\n\n%s' "$(cat testdata/events/valid-token-deleted.json)" | openssl dgst -sha256 -hmac whsec_evt_test
const (
	eventVectorSecret = "whsec_evt_test"
	eventVectorPath   = "/hooks/sealpay"
	eventVectorHeader = "t=1800000000,v2=d299578c981bac7db0402da45ca8882493bb5f84afaf6a6c82215561b5d6d675"
)

var eventVectorNow = time.Unix(1800000000, 0)

func eventVectorBody(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "events", "valid-token-deleted.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func eventRequest(path, header string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set(Header, header)
	return r
}

func TestSignEventVector(t *testing.T) {
	body := eventVectorBody(t)
	got, err := SignEvent([][]byte{[]byte(eventVectorSecret)}, eventVectorPath, body, eventVectorNow)
	if err != nil || got != eventVectorHeader {
		t.Fatalf("SignEvent = %q, %v; want %q (computed with openssl)", got, err, eventVectorHeader)
	}
	e, err := VerifyEvent(eventRequest(eventVectorPath, got, body), body, []byte(eventVectorSecret), 0, eventVectorNow)
	if err != nil {
		t.Fatalf("VerifyEvent(vector) = %v", err)
	}
	var d TokenDeletedData
	if e.Type != TokenDeleted || e.Decode(&d) != nil || d.Token != "tok_0000000000000000000000" {
		t.Errorf("event = %s %s, want token.deleted of tok_000…", e.Type, e.Data)
	}
}

func TestVerifyEventRefuses(t *testing.T) {
	body := eventVectorBody(t)
	secret := []byte(eventVectorSecret)
	forward, _ := SignForward([][]byte{secret}, Message{Method: "POST", Route: "checkout", Path: eventVectorPath, Body: body}, eventVectorNow)
	v1only := SignRequest(secret, body, eventVectorNow)
	flipped := []byte(strings.Replace(string(body), "tok_0", "tok_1", 1))
	for _, tc := range []struct {
		name   string
		path   string
		header string
		body   []byte
		secret []byte
		now    time.Time
		want   error
	}{
		{"another body", eventVectorPath, eventVectorHeader, flipped, secret, eventVectorNow, ErrNoValidSignature},
		{"another path", "/hooks/other", eventVectorHeader, body, secret, eventVectorNow, ErrNoValidSignature},
		{"another secret", eventVectorPath, eventVectorHeader, body, []byte("whsec_other"), eventVectorNow, ErrNoValidSignature},
		{"a forward's signature", eventVectorPath, forward, body, secret, eventVectorNow, ErrNoValidSignature},
		{"v1 only", eventVectorPath, v1only, body, secret, eventVectorNow, ErrNoValidSignature},
		{"stale", eventVectorPath, eventVectorHeader, body, secret, eventVectorNow.Add(DefaultTolerance + time.Second), ErrStale},
		{"early", eventVectorPath, eventVectorHeader, body, secret, eventVectorNow.Add(-DefaultTolerance - time.Second), ErrStale},
		{"no header", eventVectorPath, "", body, secret, eventVectorNow, ErrMalformedHeader},
		{"empty secret", eventVectorPath, eventVectorHeader, body, nil, eventVectorNow, ErrNoValidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyEvent(eventRequest(tc.path, tc.header, tc.body), tc.body, tc.secret, 0, tc.now)
			if !errors.Is(err, tc.want) {
				t.Errorf("VerifyEvent = %v, want %v", err, tc.want)
			}
		})
	}
	// An event does not pass as a forward from one of the merchant's
	// routes: VerifyRequest sees the route sealpay.event, no tokens.
	r := eventRequest(eventVectorPath, eventVectorHeader, body)
	r.Header.Set(RouteHeader, EventRoute)
	if v, err := VerifyRequest(r, body, secret, 0, eventVectorNow); err == nil && (v.Route != EventRoute || len(v.Tokens) != 0) {
		t.Errorf("VerifyRequest of an event = route %q tokens %v, want route %q and none", v.Route, v.Tokens, EventRoute)
	}
}

func TestParseEventVectors(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if len(files) == 0 {
		t.Fatal("no event vectors")
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseEvent(b)
			switch {
			case strings.HasPrefix(name, "valid-") && err != nil:
				t.Errorf("ParseEvent = %v, want an event", err)
			case strings.HasPrefix(name, "malformed-") && !errors.Is(err, ErrMalformedEvent):
				t.Errorf("ParseEvent = %v, want ErrMalformedEvent", err)
			}
		})
	}
	if _, err := ParseEvent(make([]byte, MaxEventSize+1)); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("ParseEvent(too large) = %v, want ErrMalformedEvent", err)
	}
}

// FuzzParseEvent: an event ParseEvent accepts has a valid id and a data
// object, and its fields survive a re-encoding; anything else is
// ErrMalformedEvent.
func FuzzParseEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if len(files) == 0 {
		f.Fatal("no seeds in testdata/events")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEvent(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedEvent) {
				t.Fatalf("ParseEvent error %v is not ErrMalformedEvent", err)
			}
			return
		}
		if !ValidEventID(e.ID) || e.Type == "" || e.Merchant == "" || e.Created <= 0 {
			t.Fatalf("ParseEvent accepted an event without id, type, merchant or created")
		}
		again, err := ParseEvent(mustMarshal(t, e))
		if err != nil || again.ID != e.ID || again.Type != e.Type || again.Merchant != e.Merchant || again.Created != e.Created {
			t.Fatalf("re-encoded event does not parse to the same fields: %v", err)
		}
	})
}

func TestEventHandlerDedup(t *testing.T) {
	body := eventVectorBody(t)
	secret := []byte(eventVectorSecret)
	var calls int
	fail := true
	h := EventHandler(secret, NewMemoryDeduplicator(time.Hour, nil), func(ctx context.Context, e *Event) error {
		calls++
		if fail {
			return errors.New("database down")
		}
		return nil
	})
	send := func(header string, b []byte) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, eventRequest(eventVectorPath, header, b))
		return w.Code
	}
	sig, _ := SignEvent([][]byte{secret}, eventVectorPath, body, time.Now())
	if code := send(sig, body); code != http.StatusInternalServerError || calls != 1 {
		t.Fatalf("a failing handler: %d after %d calls, want 500 after 1 (the edge retries)", code, calls)
	}
	fail = false
	for i := 0; i < 3; i++ {
		if code := send(sig, body); code != http.StatusOK {
			t.Fatalf("delivery %d = %d, want 200", i+2, code)
		}
	}
	if calls != 2 {
		t.Errorf("the handler ran %d times for one event id delivered 4 times (one failure), want 2", calls)
	}
	if code := send("t=1,v2="+strings.Repeat("0", 64), body); code != http.StatusUnauthorized {
		t.Errorf("bad signature = %d, want 401", code)
	}
	junk := []byte(`{"not":"an event"}`)
	sig, _ = SignEvent([][]byte{secret}, eventVectorPath, junk, time.Now())
	if code := send(sig, junk); code != http.StatusBadRequest {
		t.Errorf("signed non-event = %d, want 400", code)
	}
}

func TestMemoryDeduplicatorForgets(t *testing.T) {
	now := time.Unix(1800000000, 0)
	d := NewMemoryDeduplicator(time.Hour, func() time.Time { return now })
	ctx := context.Background()
	if first, _ := d.Begin(ctx, "evt_A"); !first {
		t.Fatal("a new id is not new")
	}
	if first, _ := d.Begin(ctx, "evt_A"); first {
		t.Error("a held id is new again")
	}
	d.End(ctx, "evt_A", true)
	now = now.Add(59 * time.Minute)
	if first, _ := d.Begin(ctx, "evt_A"); first {
		t.Error("a processed id is new within the retention")
	}
	now = now.Add(2 * time.Minute)
	if first, _ := d.Begin(ctx, "evt_A"); !first {
		t.Error("an id is still remembered after the retention")
	}
	// Forgotten between two sweeps: still forgotten.
	d.End(ctx, "evt_A", true)
	now = now.Add(time.Hour - 30*time.Second)
	d.Begin(ctx, "evt_B") // sweeps
	now = now.Add(31 * time.Second)
	if first, _ := d.Begin(ctx, "evt_A"); !first {
		t.Error("an id past its retention, not yet swept, is remembered")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
