package edgetest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func authOrigins(t *testing.T, c *client, s *sealer, tok string) {
	shop, other := c.fx.Shop, c.fx.Other
	env := func() []byte {
		return jsonBody(map[string]any{"envelope": s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil)})
	}
	tests := []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"no key", req{method: "POST", path: "/v1/tokens", origin: shop.Origin, body: env()}, 401, "unauthorized"},
		{"unknown pk", req{method: "POST", path: "/v1/tokens", key: "pk_unknown", origin: shop.Origin, body: env()}, 401, "unauthorized"},
		{"sk on a pk route", req{method: "POST", path: "/v1/tokens", key: shop.SK, origin: shop.Origin, body: env()}, 401, "unauthorized"},
		{"pk on an sk route", req{method: "GET", path: "/v1/tokens/" + tok, key: shop.PK}, 401, "unauthorized"},
		{"pk from a foreign origin", req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: "https://evil.example", body: env()}, 403, "forbidden_origin"},
		{"pk from another merchant's origin", req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: other.Origin, body: env()}, 403, "forbidden_origin"},
		{"pk without origin", req{method: "POST", path: "/v1/tokens", key: shop.PK, body: env()}, 403, "forbidden_origin"},
		{"another merchant's token", req{method: "GET", path: "/v1/tokens/" + tok, key: other.SK}, 404, "not_found"},
		{"delete another merchant's token", req{method: "DELETE", path: "/v1/tokens/" + tok, key: other.SK}, 404, "not_found"},
		{"relay another merchant's token", req{method: "POST", path: "/v1/relay", key: other.SK, body: jsonBody(map[string]any{
			"url": c.fx.Elsewhere.URL + "/charge", "method": "POST", "body": `{"n":"{{` + tok + `:number}}"}`})}, 404, "not_found"},
		{"malformed token id", req{method: "GET", path: "/v1/tokens/tok_short", key: shop.SK}, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := c.do(t, tc.r)
			if a.Status != tc.status || a.code() != tc.code {
				t.Errorf("%s %s = %d %s, want %d %s", tc.r.method, redactPath(tc.r.path), a.Status, a.code(), tc.status, tc.code)
			}
		})
	}
	if got := len(c.fx.Elsewhere.Requests()); got != 0 {
		t.Errorf("the foreign host got %d requests, want 0", got)
	}
}

func cors(t *testing.T, c *client) {
	shop := c.fx.Shop
	t.Run("preflight allowed", func(t *testing.T) {
		a := c.do(t, req{method: "OPTIONS", path: "/v1/tokens", origin: shop.Origin,
			header: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}})
		if a.Status != http.StatusNoContent {
			t.Errorf("preflight = %d, want 204", a.Status)
		}
		if got := a.Header.Get("Access-Control-Allow-Origin"); got != shop.Origin {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, shop.Origin)
		}
		if got := strings.ToLower(a.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
			t.Errorf("Access-Control-Allow-Headers = %q, want authorization", got)
		}
	})
	t.Run("preflight refused", func(t *testing.T) {
		a := c.do(t, req{method: "OPTIONS", path: "/v1/forward/checkout", origin: "https://evil.example",
			header: map[string]string{"Access-Control-Request-Method": "POST"}})
		if a.Status != http.StatusForbidden || a.code() != "forbidden_origin" {
			t.Errorf("preflight from a foreign origin = %d %s, want 403 forbidden_origin", a.Status, a.code())
		}
		if got := a.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q, want none", got)
		}
	})
	t.Run("no CORS on secret routes", func(t *testing.T) {
		a := c.do(t, req{method: "OPTIONS", path: "/v1/relay", origin: shop.Origin,
			header: map[string]string{"Access-Control-Request-Method": "POST"}})
		if got := a.Header.Get("Access-Control-Allow-Origin"); got != "" || a.Status < 400 {
			t.Errorf("preflight of /v1/relay = %d with Allow-Origin %q, want an error and none", a.Status, got)
		}
	})
}

