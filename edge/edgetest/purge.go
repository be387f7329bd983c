package edgetest

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"
)

// Lifetimes that ShortLived sets, so that the purge case sees everything
// expire within seconds.
const (
	ShortCVCTTL       = 2 * time.Second
	ShortCVCKeyWindow = 1 * time.Second
	ShortSingleUseTTL = 3 * time.Second
)

// ShortLived rewrites the fixture's configuration with lifetimes of
// seconds (purge.cvc_ttl, cvc_key_window, single_use_ttl), for
// [RunPurge]. Call it before starting the edge.
func (fx *Fixture) ShortLived(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	json.Unmarshal(b, &cfg)
	cfg["purge"] = map[string]any{
		"cvc_ttl": ShortCVCTTL.String(), "cvc_key_window": ShortCVCKeyWindow.String(),
		"single_use_ttl": ShortSingleUseTTL.String(),
	}
	b, _ = json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(fx.ConfigPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// PurgeHome is how [RunPurge] reaches into a home.
type PurgeHome struct {
	// Tokenized is called once the case's cards are stored, before any is
	// deleted, used or expired (a home notes what is in its database).
	Tokenized func(t *testing.T)
	// Purge runs the home's purge the way it runs in production (the
	// native server's jobs, the Worker's Cron Trigger) and returns once
	// it is done.
	Purge func(t *testing.T)
}

// PurgeTokens are the tokens [RunPurge] made, by what became of them.
type PurgeTokens struct {
	Kept      string // reusable, its CVC left to expire (an abandoned checkout)
	Deleted   string // reusable, deleted with DELETE /v1/tokens/{token}
	Used      string // single-use, used by a relay that took its CVC
	Expired   string // single-use, left to expire
	KeptNoCVC string // reusable, tokenized without a CVC
}

// RunPurge tokenizes cards with CVCs on an edge configured with
// ShortLived, deletes one, uses one, lets the rest expire, runs the home's
// purge and checks what the API shows afterwards: the kept token is
// there without its CVC, the others are gone. The home checks its
// database (every sealed value that left the live tables is gone from
// the files, the CVC keys are destroyed).
func RunPurge(t *testing.T, baseURL string, fx *Fixture, home PurgeHome) PurgeTokens {
	c := &client{base: baseURL, hc: &http.Client{Timeout: 30 * time.Second}, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &sealer{kid: kid, x: x, fx: fx}
	shop := fx.Shop
	tokenize := func(number string, singleUse, cvc bool) string {
		doc := s.card(number)
		if !cvc {
			doc = cardJSON(number, 12, time.Now().Year()+3, "")
		}
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"envelope": s.seal(t, shop.ID, shop.Origin, doc, nil), "single_use": singleUse})})
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		var got struct{ Token string }
		json.Unmarshal(a.Body, &got)
		return got.Token
	}
	relay := func(tmpl string) answer {
		return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": fx.Provider.URL + "/v1/charges", "method": "POST",
			"headers": map[string]string{"Content-Type": "application/json"}, "body": tmpl})})
	}
	var toks PurgeTokens
	toks.Kept = tokenize("4242424242424242", false, true)
	toks.Deleted = tokenize("5555555555554444", false, true)
	toks.Used = tokenize("378282246310005", true, true)
	toks.Expired = tokenize("6011111111111117", true, true)
	toks.KeptNoCVC = tokenize("3566002020360505", false, false)
	if home.Tokenized != nil {
		home.Tokenized(t)
	}
	if a := c.do(t, req{method: "DELETE", path: "/v1/tokens/" + toks.Deleted, key: shop.SK}); a.Status != http.StatusOK {
		t.Fatalf("DELETE = %d %s, want 200", a.Status, a.code())
	}
	if a := relay(`{"n":"{{` + toks.Used + `:number}}","cvc":"{{` + toks.Used + `:cvc}}"}`); a.Status != http.StatusOK {
		t.Fatalf("relay of the single-use token = %d %s, want 200", a.Status, a.code())
	}
	// Everything but the reusable tokens expires: the CVCs, their keys
	// (window + CVC TTL), the single-use token.
	time.Sleep(max(ShortCVCKeyWindow+ShortCVCTTL, ShortSingleUseTTL) + 1500*time.Millisecond)
	home.Purge(t)

	for _, tc := range []struct {
		name, tok string
		want      int
	}{
		{"kept", toks.Kept, http.StatusOK},
		{"kept without a CVC", toks.KeptNoCVC, http.StatusOK},
		{"deleted", toks.Deleted, http.StatusNotFound},
		{"used", toks.Used, http.StatusNotFound},
		{"expired", toks.Expired, http.StatusNotFound},
	} {
		if a := c.do(t, req{method: "GET", path: "/v1/tokens/" + tc.tok, key: shop.SK}); a.Status != tc.want {
			t.Errorf("GET the %s token after the purge = %d %s, want %d", tc.name, a.Status, a.code(), tc.want)
		}
	}
	if a := relay(`{"cvc":"{{` + toks.Kept + `:cvc}}"}`); a.Status != http.StatusNotFound {
		t.Errorf("relay of the kept token's expired CVC = %d %s, want 404", a.Status, a.code())
	}
	if a := relay(`{"n":"{{` + toks.Kept + `:number}}"}`); a.Status != http.StatusOK {
		t.Errorf("relay of the kept token's number after the purge = %d %s, want 200", a.Status, a.code())
	}
	return toks
}
