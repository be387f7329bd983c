package edgetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// client is a test HTTP client for one edge.
type client struct {
	base string
	hc   *http.Client
	fx   *Fixture
}

// answer is one edge response.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// code returns the error code of a JSON error answer.
func (a answer) code() string {
	var e struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(a.Body, &e)
	return e.Error.Code
}

var clientSeq atomic.Int64

// newClientID returns a fresh client address for the trusted header, so
// subtests do not share per-client limits.
func newClientID() string {
	return fmt.Sprintf("198.51.100.%d", clientSeq.Add(1)%250+1)
}

type req struct {
	method, path string
	key, origin  string
	clientID     string
	body         []byte
	header       map[string]string
}

func (c *client) do(t testing.TB, r req) answer {
	t.Helper()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, c.base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.key != "" {
		hr.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	if r.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	id := r.clientID
	if id == "" {
		id = newClientID()
	}
	hr.Header.Set(ClientHeader, id)
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		// The path may name a token, and the error quotes the URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		t.Fatalf("%s %s: %v", r.method, redactPath(r.path), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", r.method, redactPath(r.path), err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// sealer makes envelopes for the edge's primary key.
type sealer struct {
	kid string
	x   []byte
	fx  *Fixture
}

func (s *sealer) seal(t *testing.T, mid, aud string, cardDoc []byte, mutate func(h map[string]any)) string {
	t.Helper()
	h := header(s.kid, mid, aud, time.Now())
	if mutate != nil {
		mutate(h)
	}
	env, err := rawSeal(s.x, h, cardDoc)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// card returns a card document for number, remembered for the scans.
func (s *sealer) card(number string) []byte {
	s.fx.numbers.Store(number, true)
	cvc := "123"
	if strings.HasPrefix(number, "34") || strings.HasPrefix(number, "37") {
		cvc = "1234"
	}
	return cardJSON(number, 12, time.Now().Year()+3, cvc)
}

// Run runs the edge HTTP suite against the edge at baseURL, configured
// from fx. Both homes must give the same answers.
func Run(t *testing.T, baseURL string, fx *Fixture) {
	// DisableCompression: the client sends no Accept-Encoding of its own
	// and decodes nothing, so the asset checks see what went on the wire.
	c := &client{base: strings.TrimSuffix(baseURL, "/"), hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}, fx: fx}
	keys := c.do(t, req{method: "GET", path: "/v1/keys"})
	if keys.Status != http.StatusOK {
		t.Fatalf("GET /v1/keys = %d %s, want 200", keys.Status, keys.Body)
	}
	kid, x, err := primaryX(keys.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &sealer{kid: kid, x: x, fx: fx}
	shop := fx.Shop

	t.Run("healthz", func(t *testing.T) {
		a := c.do(t, req{method: "GET", path: "/healthz"})
		if a.Status != http.StatusOK {
			t.Errorf("GET /healthz = %d, want 200", a.Status)
		}
	})

	t.Run("keys", func(t *testing.T) {
		if ct := keys.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
			t.Errorf("GET /v1/keys Content-Type = %q, want JSON", ct)
		}
		if cc := keys.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
			t.Errorf("GET /v1/keys Cache-Control = %q, want public caching", cc)
		}
		if bytes.Contains(keys.Body, []byte(`"d"`)) {
			t.Error("GET /v1/keys contains a private key member \"d\"")
		}
	})

	var tok string
	t.Run("tokenize", func(t *testing.T) {
		for _, tc := range Cards() {
			doc := s.card(tc.Number)
			env := s.seal(t, shop.ID, shop.Origin, doc, nil)
			a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": env})})
			if a.Status != http.StatusCreated {
				t.Fatalf("tokenize %s = %d %s, want 201", tc.Brand, a.Status, a.code())
			}
			var got struct {
				Token string
				Card  struct {
					Brand, Last4, Fingerprint string
					ExpMonth                  int `json:"exp_month"`
				}
			}
			json.Unmarshal(a.Body, &got)
			if !strings.HasPrefix(got.Token, "tok_") || len(got.Token) != 26 {
				t.Errorf("token has shape %d chars, want tok_ + 22", len(got.Token))
			}
			if got.Card.Brand != tc.Brand || got.Card.Last4 != tc.Number[len(tc.Number)-4:] || got.Card.ExpMonth != 12 {
				t.Errorf("tokenize %s: card = %s/%s/%d, want %s/%s/12", tc.Brand, got.Card.Brand, got.Card.Last4, got.Card.ExpMonth, tc.Brand, tc.Number[len(tc.Number)-4:])
			}
			if !strings.HasPrefix(got.Card.Fingerprint, "fp_") {
				t.Errorf("fingerprint has no fp_ prefix")
			}
			if a.Header.Get("Access-Control-Allow-Origin") != shop.Origin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", a.Header.Get("Access-Control-Allow-Origin"), shop.Origin)
			}
			fx.ScanForNumbers(t, "tokenize answer", a.Body)
			fx.live.Add(1)
			if tok == "" {
				tok = got.Token
			}
			// The same envelope a second time is a replay.
			a = c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": env})})
			if a.Status != http.StatusConflict || a.code() != "replayed" {
				t.Errorf("tokenize replay = %d %s, want 409 replayed", a.Status, a.code())
			}
		}
	})
	if tok == "" {
		t.Fatal("no token to continue with")
	}

	t.Run("bad input", func(t *testing.T) { badInput(t, c, s) })
	t.Run("auth and origins", func(t *testing.T) { authOrigins(t, c, s, tok) })
	t.Run("cors", func(t *testing.T) { cors(t, c) })
	t.Run("forward", func(t *testing.T) { forward(t, c, s) })
	t.Run("forward vouches for minted tokens only", func(t *testing.T) { vouched(t, c, s) })
	t.Run("frame tokens", func(t *testing.T) { frameTokens(t, c, s) })
	t.Run("relay", func(t *testing.T) { relay(t, c, s) })
	t.Run("relay routes", func(t *testing.T) { relayRoutes(t, c, s) })
	t.Run("get and delete", func(t *testing.T) { getDelete(t, c, s) })
	t.Run("atomic units", func(t *testing.T) { atomicUnits(t, c, s) })
	t.Run("qr", func(t *testing.T) { qrRoutes(t, c) })
	t.Run("google pay", func(t *testing.T) { googlePay(t, c) })
	t.Run("apple pay", func(t *testing.T) { applePay(t, c) })
	t.Run("idempotency", func(t *testing.T) { idempotency(t, c, s) })
	t.Run("assets", func(t *testing.T) { assetRoutes(t, c) })
	t.Run("unauthenticated flood", func(t *testing.T) { RunUnauthenticatedFlood(t, baseURL, fx) })
	t.Run("unknown route", func(t *testing.T) {
		a := c.do(t, req{method: "GET", path: "/v1/nope"})
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("GET /v1/nope = %d %s, want 404 not_found", a.Status, a.code())
		}
	})
	t.Run("backend never saw a card number", func(t *testing.T) {
		fx.ScanForNumbers(t, "merchant backend traffic", fx.Backend.All())
		fx.ScanForNumbers(t, "foreign host traffic", fx.Elsewhere.All())
	})
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// tokenizeOK tokenizes a fresh card and returns the token.
func tokenizeOK(t *testing.T, c *client, s *sealer, number string) string {
	t.Helper()
	shop := c.fx.Shop
	env := s.seal(t, shop.ID, shop.Origin, s.card(number), nil)
	a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: jsonBody(map[string]any{"envelope": env})})
	if a.Status != http.StatusCreated {
		t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
	}
	var got struct{ Token string }
	json.Unmarshal(a.Body, &got)
	c.fx.live.Add(1)
	return got.Token
}
