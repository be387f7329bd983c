package edgetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// idempotency checks Idempotency-Key on the state-changing POSTs: a retry
// after the first answer gets that answer again without running the
// operation (the provider is called once), a retry while the first runs
// is 409 idempotency_in_progress, and the same key with another body or
// path is 422 idempotency_mismatch.
func idempotency(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	prov := c.fx.Provider
	relayReq := func(key, tmpl string, hold bool) req {
		hd := map[string]string{"Content-Type": "application/json"}
		if hold {
			hd["X-Hold"] = "1"
		}
		return req{method: "POST", path: "/v1/relay", key: shop.SK, header: map[string]string{"Idempotency-Key": key},
			body: jsonBody(map[string]any{"url": prov.URL + "/v1/idem", "method": "POST", "headers": hd, "body": tmpl})}
	}
	tmpl := func(tok string) string { return `{"n":"{{` + tok + `:number}}","cvc":"{{` + tok + `:cvc}}"}` }

	t.Run("relay retried after the answer", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, "4000056655665556")
		key := "relay-" + newClientID() + "-" + time.Now().Format(time.RFC3339Nano)
		before := prov.Count("/v1/idem")
		first := c.do(t, relayReq(key, tmpl(tok), false))
		if first.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", first.Status, first.code())
		}
		c.fx.ScanForNumbers(t, "relay answer", first.Body)
		// Without the key, the retry would find the CVC used (404).
		again := c.do(t, relayReq(key, tmpl(tok), false))
		if again.Status != http.StatusOK || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("relay retried with the same key = %d %s (same body %t), want the first answer again", again.Status, again.code(), bytes.Equal(again.Body, first.Body))
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replayed answer has Idempotent-Replayed %q, want true", again.Header.Get("Idempotent-Replayed"))
		}
		if n := prov.Count("/v1/idem") - before; n != 1 {
			t.Errorf("provider got %d requests for a relay sent twice with one key, want 1", n)
		}
		changed := c.do(t, relayReq(key, `{"n":"{{`+tok+`:number}}"}`, false))
		if changed.Status != http.StatusUnprocessableEntity || changed.code() != "idempotency_mismatch" {
			t.Errorf("same key, changed body = %d %s, want 422 idempotency_mismatch", changed.Status, changed.code())
		}
		otherPath := c.do(t, req{method: "POST", path: "/v1/qr", key: shop.SK, header: map[string]string{"Idempotency-Key": key},
			body: jsonBody(map[string]any{"amount": "1.00", "reference": "o1"})})
		if otherPath.Status != http.StatusUnprocessableEntity || otherPath.code() != "idempotency_mismatch" {
			t.Errorf("same key, other route = %d %s, want 422 idempotency_mismatch", otherPath.Status, otherPath.code())
		}
		if n := prov.Count("/v1/idem") - before; n != 1 {
			t.Errorf("provider got %d requests, want 1 (refused retries send nothing)", n)
		}
	})

	t.Run("concurrent duplicate", func(t *testing.T) {
		tok := tokenizeOK(t, c, s, "4000056655665556")
		key := "hold-" + newClientID() + "-" + time.Now().Format(time.RFC3339Nano)
		before := prov.Count("/v1/idem")
		release := c.fx.Hold()
		defer release()
		done := make(chan answer, 1)
		go func() { done <- c.do(t, relayReq(key, tmpl(tok), true)) }()
		deadline := time.Now().Add(15 * time.Second)
		for prov.Count("/v1/idem") == before {
			if time.Now().After(deadline) {
				release()
				t.Fatal("the first relay never reached the provider")
			}
			time.Sleep(10 * time.Millisecond)
		}
		dup := c.do(t, relayReq(key, tmpl(tok), true))
		release()
		first := <-done
		if dup.Status != http.StatusConflict || dup.code() != "idempotency_in_progress" {
			t.Errorf("duplicate while the first runs = %d %s, want 409 idempotency_in_progress", dup.Status, dup.code())
		}
		if first.Status != http.StatusOK {
			t.Fatalf("first relay = %d %s, want 200", first.Status, first.code())
		}
		again := c.do(t, relayReq(key, tmpl(tok), true))
		if again.Status != http.StatusOK || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("retry after the first answered = %d %s (same body %t), want the first answer", again.Status, again.code(), bytes.Equal(again.Body, first.Body))
		}
		if n := prov.Count("/v1/idem") - before; n != 1 {
			t.Errorf("provider got %d requests, want 1", n)
		}
	})

	t.Run("tokenize", func(t *testing.T) {
		env := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		key := "tok-" + newClientID() + "-" + time.Now().Format(time.RFC3339Nano)
		r := req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, header: map[string]string{"Idempotency-Key": key},
			body: jsonBody(map[string]any{"envelope": env})}
		first := c.do(t, r)
		if first.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", first.Status, first.code())
		}
		c.fx.live.Add(1)
		// Without the key, the same envelope again is 409 replayed.
		again := c.do(t, r)
		if again.Status != http.StatusCreated || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("tokenize retried with the same key = %d %s, want the first 201 again", again.Status, again.code())
		}
		if got := again.Header.Get("Access-Control-Allow-Origin"); got != shop.Origin {
			t.Errorf("replayed answer's Access-Control-Allow-Origin = %q, want %q", got, shop.Origin)
		}
		// The key is the merchant's and the key kind's: the same key on a
		// secret-key route is another key.
		tok := tokenizeOK(t, c, s, "4000056655665556")
		other := c.do(t, relayReq(key, tmpl(tok), false))
		if other.Status != http.StatusOK {
			t.Errorf("the publishable key's Idempotency-Key on a relay = %d %s, want 200 (its own scope)", other.Status, other.code())
		}
	})

	t.Run("a deleted token's stored answer is forgotten", func(t *testing.T) {
		env := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		key := "del-" + newClientID() + "-" + time.Now().Format(time.RFC3339Nano)
		r := req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, header: map[string]string{"Idempotency-Key": key},
			body: jsonBody(map[string]any{"envelope": env})}
		first := c.do(t, r)
		if first.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", first.Status, first.code())
		}
		var got struct{ Token string }
		json.Unmarshal(first.Body, &got)
		if a := c.do(t, req{method: "DELETE", path: "/v1/tokens/" + got.Token, key: shop.SK}); a.Status != http.StatusOK {
			t.Fatalf("DELETE = %d %s, want 200", a.Status, a.code())
		}
		// The retry runs anew (the envelope is spent) instead of handing
		// out the deleted token's id, last4 and fingerprint again.
		again := c.do(t, r)
		if again.Status != http.StatusConflict || again.code() != "replayed" {
			t.Errorf("tokenize retried with its key after the token was deleted = %d %s, want 409 replayed", again.Status, again.code())
		}
		if bytes.Contains(again.Body, []byte(got.Token)) {
			t.Error("the retry's answer names the deleted token")
		}
	})

	t.Run("forward", func(t *testing.T) {
		backend := c.fx.Backend
		env := s.seal(t, shop.ID, shop.Origin, s.card("4000056655665556"), nil)
		key := "fwd-" + newClientID() + "-" + time.Now().Format(time.RFC3339Nano)
		r := req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, header: map[string]string{"Idempotency-Key": key},
			body: jsonBody(map[string]any{"order": "o-idem", "card": env})}
		before := backend.Count("/checkout")
		first := c.do(t, r)
		if first.Status != http.StatusOK {
			t.Fatalf("forward = %d %s, want 200", first.Status, first.code())
		}
		c.fx.live.Add(1)
		again := c.do(t, r)
		if again.Status != http.StatusOK || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("forward retried with the same key = %d %s (same body %t), want the first answer", again.Status, again.code(), bytes.Equal(again.Body, first.Body))
		}
		if n := backend.Count("/checkout") - before; n != 1 {
			t.Errorf("backend got %d requests for a forward sent twice with one key, want 1", n)
		}
	})

	t.Run("bad keys", func(t *testing.T) {
		for _, key := range []string{strings.Repeat("k", 256), "has space"} {
			a := c.do(t, req{method: "POST", path: "/v1/qr", key: shop.SK, header: map[string]string{"Idempotency-Key": key},
				body: jsonBody(map[string]any{"amount": "1.00", "reference": "o1"})})
			if a.Status != http.StatusBadRequest || a.code() != "bad_request" {
				t.Errorf("Idempotency-Key of %d characters = %d %s, want 400 bad_request", len(key), a.Status, a.code())
			}
		}
		a := c.do(t, req{method: "POST", path: "/v1/qr", key: shop.SK, header: map[string]string{"Idempotency-Key": strings.Repeat("k", 255)},
			body: jsonBody(map[string]any{"amount": "1.00", "reference": "o1"})})
		if a.Status >= 500 || a.code() == "bad_request" && strings.Contains(string(a.Body), "Idempotency") {
			t.Errorf("Idempotency-Key of 255 characters = %d %s, want it accepted", a.Status, a.code())
		}
	})
}

