package cardbridge

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// testCard is Stripe's public Visa test number (https://docs.stripe.com/testing).
var testCard = card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Name: "A. Shopper"}

func newKeys(t testing.TB) (*envelope.KeySet, json.RawMessage) {
	t.Helper()
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := json.Marshal(ks.Public())
	if err != nil {
		t.Fatal(err)
	}
	return ks, pub
}

func sealRequest(t testing.TB, keys json.RawMessage, c any, mutate func(m map[string]any)) []byte {
	t.Helper()
	m := map[string]any{"keys": keys, "card": c, "merchant_id": "m_demo", "origin": "https://shop.example", "ttl": 600}
	if mutate != nil {
		mutate(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealRoundTrip(t *testing.T) {
	ks, pub := newKeys(t)
	resp, err := testHandler().handle(context.Background(), bridge.MethodSeal, sealRequest(t, pub, testCard, nil))
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	var got SealResponse
	if err := json.Unmarshal(resp, &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Envelope, "sp1.") {
		t.Fatalf("envelope prefix = %.4q, want \"sp1.\"", got.Envelope)
	}
	opened, err := envelope.Open(ks, got.Envelope, envelope.OpenOptions{MerchantID: "m_demo", Origin: "https://shop.example", Now: testNow})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if opened.Card != testCard {
		t.Errorf("opened card differs from the sealed one (last4 %s, want %s)", card.Last4(opened.Card.Number), card.Last4(testCard.Number))
	}
	if got, want := opened.Header.ExpiresAt.Sub(opened.Header.IssuedAt), 600*time.Second; got != want {
		t.Errorf("lifetime = %v, want %v", got, want)
	}
	if got, want := opened.Header.IssuedAt, testNow; !got.Equal(want) {
		t.Errorf("iat = %v, want %v", got, want)
	}
}

func TestSealErrors(t *testing.T) {
	_, pub := newKeys(t)
	expired := testCard
	expired.ExpYear, expired.ExpMonth = 2026, 5
	badNumber := testCard
	badNumber.Number = "4242424242424241"
	tests := []struct {
		name string
		req  []byte
		want errcode.Code
	}{
		{"expired card", sealRequest(t, pub, expired, nil), errcode.CardExpired},
		{"luhn failure", sealRequest(t, pub, badNumber, nil), errcode.InvalidCardNumber},
		{"zero-width in number", sealRequest(t, pub, map[string]any{"number": "4242\u200b424242424242", "exp_month": 12, "exp_year": 2030}, nil), errcode.InvalidCardNumber},
		{"month 13", sealRequest(t, pub, map[string]any{"number": testCard.Number, "exp_month": 13, "exp_year": 2030}, nil), errcode.InvalidExpiry},
		{"bad cvc", sealRequest(t, pub, map[string]any{"number": testCard.Number, "exp_month": 12, "exp_year": 2030, "cvc": "12a"}, nil), errcode.InvalidCVC},
		{"unknown card member", sealRequest(t, pub, map[string]any{"number": testCard.Number, "exp_month": 12, "exp_year": 2030, "pin": "1"}, nil), errcode.BadRequest},
		{"no merchant", sealRequest(t, pub, testCard, func(m map[string]any) { delete(m, "merchant_id") }), errcode.BadRequest},
		{"ttl over an hour", sealRequest(t, pub, testCard, func(m map[string]any) { m["ttl"] = 3601 }), errcode.BadRequest},
		{"negative ttl", sealRequest(t, pub, testCard, func(m map[string]any) { m["ttl"] = -1 }), errcode.BadRequest},
		{"no keys", sealRequest(t, pub, testCard, func(m map[string]any) { delete(m, "keys") }), errcode.BadRequest},
		{"empty key set", sealRequest(t, json.RawMessage(`{"keys":[]}`), testCard, nil), errcode.Of(envelope.ErrInvalidKeySet)},
		{"private key in set", sealRequest(t, json.RawMessage(`{"keys":[{"kty":"OKP","crv":"X25519","kid":"k","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}`), testCard, nil), errcode.Of(envelope.ErrInvalidKeySet)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testHandler().handle(context.Background(), bridge.MethodSeal, tc.req)
			if got := errcode.Of(err); got != tc.want {
				t.Fatalf("seal error code = %q (%v), want %q", got, err, tc.want)
			}
			if msg := err.Error(); strings.Contains(msg, "4242424242") || strings.Contains(msg, "123") {
				t.Errorf("error message holds card data (%d chars)", len(msg))
			}
		})
	}
}

func TestHandleBadRequests(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 17) + "1" + strings.Repeat("}", 17) // nested deeper than bridge.Decode allows
	tests := []struct {
		name   string
		method string
		req    string
		want   errcode.Code
	}{
		{"unknown method", "open", `{}`, errcode.BadRequest},
		{"empty method", "", `{}`, errcode.BadRequest},
		{"not JSON", bridge.MethodCheckCard, `number=4242`, errcode.BadRequest},
		{"empty body", bridge.MethodCheckCard, ``, errcode.BadRequest},
		{"array", bridge.MethodCheckCard, `[]`, errcode.BadRequest},
		{"duplicate member", bridge.MethodCheckCard, `{"number":"4242","number":"5555"}`, errcode.BadRequest},
		{"nested duplicate member", bridge.MethodSeal, `{"keys":{"keys":[],"keys":[]}}`, errcode.BadRequest},
		{"unknown member", bridge.MethodCheckCard, `{"pan":"4242"}`, errcode.BadRequest},
		{"trailing data", bridge.MethodCheckCard, `{"number":"4242"} {}`, errcode.BadRequest},
		{"invalid UTF-8", bridge.MethodCheckCard, "{\"name\":\"\xff\"}", errcode.BadRequest},
		{"escaped lone surrogate", bridge.MethodCheckCard, `{"name":"\ud800"}`, errcode.BadRequest},
		{"escaped lone surrogate in the card", bridge.MethodSeal, `{"keys":{},"card":{"name":"\udc00"}}`, errcode.BadRequest},
		{"too deep", bridge.MethodSeal, deep, errcode.BadRequest},
		{"too large", bridge.MethodCheckCard, `{"name":"` + strings.Repeat("a", bridge.MaxRequestSize) + `"}`, errcode.PayloadTooLarge},
		{"wrong type", bridge.MethodCheckCard, `{"number":4242}`, errcode.BadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Handle(context.Background(), tc.method, []byte(tc.req))
			if got := errcode.Of(err); got != tc.want {
				t.Fatalf("Handle(%q) error code = %q (%v), want %q", tc.method, got, err, tc.want)
			}
		})
	}
}

func TestHandleCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Handle(ctx, bridge.MethodCheckCard, []byte(`{}`))
	if err == nil || !errors.Is(err, context.Canceled) && errcode.Of(err) != errcode.Internal {
		t.Fatalf("Handle(canceled) = %v, want an internal error", err)
	}
}

// FuzzHandle feeds arbitrary requests to every method: nothing may panic,
// and every failure carries a code other than internal, since bad input is
// the caller's fault and must say so. A request that succeeds must decode
// to the same request after a round trip through encoding/json.
func FuzzHandle(f *testing.F) {
	n := 0
	for _, tc := range loadCheckCases(f) {
		f.Add(bridge.MethodCheckCard, []byte(tc.Req))
		n++
	}
	if n == 0 {
		f.Fatal("no seeds")
	}
	_, pub := newKeys(f)
	f.Add(bridge.MethodSeal, sealRequest(f, pub, testCard, nil))
	f.Add(bridge.MethodSeal, []byte(`{"keys":{"keys":[]},"card":{}}`))
	f.Add("nope", []byte(`{}`))
	h := testHandler()
	f.Fuzz(func(t *testing.T, method string, req []byte) {
		resp, err := h.handle(context.Background(), method, req)
		if err != nil {
			if errcode.Of(err) == errcode.Internal {
				t.Fatalf("Handle(%q): internal error: %v", method, err)
			}
			return
		}
		if !json.Valid(resp) {
			t.Fatalf("Handle(%q) returned invalid JSON", method)
		}
		if method != bridge.MethodCheckCard {
			return
		}
		var r CheckCardRequest
		if err := json.Unmarshal(req, &r); err != nil {
			t.Fatalf("accepted request does not decode: %v", err)
		}
		again, err := h.handle(context.Background(), method, mustJSON(t, r))
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if string(again) != string(resp) {
			t.Fatalf("re-encoded request gives another answer")
		}
	})
}
