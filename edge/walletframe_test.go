//go:build !js

package edge

import (
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
)

// TestWalletFrameCSP checks that the wallet frame's policy names Google's
// origins only for a key whose merchant has Google Pay on, for that
// merchant's own page, and that the card frame's policy is the same for
// merchants with and without Google Pay.
func TestWalletFrameCSP(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"merchants":[
		{"id":"m_gpay","publishable_keys":["` + HashAPIKey("pk_gpay") + `"],"allowed_origins":["https://gpay.example"],
		 "google_pay":{"merchant_id":"BCR2DN4T1","merchant_name":"Shop"}},
		{"id":"m_plain","publishable_keys":["` + HashAPIKey("pk_plain") + `"],"allowed_origins":["https://plain.example"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{cfg: cfg}
	h.wallets.gpay = map[string]*googlepay.Recipient{"m_gpay": {}}
	const nonce = "bm9uY2Vub25jZW5vbmNlMA=="
	google := "default-src 'none'; script-src 'self' 'nonce-" + nonce + "' https://pay.google.com; " +
		"connect-src 'self' https://pay.google.com https://google.com/pay; frame-src https://pay.google.com; " +
		"style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data: https://www.gstatic.com; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors https://gpay.example"
	plain := func(ancestors string) string {
		return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
	}
	for _, tc := range []struct{ name, key, origin, want string }{
		{"Google Pay merchant, its page", "pk_gpay", "https://gpay.example", google},
		{"Google Pay merchant, another page", "pk_gpay", "https://plain.example", plain("'none'")},
		{"merchant without Google Pay", "pk_plain", "https://plain.example", plain("https://plain.example")},
		{"unknown key", "pk_nobody", "https://gpay.example", plain("'none'")},
	} {
		if got := h.walletFrameCSP(tc.key, tc.origin, nonce); got != tc.want {
			t.Errorf("%s: walletFrameCSP = %q, want %q", tc.name, got, tc.want)
		}
	}
	// Google Pay configured but no recipient (no key): no Google origins.
	delete(h.wallets.gpay, "m_gpay")
	if got := h.walletFrameCSP("pk_gpay", "https://gpay.example", nonce); strings.Contains(got, "google") {
		t.Errorf("walletFrameCSP without a Google Pay recipient = %q, want no Google origin", got)
	}
	h.wallets.gpay["m_gpay"] = &googlepay.Recipient{}
	for _, k := range []struct{ key, origin string }{{"pk_gpay", "https://gpay.example"}, {"pk_plain", "https://plain.example"}} {
		if got, want := h.frameCSP(k.key, k.origin), "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors "+k.origin; got != want {
			t.Errorf("frameCSP(%s) = %q, want %q (the card frame's policy, with or without Google Pay)", k.key, got, want)
		}
	}
}