func forward(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	backend := c.fx.Backend
	t.Run("envelopes become tokens", func(t *testing.T) {
		before := len(backend.Requests())
		e1 := s.seal(t, shop.ID, shop.Origin, s.card("378282246310005"), nil)
		e2 := s.seal(t, shop.ID, shop.Origin, s.card("6011111111111117"), nil)
		body := jsonBody(map[string]any{
			"order":   map[string]any{"id": "ord_1", "amount": 1999, "note": "sp1 is not an envelope"},
			"payment": map[string]any{"card": e1, "backup": []any{e2, true, nil, 1.5}},
		})
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, body: body})
		if a.Status != http.StatusOK {
			t.Fatalf("forward = %d %s, want 200 from the backend", a.Status, a.code())
		}
		c.fx.live.Add(2)
		reqs := backend.Requests()
		if len(reqs) != before+1 {
			t.Fatalf("backend got %d requests, want 1", len(reqs)-before)
		}
		got := reqs[len(reqs)-1]
		if !VerifySignature(c.fx.Secret, got.Header.Get("Sealpay-Signature"), got.Body) {
			t.Error("backend request has no valid Sealpay-Signature")
		}
		var fwd struct {
			Order   map[string]any
			Payment struct {
				Card   string
				Backup []any
			}
		}
		if err := json.Unmarshal(got.Body, &fwd); err != nil {
			t.Fatalf("backend body is not JSON: %v", err)
		}
		b0, _ := fwd.Payment.Backup[0].(string)
		if !strings.HasPrefix(fwd.Payment.Card, "tok_") || !strings.HasPrefix(b0, "tok_") || fwd.Payment.Card == b0 {
			t.Errorf("backend got card %.4s… and backup %.4s…, want two distinct tokens", fwd.Payment.Card, b0)
		}
		if fwd.Order["id"] != "ord_1" || fwd.Order["amount"] != 1999.0 || len(fwd.Payment.Backup) != 4 {
			t.Errorf("backend got order %v, backup len %d; want the rest unchanged", fwd.Order, len(fwd.Payment.Backup))
		}
		if a.Header.Get("X-Request-Id") != "req_backend_1" || a.Header.Get("Set-Cookie") != "" {
			t.Errorf("headers passed back: X-Request-Id %q, Set-Cookie %q; want the id and no cookie",
				a.Header.Get("X-Request-Id"), a.Header.Get("Set-Cookie"))
		}
		if !strings.Contains(string(a.Body), `"signature_ok":true`) {
			t.Errorf("backend answer not passed back (%d bytes without \"signature_ok\":true)", len(a.Body))
		}
	})
	t.Run("backend status passes through", func(t *testing.T) {
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: []byte(`{"want_status":402}`)})
		if a.Status != http.StatusPaymentRequired {
			t.Errorf("forward = %d, want the backend's 402", a.Status)
		}
	})
	t.Run("replay refuses the whole request", func(t *testing.T) {
		before := len(backend.Requests())
		fresh := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		used := s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil)
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": used})})
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d", a.Status)
		}
		c.fx.live.Add(1)
		a = c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"a": fresh, "b": used})})
		if a.Status != http.StatusConflict || a.code() != "replayed" {
			t.Errorf("forward with a replayed envelope = %d %s, want 409 replayed", a.Status, a.code())
		}
		if n := len(backend.Requests()) - before; n != 0 {
			t.Errorf("backend got %d requests, want none", n)
		}
	})
	t.Run("bad envelope refuses the whole request", func(t *testing.T) {
		before := len(backend.Requests())
		fresh := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"a": fresh, "b": flip(t, fresh, 2, 0)})})
		if a.Status != http.StatusBadRequest || a.code() != "decrypt_failed" {
			t.Errorf("forward with a tampered envelope = %d %s, want 400 decrypt_failed", a.Status, a.code())
		}
		if n := len(backend.Requests()) - before; n != 0 {
			t.Errorf("backend got %d requests, want none", n)
		}
		// Nothing was stored: the good envelope still tokenizes.
		a = c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": fresh})})
		if a.Status != http.StatusCreated {
			t.Errorf("the good envelope afterwards = %d %s, want 201", a.Status, a.code())
		} else {
			c.fx.live.Add(1)
		}
	})
	t.Run("unreachable backend", func(t *testing.T) {
		e := s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil)
		a := c.do(t, req{method: "POST", path: "/v1/forward/down", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"card": e})})
		if a.Status != http.StatusBadGateway || a.code() != "upstream_error" {
			t.Errorf("forward to a closed port = %d %s, want 502 upstream_error", a.Status, a.code())
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		a := c.do(t, req{method: "POST", path: "/v1/forward/nope", key: shop.PK, origin: shop.Origin, body: []byte(`{}`)})
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("forward to an unknown route = %d %s, want 404 not_found", a.Status, a.code())
		}
	})
	t.Run("deep JSON", func(t *testing.T) {
		body := []byte(strings.Repeat("[", 33) + strings.Repeat("]", 33))
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin, body: body})
		if a.Status != http.StatusBadRequest || a.code() != "bad_request" {
			t.Errorf("forward of 33-deep JSON = %d %s, want 400 bad_request", a.Status, a.code())
		}
	})
}

