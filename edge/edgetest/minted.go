package edgetest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// SingleUseTTL is the fixture's purge.single_use_ttl: not the default, so the
// suite sees the configuration reach the vault on both homes.
const SingleUseTTL = 10 * time.Minute

// vouched checks what the edge vouches for in a forward: the tokens it
// minted (Sealpay-Tokens, under the v2 signature) and nothing else, and
// that the signature covers the method, the route and the path; and it
// refuses a card number outside an envelope.
func vouched(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	backend := c.fx.Backend
	last := func(t *testing.T, before int) Received {
		t.Helper()
		reqs := backend.Requests()
		if len(reqs) != before+1 {
			t.Fatalf("backend got %d requests, want 1", len(reqs)-before)
		}
		return reqs[len(reqs)-1]
	}
	t.Run("only minted tokens are vouched for", func(t *testing.T) {
		typed := tokenizeOK(t, c, s, "4000056655665556") // a token the page holds from earlier
		before := len(backend.Requests())
		e1 := s.seal(t, shop.ID, shop.Origin, s.card("5105105105105100"), nil)
		e2 := s.seal(t, shop.ID, shop.Origin, s.card("4012888888881881"), nil)
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"typed": typed, "cards": []any{e2, e1, e2}})})
		if a.Status != http.StatusOK {
			t.Fatalf("forward = %d %s, want 200", a.Status, a.code())
		}
		c.fx.live.Add(2)
		got := last(t, before)
		var fwd struct {
			Typed string
			Cards []string
		}
		if err := json.Unmarshal(got.Body, &fwd); err != nil || len(fwd.Cards) != 3 {
			t.Fatalf("backend body: %v, %d cards", err, len(fwd.Cards))
		}
		want := fwd.Cards[0] + "," + fwd.Cards[1] // in order of first appearance
		if h := got.Header.Get("Sealpay-Tokens"); h != want {
			n := 0
			if h != "" {
				n = len(strings.Split(h, ","))
			}
			t.Errorf("Sealpay-Tokens names %d tokens (the typed one: %t), want the 2 minted ones in body order",
				n, strings.Contains(h, typed))
		}
		if fwd.Typed != typed {
			t.Error("the typed token did not reach the backend unchanged")
		}
		sig := got.Header.Get("Sealpay-Signature")
		if !VerifySignatureV2(c.fx.Secret, sig, "POST", "checkout", "/checkout", want, got.Body) {
			t.Error("no valid v2 signature over POST, checkout, /checkout, the minted tokens and the body")
		}
		if VerifySignatureV2(c.fx.Secret, sig, "POST", "checkout", "/checkout", want+","+typed, got.Body) {
			t.Error("the v2 signature also vouches for the token the page typed")
		}
	})
	t.Run("signature covers method, route and path", func(t *testing.T) {
		body := []byte(`{"order":"ord_7","amount":500}`)
		sigs := map[string]Received{}
		for _, route := range []string{"checkout", "refund"} {
			before := len(backend.Requests())
			a := c.do(t, req{method: "POST", path: "/v1/forward/" + route, key: shop.PK, origin: shop.Origin, body: body})
			if a.Status != http.StatusOK {
				t.Fatalf("forward to %s = %d %s, want 200", route, a.Status, a.code())
			}
			sigs[route] = last(t, before)
		}
		co, rf := sigs["checkout"], sigs["refund"]
		if rf.Target != "/refund?kind=full" || rf.Header.Get("Sealpay-Route") != "refund" {
			t.Fatalf("refund went to %q as route %q", rf.Target, rf.Header.Get("Sealpay-Route"))
		}
		sigC, sigR := co.Header.Get("Sealpay-Signature"), rf.Header.Get("Sealpay-Signature")
		tests := []struct {
			name                string
			sig                 string
			method, route, path string
			want                bool
		}{
			{"checkout as sent", sigC, "POST", "checkout", "/checkout", true},
			{"refund as sent", sigR, "POST", "refund", "/refund?kind=full", true},
			{"checkout's signature on refund's path", sigC, "POST", "checkout", "/refund?kind=full", false},
			{"checkout's signature as route refund", sigC, "POST", "refund", "/checkout", false},
			{"checkout's signature as a PUT", sigC, "PUT", "checkout", "/checkout", false},
			{"refund's signature without its query", sigR, "POST", "refund", "/refund", false},
		}
		for _, tc := range tests {
			b := co.Body
			if tc.sig == sigR {
				b = rf.Body
			}
			if got := VerifySignatureV2(c.fx.Secret, tc.sig, tc.method, tc.route, tc.path, "", b); got != tc.want {
				t.Errorf("%s: v2 verifies = %t, want %t", tc.name, got, tc.want)
			}
		}
		if v2(sigC) == v2(sigR) && strings.Split(sigC, ",")[0] == strings.Split(sigR, ",")[0] {
			t.Error("the same body on two routes got the same v2 signature")
		}
	})
	t.Run("card number outside an envelope is refused", func(t *testing.T) {
		const pan = "4000000000000002"
		c.fx.numbers.Store(pan, true) // the final scans look for it too
		grouped := group(pan, " ")
		env := s.seal(t, shop.ID, shop.Origin, s.card("5200828282828210"), nil)
		tests := []struct {
			name string
			body string
		}{
			{"a string", `{"card":"` + pan + `"}`},
			{"grouped by spaces", `{"note":"card ` + grouped + ` thanks"}`},
			{"grouped by dashes", `{"card":"` + group(pan, "-") + `"}`},
			{"grouped by no-break spaces", `{"card":"` + group(pan, "\u00a0") + `"}`},
			{"escaped", `{"card":"\u0034` + pan[1:] + `"}`},
			{"a number", `{"card":` + pan + `}`},
			{"a member name", `{"` + pan + `":true}`},
			{"beside an envelope", `{"card":"` + env + `","backup":"` + pan + `"}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := len(backend.Requests())
				a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, body: []byte(tc.body)})
				if a.Status != http.StatusUnprocessableEntity || a.code() != "unsealed_card_number" {
					t.Errorf("forward with a card number in %s = %d %s, want 422 unsealed_card_number", tc.name, a.Status, a.code())
				}
				if n := len(backend.Requests()) - before; n != 0 {
					t.Errorf("backend got %d requests, want none", n)
				}
				c.fx.ScanForNumbers(t, "forward error answer", a.Body)
			})
		}
		// Nothing was stored and no jti burned: the envelope still tokenizes.
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": env})})
		if a.Status != http.StatusCreated {
			t.Errorf("the envelope afterwards = %d %s, want 201", a.Status, a.code())
		} else {
			c.fx.live.Add(1)
		}
	})
	t.Run("numbers that are not card numbers pass", func(t *testing.T) {
		// A Luhn-valid millisecond timestamp (no brand starts with 17), a
		// Luhn-valid Visa-prefixed run of 20 digits (an order number), a
		// Luhn-invalid 16 digits.
		ts := luhnComplete("176000000000")
		long := luhnComplete("4000000000000000000")
		body := `{"created_ms":` + ts + `,"order":"` + long + `","ref":"4000000000000001"}`
		before := len(backend.Requests())
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, body: []byte(body)})
		if a.Status != http.StatusOK {
			t.Fatalf("forward of ordinary numbers = %d %s, want 200", a.Status, a.code())
		}
		if got := last(t, before); string(got.Body) != body {
			t.Errorf("backend body differs from what was sent (%d vs %d bytes)", len(got.Body), len(body))
		}
	})
}

func v2(sig string) string {
	_, v, _ := strings.Cut(sig, ",v2=")
	return v
}

// frameTokens checks the lifetime of tokens: from the hosted-fields frame
// (the edge's own origin) single-use and expiring unless the shopper saved
// the card; from the merchant's page as the request asks.
func frameTokens(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	prov := c.fx.Provider
	frameOrigin := c.base // the frame is served by the edge itself
	type meta struct {
		Token     string
		SingleUse bool       `json:"single_use"`
		Expires   *time.Time `json:"expires"`
	}
	tokenize := func(t *testing.T, origin string, extra map[string]any) (answer, meta) {
		t.Helper()
		body := map[string]any{"envelope": s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil)}
		for k, v := range extra {
			body[k] = v
		}
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: origin, body: jsonBody(body)})
		var m meta
		json.Unmarshal(a.Body, &m)
		if a.Status == http.StatusCreated {
			c.fx.live.Add(1)
		}
		return a, m
	}
	relay := func(t *testing.T, tok string) answer {
		t.Helper()
		return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": prov.URL + "/v1/charges", "method": "POST", "headers": map[string]string{"Content-Type": "application/json"},
			"body": `{"number":"{{` + tok + `:number}}"}`})})
	}
	tests := []struct {
		name      string
		origin    string
		extra     map[string]any
		singleUse bool
	}{
		{"frame", frameOrigin, nil, true},
		{"frame, card saved", frameOrigin, map[string]any{"save": true}, false},
		{"frame, single_use asked", frameOrigin, map[string]any{"single_use": true}, true},
		{"merchant page", shop.Origin, nil, false},
		{"merchant page, single_use asked", shop.Origin, map[string]any{"single_use": true}, true},
		{"merchant page, card saved", shop.Origin, map[string]any{"save": true}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			a, m := tokenize(t, tc.origin, tc.extra)
			if a.Status != http.StatusCreated {
				t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
			}
			if m.SingleUse != tc.singleUse {
				t.Errorf("tokenize answer single_use = %t, want %t", m.SingleUse, tc.singleUse)
			}
			if tc.singleUse {
				if m.Expires == nil || m.Expires.Before(start.Add(SingleUseTTL-time.Minute)) || m.Expires.After(start.Add(SingleUseTTL+time.Minute)) {
					t.Errorf("single-use token expires %v, want about %v from now", m.Expires, SingleUseTTL)
				}
			} else if m.Expires != nil {
				t.Errorf("reusable token expires %v, want never", m.Expires)
			}
			g := c.do(t, req{method: "GET", path: "/v1/tokens/" + m.Token, key: shop.SK})
			var stored meta
			json.Unmarshal(g.Body, &stored)
			if g.Status != http.StatusOK || stored.SingleUse != tc.singleUse || (stored.Expires != nil) != tc.singleUse {
				t.Errorf("GET token = %d, single_use %t, expires set %t; want 200, %t, %t",
					g.Status, stored.SingleUse, stored.Expires != nil, tc.singleUse, tc.singleUse)
			}
			if a := relay(t, m.Token); a.Status != http.StatusOK {
				t.Fatalf("first relay = %d %s, want 200", a.Status, a.code())
			}
			second := relay(t, m.Token)
			if tc.singleUse {
				c.fx.live.Add(-1)
				if second.Status != http.StatusNotFound || second.code() != "not_found" {
					t.Errorf("second relay of a single-use token = %d %s, want 404 not_found", second.Status, second.code())
				}
			} else if second.Status != http.StatusOK {
				t.Errorf("second relay of a saved token = %d %s, want 200", second.Status, second.code())
			}
		})
	}
	t.Run("save and single_use together", func(t *testing.T) {
		a, _ := tokenize(t, frameOrigin, map[string]any{"save": true, "single_use": true})
		if a.Status != http.StatusBadRequest || a.code() != "bad_request" {
			t.Errorf("tokenize with save and single_use = %d %s, want 400 bad_request", a.Status, a.code())
		}
	})
}
