package edgetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tokenizer tokenizes cards against one edge, as the shop's checkout
// pages would. It is safe for concurrent use; load tests and benchmarks use
// it, each call from a fresh client address so that per-client limits do
// not apply.
type Tokenizer struct {
	c    *client
	s    *sealer
	seq  atomic.Uint64
	HTTP *http.Client
}

// NewTokenizer fetches the edge's public keys and returns a Tokenizer.
func NewTokenizer(t testing.TB, baseURL string, fx *Fixture) *Tokenizer {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: hc, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Tokenizer{c: c, s: &sealer{kid: kid, x: x, fx: fx}, HTTP: hc}
}

// RandomCard returns a random Luhn-valid 16-digit Visa test-range number
// (prefix 400000), remembered for the card-number scans.
func (tz *Tokenizer) RandomCard() string {
	n := "400000"
	for range 9 {
		n += string(rune('0' + rand.IntN(10)))
	}
	n = luhnComplete(n)
	tz.s.fx.numbers.Store(n, true)
	return n
}

// Seal returns a fresh envelope for number, for the shop's origin.
func (tz *Tokenizer) Seal(number string) (string, error) {
	shop := tz.s.fx.Shop
	h := header(tz.s.kid, shop.ID, shop.Origin, time.Now())
	return rawSeal(tz.s.x, h, cardJSON(number, 12, time.Now().Year()+3, "123"))
}

// Tokenize sends one tokenize request for an envelope and returns the
// token (on 201) and the status. A transport error returns status 0.
func (tz *Tokenizer) Tokenize(env string) (string, int, error) {
	shop := tz.s.fx.Shop
	body := jsonBody(map[string]any{"envelope": env})
	r, err := http.NewRequest("POST", tz.c.base+"/v1/tokens", strings.NewReader(string(body)))
	if err != nil {
		return "", 0, err
	}
	n := tz.seq.Add(1)
	r.Header.Set("Authorization", "Bearer "+shop.PK)
	r.Header.Set("Origin", shop.Origin)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(ClientHeader, fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255))
	resp, err := tz.HTTP.Do(r)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var got struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode == http.StatusCreated {
		tz.s.fx.live.Add(1)
	}
	return got.Token, resp.StatusCode, nil
}

// TakeCVC relays {{tok:cvc}} to the fixture's provider, which takes the
// CVC out of the vault, and returns the relay's status. Like Tokenize it
// reports a failed connection as an error, for load tests that kill the
// server.
func (tz *Tokenizer) TakeCVC(tok string) (int, error) {
	fx := tz.s.fx
	body := jsonBody(map[string]any{"url": fx.Provider.URL + "/v1/charges", "body": `{"cvc":"{{` + tok + `:cvc}}"}`})
	r, err := http.NewRequest("POST", tz.c.base+"/v1/relay", strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	r.Header.Set("Authorization", "Bearer "+fx.Shop.SK)
	r.Header.Set("Content-Type", "application/json")
	resp, err := tz.HTTP.Do(r)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Relay fills {{tok:number}} into a request to the fixture's provider and
// returns the relay status and the number the provider received.
func (tz *Tokenizer) Relay(t testing.TB, tok string) (int, string) {
	fx := tz.s.fx
	before := len(fx.Provider.Requests())
	a := tz.c.do(t, req{method: "POST", path: "/v1/relay", key: fx.Shop.SK, body: jsonBody(map[string]any{
		"url": fx.Provider.URL + "/v1/charges", "body": `{"number":"{{` + tok + `:number}}"}`})})
	reqs := fx.Provider.Requests()
	if a.Status != http.StatusOK || len(reqs) == before {
		return a.Status, ""
	}
	var sent struct{ Number string }
	json.Unmarshal(reqs[len(reqs)-1].Body, &sent)
	return a.Status, sent.Number
}

// Relax rewrites the fixture's configuration with limits high enough for
// load tests and benchmarks (the card-testing defence otherwise refuses a
// load generator, which looks exactly like card testing).
func (fx *Fixture) Relax(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(fx.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	json.Unmarshal(b, &cfg)
	high := map[string]any{"window": "1m", "slow": 0, "block": 0}
	cfg["limits"] = map[string]any{
		"client_requests": high, "key_requests": high, "client_cards": high,
		"client_failures": high, "key_cards": high, "key_failures": high,
	}
	b, _ = json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(fx.ConfigPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