func relay(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	prov := c.fx.Provider
	number := "3566002020360505"
	tok := tokenizeOK(t, c, s, number)
	template := `{"source":{"number":"{{` + tok + `:number}}","exp":"{{` + tok + `:exp_month}}/{{` + tok + `:exp_year}}","cvc":"{{` + tok + `:cvc}}"},"amount":1999}`
	relayReq := func(url, tmpl string) req {
		return req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": url, "method": "POST", "headers": map[string]string{"Content-Type": "application/json", "Authorization": "Bearer psp_key"}, "body": tmpl})}
	}
	t.Run("fills and redacts", func(t *testing.T) {
		a := c.do(t, relayReq(prov.URL+"/v1/charges", template))
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		reqs := prov.Requests()
		got := reqs[len(reqs)-1]
		var sent struct {
			Source struct{ Number, Exp, CVC string }
		}
		json.Unmarshal(got.Body, &sent)
		if sent.Source.Number != number || sent.Source.CVC != "123" || !strings.HasPrefix(sent.Source.Exp, "12/") {
			t.Errorf("provider got number ok=%t cvc ok=%t exp %q; want the card filled in",
				sent.Source.Number == number, sent.Source.CVC == "123", sent.Source.Exp)
		}
		if got.Header.Get("Authorization") != "Bearer psp_key" {
			t.Errorf("provider got Authorization %q, want the merchant's", got.Header.Get("Authorization"))
		}
		var ans struct {
			Status  int
			Headers map[string]string
			Body    string
		}
		json.Unmarshal(a.Body, &ans)
		if ans.Status != 200 || !strings.Contains(ans.Body, "succeeded") {
			t.Errorf("relay answer = %d (%d bytes, \"succeeded\" %v), want the provider's 200", ans.Status, len(ans.Body), strings.Contains(ans.Body, "succeeded"))
		}
		c.fx.ScanForNumbers(t, "relay answer", a.Body)
		var echoed struct{ Echo string }
		json.Unmarshal([]byte(ans.Body), &echoed)
		if !strings.Contains(echoed.Echo, `"cvc":"`) || strings.Contains(echoed.Echo, `"cvc":"123"`) {
			t.Error("relay answer: the CVC the provider echoed back was not masked")
		}
	})
	t.Run("CVC is used once", func(t *testing.T) {
		a := c.do(t, relayReq(prov.URL+"/v1/charges", template))
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("second relay asking for the CVC = %d %s, want 404 not_found", a.Status, a.code())
		}
		a = c.do(t, relayReq(prov.URL+"/v1/charges", `{"n":"{{`+tok+`:number}}"}`))
		if a.Status != http.StatusOK {
			t.Errorf("relay without the CVC = %d %s, want 200", a.Status, a.code())
		}
	})
	t.Run("host outside the allowlist", func(t *testing.T) {
		before := len(c.fx.Elsewhere.Requests())
		for _, u := range []string{
			c.fx.Elsewhere.URL + "/charge",                      // another merchant's provider
			"http://localhost:" + portOf(prov.Host) + "/x",      // same port, other host name
			"http://user:pw@" + prov.Host + "/x",                // credentials
			"ftp://" + prov.Host + "/x",                         // scheme
			"http://" + strings.Split(prov.Host, ":")[0] + "/x", // port differs
		} {
			a := c.do(t, relayReq(u, `{"n":"{{`+tok+`:number}}"}`))
			if a.Status != http.StatusForbidden || a.code() != "relay_host_forbidden" {
				t.Errorf("relay to a host off the allowlist = %d %s, want 403 relay_host_forbidden", a.Status, a.code())
			}
		}
		if n := len(c.fx.Elsewhere.Requests()) - before; n != 0 {
			t.Errorf("foreign host got %d requests, want 0", n)
		}
	})
	t.Run("redirects are not followed", func(t *testing.T) {
		before := len(c.fx.Elsewhere.Requests())
		a := c.do(t, relayReq(prov.URL+"/redirect", `{"n":"{{`+tok+`:number}}"}`))
		var ans struct{ Status int }
		json.Unmarshal(a.Body, &ans)
		if a.Status != http.StatusOK || ans.Status != http.StatusFound {
			t.Errorf("relay to a redirect = %d (provider %d), want 200 with the provider's 302", a.Status, ans.Status)
		}
		if n := len(c.fx.Elsewhere.Requests()) - before; n != 0 {
			t.Errorf("the redirect target got %d requests, want 0", n)
		}
	})
	t.Run("single-use token dies after one relay", func(t *testing.T) {
		env := s.seal(t, shop.ID, shop.Origin, s.card("4000056655665556"), nil)
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"envelope": env, "single_use": true})})
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize single-use = %d %s, want 201", a.Status, a.code())
		}
		var got struct {
			Token     string
			SingleUse bool `json:"single_use"`
		}
		json.Unmarshal(a.Body, &got)
		if !got.SingleUse {
			t.Error("tokenize answer does not say single_use")
		}
		c.fx.live.Add(1)
		if a := c.do(t, relayReq(prov.URL+"/v1/charges", `{"n":"{{`+got.Token+`:number}}"}`)); a.Status != http.StatusOK {
			t.Fatalf("first relay = %d %s, want 200", a.Status, a.code())
		}
		c.fx.live.Add(-1)
		if a := c.do(t, relayReq(prov.URL+"/v1/charges", `{"n":"{{`+got.Token+`:number}}"}`)); a.Status != http.StatusNotFound {
			t.Errorf("second relay of a single-use token = %d %s, want 404 not_found", a.Status, a.code())
		}
	})
	t.Run("bad template", func(t *testing.T) {
		a := c.do(t, relayReq(prov.URL+"/v1/charges", `{"n":"{{ `+tok+`:number }}"}`))
		if a.Status != http.StatusBadRequest || a.code() != "bad_request" {
			t.Errorf("relay with a malformed placeholder = %d %s, want 400 bad_request", a.Status, a.code())
		}
	})
}

