package shop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/sdk/token"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// fakeEdge stands in for the edge's server-side API (token metadata,
// delete, relay) with a map of cards and the real relay templating of
// sdk/token; relays go to a samplepsp server.
type fakeEdge struct {
	t        *testing.T
	provider *samplepsp.Server

	mu        sync.Mutex
	cards     map[string]fakeCard
	deleted   []string
	templates []string
	calls     int
}

type fakeCard struct {
	number, cvc string
	meta        cardMeta
	singleUse   bool
}

const testSK = "sk_test_backend"

func (e *fakeEdge) add(number, cvc, fingerprint string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	tok := token.NewTokenID()
	e.cards[tok] = fakeCard{number: number, cvc: cvc, meta: cardMeta{Brand: "visa", Last4: number[len(number)-4:], ExpMonth: 12, ExpYear: 2030, Fingerprint: fingerprint}}
	return tok
}

func (e *fakeEdge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls++
	if r.Header.Get("Authorization") != "Bearer "+testSK {
		http.Error(w, `{"error":{"code":"unauthorized","message":"bad key"}}`, http.StatusUnauthorized)
		return
	}
	tok, isToken := strings.CutPrefix(r.URL.Path, "/v1/tokens/")
	switch {
	case isToken && r.Method == http.MethodGet:
		c, ok := e.cards[tok]
		if !ok {
			http.Error(w, `{"error":{"code":"not_found","message":"no"}}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"token": tok, "card": c.meta, "single_use": c.singleUse})
	case isToken && r.Method == http.MethodDelete:
		if _, ok := e.cards[tok]; !ok {
			http.Error(w, `{"error":{"code":"not_found","message":"no"}}`, http.StatusNotFound)
			return
		}
		delete(e.cards, tok)
		e.deleted = append(e.deleted, tok)
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/v1/relay" && r.Method == http.MethodPost:
		var req relayRequest
		json.NewDecoder(r.Body).Decode(&req)
		e.templates = append(e.templates, req.Body)
		body, err := token.FillPlaceholders([]byte(req.Body), func(tok, field string) (string, error) {
			c, ok := e.cards[tok]
			if !ok {
				return "", token.ErrNotFound
			}
			switch field {
			case "number":
				return c.number, nil
			case "cvc":
				cvc := c.cvc
				c.cvc = "" // like the vault: the CVC goes after its first use
				e.cards[tok] = c
				return cvc, nil
			case "exp_month":
				return strconv.Itoa(c.meta.ExpMonth), nil
			case "exp_year":
				return strconv.Itoa(c.meta.ExpYear), nil
			}
			return "", nil
		})
		if err != nil {
			http.Error(w, `{"error":{"code":"bad_request","message":"template"}}`, http.StatusBadRequest)
			return
		}
		pr := httptest.NewRequest(req.Method, req.URL, bytes.NewReader(body))
		for k, v := range req.Headers {
			pr.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		e.provider.ServeHTTP(rec, pr)
		json.NewEncoder(w).Encode(relayAnswer{Status: rec.Code, Body: string(token.Redact(rec.Body.Bytes(), nil))})
	default:
		http.NotFound(w, r)
	}
}

type backendFixture struct {
	t        *testing.T
	edge     *fakeEdge
	backend  *Backend
	provider *samplepsp.Server
	secret   []byte
	now      time.Time
	requests *bytes.Buffer
	state    string
}

func newBackendFixture(t *testing.T, state string) *backendFixture {
	t.Helper()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	provider := samplepsp.New(samplepsp.Options{APIKey: "psp_test_k", Now: func() time.Time { return now }})
	fe := &fakeEdge{t: t, provider: provider, cards: map[string]fakeCard{}}
	srv := httptest.NewServer(fe)
	t.Cleanup(srv.Close)
	fx := &backendFixture{t: t, edge: fe, provider: provider, secret: []byte("whsec_backend_test_0123456789"), now: now, requests: &bytes.Buffer{}, state: state}
	b, err := NewBackend(BackendOptions{
		Edge: srv.URL, SecretKey: testSK, SigningSecret: fx.secret,
		ProviderURL: "http://psp.example/v1/charges", ProviderKey: "psp_test_k",
		StateFile: state, Requests: fx.requests, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	fx.backend = b
	return fx
}

var reqSeq int

// call posts a signed (or, with header set, specially signed) request.
func (fx *backendFixture) call(route string, body map[string]any, header ...string) (int, map[string]any) {
	fx.t.Helper()
	if _, ok := body["request_id"]; !ok {
		reqSeq++
		body["request_id"] = fmt.Sprintf("req_%016d", reqSeq)
	}
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "/sealpay/"+route, bytes.NewReader(b))
	r.Header.Set(webhook.RouteHeader, route)
	if len(header) > 0 {
		r.Header.Set("Sealpay-Signature", header[0])
	} else {
		r.Header.Set("Sealpay-Signature", signV2(fx.t, fx.secret, route, "/sealpay/"+route, b, fx.now))
	}
	w := httptest.NewRecorder()
	fx.backend.ServeHTTP(w, r)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func (fx *backendFixture) edgeCalls() int {
	fx.edge.mu.Lock()
	defer fx.edge.mu.Unlock()
	return fx.edge.calls
}

func TestBackendRefusesUnsignedRequests(t *testing.T) {
	fx := newBackendFixture(t, "")
	tok := fx.edge.add("4242424242424242", "123", "fp_a")
	body := map[string]any{"product": "matcha-bowl", "currency": "USD", "locale": "en", "token": tok}
	b, _ := json.Marshal(body)
	tests := []struct{ name, header string }{
		{"no signature", ""},
		{"wrong secret", signV2(t, []byte("whsec_wrong"), "checkout", "/sealpay/checkout", b, fx.now)},
		{"stale", signV2(t, fx.secret, "checkout", "/sealpay/checkout", b, fx.now.Add(-time.Hour))},
		// v1 covers only the body: a backend that accepted it would take
		// a capture replayed to another route.
		{"v1 only", webhook.SignRequest(fx.secret, b, fx.now)},
		{"signed for another path", signV2(t, fx.secret, "checkout", "/sealpay/forget", b, fx.now)},
		{"signed for another route", signV2(t, fx.secret, "forget", "/sealpay/checkout", b, fx.now)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/sealpay/checkout", bytes.NewReader(b))
			r.Header.Set(webhook.RouteHeader, "checkout")
			if tc.name == "signed for another route" {
				r.Header.Set(webhook.RouteHeader, "forget")
			}
			if tc.header != "" {
				r.Header.Set("Sealpay-Signature", tc.header)
			}
			w := httptest.NewRecorder()
			fx.backend.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("unsigned checkout = %d, want 401", w.Code)
			}
		})
	}
	if n := fx.edgeCalls(); n != 0 {
		t.Errorf("the backend called the edge %d times for refused requests, want 0", n)
	}
	if !strings.Contains(fx.requests.String(), `"signature_ok":false`) {
		t.Errorf("refused requests are not in the request log")
	}
}

func TestBackendSigningSecretRotation(t *testing.T) {
	fx := newBackendFixture(t, "")
	old := fx.secret
	fx.backend.opts.OldSigningSecret = old
	fx.backend.opts.SigningSecret = []byte("whsec_new_secret_0123456789")
	body := map[string]any{"customer": "cus_x"}
	if code, _ := fx.call("cards", body); code != 200 {
		t.Errorf("request signed with the old secret during rotation = %d, want 200", code)
	}
	fx.secret = fx.backend.opts.SigningSecret
	if code, _ := fx.call("cards", map[string]any{"customer": "cus_x"}); code != 200 {
		t.Errorf("request signed with the new secret = %d, want 200", code)
	}
	fx.backend.opts.OldSigningSecret = nil
	fx.secret = old
	if code, _ := fx.call("cards", map[string]any{"customer": "cus_x"}); code != 401 {
		t.Errorf("request signed with the retired secret = %d, want 401", code)
	}
}

func TestBackendBadOrders(t *testing.T) {
	fx := newBackendFixture(t, "")
	tok := fx.edge.add("4242424242424242", "123", "fp_a")
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"unknown field (a price from the page)", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": tok, "amount": 1}, 400},
		{"unknown product", map[string]any{"product": "teapot", "currency": "USD", "token": tok}, 400},
		{"unsupported currency", map[string]any{"product": "matcha-bowl", "currency": "GBP", "token": tok}, 400},
		{"malformed token", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": "tok_short"}, 400},
		{"a card number instead of a token", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": "4242424242424242"}, 400},
		{"token and saved card", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": tok, "saved_card": "card_x", "customer": "cus_x"}, 400},
		{"neither", map[string]any{"product": "matcha-bowl", "currency": "USD"}, 400},
		{"short request id", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": tok, "request_id": "x"}, 400},
		{"unknown saved card", map[string]any{"product": "matcha-bowl", "currency": "USD", "saved_card": "card_x", "customer": "cus_x"}, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, out := fx.call("checkout", tc.body); code != tc.want {
				t.Errorf("checkout = %d %v, want %d", code, out, tc.want)
			}
		})
	}
	if n := fx.edgeCalls(); n != 0 {
		t.Errorf("the backend called the edge %d times for bad orders, want 0", n)
	}
}

func TestBackendCheckout(t *testing.T) {
	const number = "4242424242424242"
	fx := newBackendFixture(t, filepath.Join(t.TempDir(), "customers.json"))
	tok := fx.edge.add(number, "123", "fp_same")
	code, rc := fx.call("checkout", map[string]any{"product": "matcha-bowl", "currency": "JPY", "locale": "ja", "token": tok, "save_card": true})
	if code != http.StatusOK {
		t.Fatalf("checkout = %d %v, want 200", code, rc)
	}
	card := rc["card"].(map[string]any)
	if rc["status"] != "approved" || rc["amount"] != 5500.0 || rc["currency"] != "JPY" || rc["amount_decimal"] != "5500" || card["last4"] != "4242" || card["brand"] != "visa" {
		t.Errorf("receipt = %v, want approved ¥5500 visa 4242", rc)
	}
	customer, _ := rc["customer"].(string)
	saved, _ := rc["saved_card"].(map[string]any)
	if !strings.HasPrefix(customer, "cus_") || saved == nil || saved["token"] != nil {
		// The members, not the values: a token there is the failure.
		t.Fatalf("receipt customer %q saved_card members %v: want a customer and a saved card without its token", customer, slices.Sorted(maps.Keys(saved)))
	}
	// The relay template names the token; the card data is filled in by
	// the edge, so no digits of it pass through the backend.
	first := fx.edge.templates[0]
	for i, want := range []string{"{{" + tok + ":number}}", "{{" + tok + ":cvc}}", `"amount":5500`, `"currency":"JPY"`} {
		if !strings.Contains(first, want) {
			t.Errorf("relay template (%d bytes) lacks part %d (number and CVC placeholders, amount, currency)", len(first), i) // it names the token
		}
	}
	charges := fx.provider.Charges()
	mac := fx.provider.NumberMAC(number)
	if len(charges) != 1 || charges[0].NumberMAC != mac || charges[0].StoredCredential {
		// Not the records: they hold the number's MAC.
		t.Fatalf("provider charges = %d (first of the test card %v, stored credential %v), want one customer-initiated charge of the test card",
			len(charges), len(charges) > 0 && charges[0].NumberMAC == mac, len(charges) > 0 && charges[0].StoredCredential)
	}

	// The returning shopper: the saved card, listed without its token,
	// and paid with again as a stored credential (no CVC).
	code, list := fx.call("cards", map[string]any{"customer": customer})
	cards, _ := list["cards"].([]any)
	if code != 200 || len(cards) != 1 || strings.Contains(fmt.Sprint(list), "tok_") {
		t.Fatalf("cards = %d with %d cards, token shown %v; want one card and no token", code, len(cards), strings.Contains(fmt.Sprint(list), "tok_"))
	}
	code, rc2 := fx.call("checkout", map[string]any{"product": "matcha-bowl", "currency": "USD", "customer": customer, "saved_card": saved["id"]})
	if code != 200 || rc2["paid_with_saved"] != true || rc2["card"].(map[string]any)["fingerprint"] != "fp_same" {
		t.Fatalf("pay again = %d %v, want approved with the saved card", code, rc2)
	}
	second := fx.edge.templates[1]
	if strings.Contains(second, ":cvc}}") || !strings.Contains(second, `"stored_credential":true`) {
		t.Errorf("saved-card relay template: CVC placeholder %v, stored_credential %v; want false, true", strings.Contains(second, ":cvc}}"), strings.Contains(second, `"stored_credential":true`))
	}

	// The same card typed in again: recognised by its fingerprint, the
	// new token dropped, still one saved card.
	tok2 := fx.edge.add(number, "123", "fp_same")
	code, rc3 := fx.call("checkout", map[string]any{"product": "matcha-bowl", "currency": "EUR", "customer": customer, "token": tok2, "save_card": true})
	if code != 200 || rc3["already_saved"] != true {
		t.Fatalf("same card again = %d %v, want already_saved", code, rc3)
	}
	if !contains(fx.edge.deleted, tok2) || contains(fx.edge.deleted, tok) {
		t.Errorf("deleted tokens = %d, want the duplicate's only", len(fx.edge.deleted))
	}

	// The state survives a restart.
	again := newBackendFixture(t, fx.state)
	if code, list := again.call("cards", map[string]any{"customer": customer}); code != 200 || len(list["cards"].([]any)) != 1 {
		t.Errorf("cards after restart = %d %v, want the saved card", code, list)
	}

	// Forget: the token is deleted at the edge.
	if code, out := fx.call("forget", map[string]any{"customer": customer, "card": saved["id"]}); code != 200 {
		t.Fatalf("forget = %d %v", code, out)
	}
	if !contains(fx.edge.deleted, tok) {
		t.Errorf("forget did not delete the saved token")
	}
	if _, list := fx.call("cards", map[string]any{"customer": customer}); len(list["cards"].([]any)) != 0 {
		t.Errorf("cards after forget = %v, want none", list)
	}
	if strings.Contains(fx.requests.String(), number) || strings.Contains(fx.requests.String(), "424242424242") {
		t.Errorf("the backend's request log holds the card number")
	}
}

func TestBackendDeclineAndReplay(t *testing.T) {
	fx := newBackendFixture(t, "")
	tok := fx.edge.add("4000000000000002", "123", "fp_d")
	body := map[string]any{"product": "matcha-bowl", "currency": "BRL", "token": tok, "save_card": true, "request_id": "req_decline_000000001"}
	code, out := fx.call("checkout", body)
	if code != http.StatusPaymentRequired || out["decline_code"] != "card_declined" {
		t.Fatalf("declined checkout = %d %v, want 402 card_declined", code, out)
	}
	if !contains(fx.edge.deleted, tok) {
		t.Errorf("a declined card's token was kept")
	}
	if code, out := fx.call("checkout", body); code != http.StatusConflict {
		t.Errorf("replayed request = %d %v, want 409", code, out)
	}
	if n := len(fx.provider.Charges()); n != 1 {
		t.Errorf("provider got %d charges, want 1 (the replay must not reach it)", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// signV2 signs body as the edge forwards it on route to path.
func signV2(t testing.TB, secret []byte, route, path string, body []byte, now time.Time) string {
	t.Helper()
	h, err := webhook.SignForward([][]byte{secret}, webhook.Message{Method: http.MethodPost, Route: route, Path: path, Body: body}, now)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestBackendSavesOnlyReusableTokens: a shopper who ticks "save this
// card" gets a token from tokenize({ save: true }); a single-use token
// (tokenize() without it) cannot be put on file, and is not charged.
func TestBackendSavesOnlyReusableTokens(t *testing.T) {
	fx := newBackendFixture(t, "")
	tok := fx.edge.add("4242424242424242", "123", "fp_once")
	fx.edge.mu.Lock()
	c := fx.edge.cards[tok]
	c.singleUse = true
	fx.edge.cards[tok] = c
	fx.edge.mu.Unlock()
	code, out := fx.call("checkout", map[string]any{"product": "matcha-bowl", "currency": "USD", "locale": "en", "token": tok, "save_card": true})
	if code != http.StatusBadRequest {
		t.Errorf("checkout saving a single-use token = %d %v, want 400", code, out["error"])
	}
	fx.edge.mu.Lock()
	charged := len(fx.edge.templates)
	fx.edge.mu.Unlock()
	if charged != 0 {
		t.Errorf("the edge relayed %d charges, want none", charged)
	}
	// Without save_card the same single-use token pays.
	if code, out := fx.call("checkout", map[string]any{"product": "matcha-bowl", "currency": "USD", "locale": "en", "token": tok}); code != 200 {
		t.Errorf("checkout with a single-use token, not saved = %d %v, want 200", code, out["error"])
	}
}