// IdempotencyExpiry checks that a stored answer is replayed until 24 h
// after the first request and not after: advance moves the edge's clock.
// Only a home whose clock a test can set runs it (the native handler's
// Options.Now).
func IdempotencyExpiry(t *testing.T, baseURL string, fx *Fixture, advance func(time.Duration)) {
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 30 * time.Second}, fx: fx}
	shop := fx.Shop
	key := "expiry-" + newClientID()
	body := jsonBody(map[string]any{"amount": "1.00", "reference": "o-expiry"})
	r := req{method: "POST", path: "/v1/qr", key: shop.SK, header: map[string]string{"Idempotency-Key": key}, body: body}
	first := c.do(t, r)
	if first.Status != http.StatusOK && first.Status != http.StatusCreated {
		t.Fatalf("qr sign = %d %s, want success", first.Status, first.code())
	}
	changed := r
	changed.body = jsonBody(map[string]any{"amount": "2.00", "reference": "o-expiry"})
	for _, step := range []struct {
		after    time.Duration
		replayed bool
	}{{time.Hour, true}, {22*time.Hour + 59*time.Minute, true}, {2 * time.Minute, false}} {
		advance(step.after)
		a := c.do(t, changed)
		if replayedOrMismatch := a.code() == "idempotency_mismatch"; replayedOrMismatch != step.replayed {
			t.Errorf("changed body %v later: %d %s; key still held = %t, want %t", step.after, a.Status, a.code(), replayedOrMismatch, step.replayed)
		}
		if !step.replayed {
			break
		}
		a = c.do(t, r)
		if !bytes.Equal(a.Body, first.Body) || a.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry %v later = %d, want the first answer replayed", step.after, a.Status)
		}
	}
}
