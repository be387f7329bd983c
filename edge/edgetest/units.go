package edgetest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// atomicUnits checks that each operation is one unit: a forward or relay
// that fails part-way leaves nothing behind, and a replay burns nothing.
func atomicUnits(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	tokenize := func(t *testing.T, env string, singleUse bool) answer {
		return c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"envelope": env, "single_use": singleUse})})
	}
	forward := func(t *testing.T, fields map[string]any) answer {
		return c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, body: jsonBody(fields)})
	}
	t.Run("forward whose third envelope is replayed stores nothing", func(t *testing.T) {
		e1 := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		e2 := s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil)
		used := s.seal(t, shop.ID, shop.Origin, s.card("6011111111111117"), nil)
		if a := tokenize(t, used, false); a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s", a.Status, a.code())
		}
		c.fx.live.Add(1)
		a := forward(t, map[string]any{"a": e1, "b": e2, "c": used})
		if a.Status != http.StatusConflict || a.code() != "replayed" {
			t.Fatalf("forward with a replayed third envelope = %d %s, want 409 replayed", a.Status, a.code())
		}
		// The first two jtis were not burned: the same two envelopes
		// forward now. (The vault count at the end of the suite shows
		// that the refused forward stored no token.)
		if a := forward(t, map[string]any{"a": e1, "b": e2}); a.Status != http.StatusOK {
			t.Errorf("forward of the first two envelopes afterwards = %d %s, want 200", a.Status, a.code())
		} else {
			c.fx.live.Add(2)
		}
	})
	t.Run("replayed jti burns nothing", func(t *testing.T) {
		fresh := s.seal(t, shop.ID, shop.Origin, s.card("378282246310005"), nil)
		used := s.seal(t, shop.ID, shop.Origin, s.card("3566002020360505"), nil)
		if a := tokenize(t, used, false); a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s", a.Status, a.code())
		}
		c.fx.live.Add(1)
		if a := forward(t, map[string]any{"a": fresh, "b": used}); a.code() != "replayed" {
			t.Fatalf("forward with a replayed envelope = %d %s, want replayed", a.Status, a.code())
		}
		if a := tokenize(t, used, false); a.code() != "replayed" {
			t.Errorf("the replayed envelope again = %d %s, want replayed", a.Status, a.code())
		}
		if a := tokenize(t, fresh, false); a.Status != http.StatusCreated {
			t.Errorf("the fresh envelope of the refused forward = %d %s, want 201 (its jti must not be burned)", a.Status, a.code())
		} else {
			c.fx.live.Add(1)
		}
	})
	t.Run("relay whose second single-use token fails consumes neither", func(t *testing.T) {
		withCVC := s.seal(t, shop.ID, shop.Origin, s.card("4000056655665556"), nil)
		s.fx.numbers.Store("5200828282828210", true)
		noCVC := s.seal(t, shop.ID, shop.Origin, cardJSON("5200828282828210", 12, time.Now().Year()+3, ""), nil)
		var toks [2]string
		for i, env := range []string{withCVC, noCVC} {
			a := tokenize(t, env, true)
			if a.Status != http.StatusCreated {
				t.Fatalf("tokenize single-use %d = %d %s", i+1, a.Status, a.code())
			}
			var got struct{ Token string }
			json.Unmarshal(a.Body, &got)
			toks[i] = got.Token
			c.fx.live.Add(1)
		}
		relay := func(tmpl string) answer {
			return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
				"url": c.fx.Provider.URL + "/v1/charges", "method": "POST",
				"headers": map[string]string{"Content-Type": "application/json"}, "body": tmpl})})
		}
		before := len(c.fx.Provider.Requests())
		a := relay(`{"a":"{{` + toks[0] + `:number}}","a_cvc":"{{` + toks[0] + `:cvc}}","b":"{{` + toks[1] + `:cvc}}"}`)
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Fatalf("relay asking for a CVC the second token lacks = %d %s, want 404 not_found", a.Status, a.code())
		}
		if n := len(c.fx.Provider.Requests()) - before; n != 0 {
			t.Errorf("provider got %d requests, want none", n)
		}
		// Neither token was consumed, and the first keeps its CVC.
		if a := relay(`{"a":"{{` + toks[0] + `:number}}","cvc":"{{` + toks[0] + `:cvc}}"}`); a.Status != http.StatusOK {
			t.Errorf("relay of the first token with its CVC afterwards = %d %s, want 200", a.Status, a.code())
		} else {
			c.fx.live.Add(-1)
		}
		if a := relay(`{"b":"{{` + toks[1] + `:number}}"}`); a.Status != http.StatusOK {
			t.Errorf("relay of the second token afterwards = %d %s, want 200", a.Status, a.code())
		} else {
			c.fx.live.Add(-1)
		}
	})
}