// tokenID matches a token id in a path.
var tokenID = regexp.MustCompile(`tok_[0-9A-Za-z]+`)

// redactPath replaces the token ids in a request path with "tok_…", for
// failure messages: tokens are never printed.
func redactPath(p string) string {
	return tokenID.ReplaceAllString(p, "tok_…")
}

func portOf(hostport string) string {
	_, port, _ := strings.Cut(hostport, ":")
	return port
}

func getDelete(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	tok := tokenizeOK(t, c, s, "2223003122003222")
	a := c.do(t, req{method: "GET", path: "/v1/tokens/" + tok, key: shop.SK})
	if a.Status != http.StatusOK {
		t.Fatalf("GET token = %d %s, want 200", a.Status, a.code())
	}
	var meta struct {
		Token string
		Card  struct{ Brand, Last4 string }
	}
	json.Unmarshal(a.Body, &meta)
	if meta.Token != tok || meta.Card.Brand != "mastercard" || meta.Card.Last4 != "3222" {
		t.Errorf("GET token = %s/%s, want mastercard/3222", meta.Card.Brand, meta.Card.Last4)
	}
	c.fx.ScanForNumbers(t, "token metadata", a.Body)
	a = c.do(t, req{method: "DELETE", path: "/v1/tokens/" + tok, key: shop.SK})
	if a.Status != http.StatusOK {
		t.Fatalf("DELETE token = %d %s, want 200", a.Status, a.code())
	}
	c.fx.live.Add(-1)
	for _, r := range []req{
		{method: "GET", path: "/v1/tokens/" + tok, key: shop.SK},
		{method: "DELETE", path: "/v1/tokens/" + tok, key: shop.SK},
		{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": c.fx.Provider.URL + "/v1/charges", "body": `{"n":"{{` + tok + `:number}}"}`})},
	} {
		a := c.do(t, r)
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("%s %s after delete = %d %s, want 404 not_found", r.method, redactPath(r.path), a.Status, a.code())
		}
	}
}
