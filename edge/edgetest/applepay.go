package edgetest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
)

// applePayToken makes an Apple Pay paymentData object with the fixture's
// stand-in for Apple (or a, if not nil), encrypted to key for the Apple
// merchant identifier appleID. The number and cryptogram are remembered
// for the scans.
func (fx *Fixture) applePayToken(t *testing.T, a *applepaytest.Apple, key *applepaytest.MerchantKey, appleID string, p applepaytest.Payment, o applepaytest.TokenOptions) json.RawMessage {
	t.Helper()
	if a == nil {
		a = fx.Apple
	}
	fx.numbers.Store(p.ApplicationPrimaryAccountNumber, true)
	if c, ok := p.PaymentData["onlinePaymentCryptogram"].(string); ok {
		fx.secrets.Store(c, true)
	}
	tok, err := a.Token(key, appleID, p, o)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// applePayment is a 3DSecure payment of a fresh device account number
// with the given prefix and a fresh cryptogram.
func applePayment(prefix, eci string) applepaytest.Payment {
	exp := time.Now().AddDate(2, 0, 0)
	p := applepaytest.Payment{
		ApplicationPrimaryAccountNumber: luhnComplete(prefix + digits(15-len(prefix))),
		ApplicationExpirationDate:       exp.Format("060102"),
		CurrencyCode:                    "840",
		TransactionAmount:               1999,
		DeviceManufacturerIdentifier:    "040010030273",
		PaymentDataType:                 "3DSecure",
		PaymentData:                     map[string]any{"onlinePaymentCryptogram": newCryptogram()},
	}
	if eci != "" {
		p.PaymentData["eciIndicator"] = eci
	}
	return p
}

// applePay runs the Apple Pay cases: GET /v1/wallets, tokenize (the object
// and its string form), the relay of the cryptogram, the forward of a
// token and every refusal, none of which stores anything.
func applePay(t *testing.T, c *client) {
	fx := c.fx
	shop, other := fx.Shop, fx.Other
	tokenize := func(t *testing.T, data any) answer {
		t.Helper()
		return c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"wallet": "apple_pay", "payment_data": data})})
	}
	good := func(t *testing.T) json.RawMessage {
		return fx.applePayToken(t, nil, fx.ApplePayShopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{})
	}
	type tokenAnswer struct {
		Token      string
		Wallet     string
		AuthMethod string `json:"auth_method"`
		Card       struct{ Brand, Last4 string }
	}

	t.Run("wallets", func(t *testing.T) {
		var got struct {
			ApplePay *struct {
				MerchantIdentifier   string   `json:"merchant_identifier"`
				SupportedNetworks    []string `json:"supported_networks"`
				MerchantCapabilities []string `json:"merchant_capabilities"`
				Version              string   `json:"version"`
			} `json:"apple_pay"`
		}
		a := c.do(t, req{method: "GET", path: "/v1/wallets", key: shop.PK, origin: shop.Origin})
		if a.Status != http.StatusOK || json.Unmarshal(a.Body, &got) != nil || got.ApplePay == nil {
			t.Fatalf("GET /v1/wallets = %d %s: apple_pay missing", a.Status, a.code())
		}
		ap := got.ApplePay
		if ap.MerchantIdentifier != ApplePayShopID || strings.Join(ap.SupportedNetworks, ",") != "visa,masterCard,amex" ||
			strings.Join(ap.MerchantCapabilities, ",") != "supports3DS" || ap.Version != "EC_v1" {
			t.Errorf("apple_pay = %+v, want the shop's merchant identifier, its networks, supports3DS, EC_v1", *ap)
		}
		for _, no := range []string{"PRIVATE", "CERTIFICATE"} {
			if strings.Contains(string(a.Body), no) {
				t.Errorf("GET /v1/wallets holds a %s", no)
			}
		}
		a = c.do(t, req{method: "GET", path: "/v1/wallets", key: other.PK, origin: other.Origin})
		if json.Unmarshal(a.Body, &got) != nil || got.ApplePay == nil || got.ApplePay.MerchantIdentifier != ApplePayOtherID ||
			strings.Join(got.ApplePay.SupportedNetworks, ",") != "masterCard,visa" {
			t.Errorf("GET /v1/wallets for the other merchant: apple_pay %s, want its own identifier and the default networks", a.Body)
		}
	})

	t.Run("tokenize", func(t *testing.T) {
		p := applePayment("411111", "05")
		tok := fx.applePayToken(t, nil, fx.ApplePayShopKey, ApplePayShopID, p, applepaytest.TokenOptions{})
		a := tokenize(t, tok)
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		n := p.ApplicationPrimaryAccountNumber
		if !strings.HasPrefix(got.Token, "tok_") || got.Wallet != "apple_pay" || got.AuthMethod != "CRYPTOGRAM_3DS" ||
			got.Card.Brand != "visa" || got.Card.Last4 != n[len(n)-4:] {
			t.Errorf("tokenize = %s %s %s/%s, want a token, apple_pay, CRYPTOGRAM_3DS, visa and the last four", got.Wallet, got.AuthMethod, got.Card.Brand, got.Card.Last4)
		}
		fx.ScanForNumbers(t, "Apple Pay tokenize answer", a.Body)
		// The same token again is a replay, in either form.
		for _, data := range []any{tok, string(tok)} {
			if a := tokenize(t, data); a.Status != http.StatusConflict || a.code() != "replayed" {
				t.Errorf("second tokenize of one Apple Pay token = %d %s, want 409 replayed", a.Status, a.code())
			}
		}
	})

	t.Run("tokenize the string form", func(t *testing.T) {
		a := tokenize(t, string(fx.applePayToken(t, nil, fx.ApplePayShopKey, ApplePayShopID, applePayment("555555", ""), applepaytest.TokenOptions{ApplicationData: make([]byte, 32)})))
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		if got.Card.Brand != "mastercard" || got.AuthMethod != "CRYPTOGRAM_3DS" {
			t.Errorf("tokenize = %s %s, want mastercard CRYPTOGRAM_3DS", got.Card.Brand, got.AuthMethod)
		}
	})

	t.Run("the other merchant, identifier from configuration", func(t *testing.T) {
		tok := fx.applePayToken(t, nil, fx.ApplePayOtherKey, ApplePayOtherID, applePayment("411111", "07"), applepaytest.TokenOptions{})
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: other.PK, origin: other.Origin,
			body: jsonBody(map[string]any{"wallet": "apple_pay", "payment_data": tok})})
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
	})

	t.Run("cryptogram through the relay", func(t *testing.T) {
		p := applePayment("555555", "02")
		a := tokenize(t, fx.applePayToken(t, nil, fx.ApplePayShopKey, ApplePayShopID, p, applepaytest.TokenOptions{}))
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		tk := got.Token
		tmpl := `{"n":"{{` + tk + `:number}}","exp":"{{` + tk + `:exp_month}}/{{` + tk + `:exp_year}}","cryptogram":"{{` + tk + `:cryptogram}}","eci":"{{` + tk + `:eci}}","amount":1999}`
		relay := func() answer {
			return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
				"url": fx.Provider.URL + "/v1/wallet_charges", "method": "POST", "headers": map[string]string{"Content-Type": "application/json"}, "body": tmpl})})
		}
		if a = relay(); a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		reqs := fx.Provider.Requests()
		var sent struct{ N, Exp, Cryptogram, ECI string }
		json.Unmarshal(reqs[len(reqs)-1].Body, &sent)
		wantCrypt := p.PaymentData["onlinePaymentCryptogram"].(string)
		wantExp := strings.TrimPrefix(p.ApplicationExpirationDate[2:4], "0") + "/"
		if sent.N != p.ApplicationPrimaryAccountNumber || sent.Cryptogram != wantCrypt || sent.ECI != "02" || !strings.HasPrefix(sent.Exp, wantExp) {
			t.Errorf("provider got number ok=%t cryptogram ok=%t eci %q exp %q; want the Apple Pay payment filled in",
				sent.N == p.ApplicationPrimaryAccountNumber, sent.Cryptogram == wantCrypt, sent.ECI, sent.Exp)
		}
		fx.ScanForNumbers(t, "Apple Pay relay answer", a.Body)
		if a = relay(); a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("second relay of the cryptogram = %d %s, want 404 not_found", a.Status, a.code())
		}
	})

	t.Run("forward", func(t *testing.T) {
		tok := good(t)
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"order": "o_2", "apple_pay": string(tok)})})
		if a.Status != http.StatusOK {
			t.Fatalf("forward = %d %s, want 200", a.Status, a.code())
		}
		fx.live.Add(1)
		reqs := fx.Backend.Requests()
		var got struct {
			ApplePay string `json:"apple_pay"`
		}
		json.Unmarshal(reqs[len(reqs)-1].Body, &got)
		if !strings.HasPrefix(got.ApplePay, "tok_") || reqs[len(reqs)-1].Header.Get("Sealpay-Tokens") != got.ApplePay {
			t.Errorf("backend got apple_pay of %d characters, want the token the edge minted", len(got.ApplePay))
		}
	})

	t.Run("refusals", func(t *testing.T) {
		now := time.Now()
		stranger, err := applepaytest.New(applepaytest.Options{}) // another root
		if err != nil {
			t.Fatal(err)
		}
		reissue := func(o applepaytest.Options) *applepaytest.Apple {
			a, err := fx.Apple.Reissue(o)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		expired := reissue(applepaytest.Options{LeafNotBefore: now.Add(-48 * time.Hour), LeafNotAfter: now.Add(-time.Minute)})
		noOID := reissue(applepaytest.Options{NoIntermediateMarker: true})
		unknownKey, _ := applepaytest.GenerateMerchantKey()
		emv := applePayment("411111", "")
		emv.PaymentDataType, emv.PaymentData = "EMV", map[string]any{"emvData": "n0ABAp8CBgAAAAASNF8qAgn4"}
		tampered := mutateApplePay(t, good(t), func(m map[string]any) {
			d, _ := base64.StdEncoding.DecodeString(m["data"].(string))
			d[3] ^= 1
			m["data"] = base64.StdEncoding.EncodeToString(d)
		})
		tok := func(a *applepaytest.Apple, key *applepaytest.MerchantKey, id string, p applepaytest.Payment, o applepaytest.TokenOptions) json.RawMessage {
			return fx.applePayToken(t, a, key, id, p, o)
		}
		shopKey := fx.ApplePayShopKey
		for _, tc := range []struct {
			name   string
			data   any
			status int
			code   string
		}{
			{"payment_data a number", 12, 400, "wallet_token_malformed"},
			{"payment_data not a token", map[string]any{"version": "EC_v1"}, 400, "wallet_token_malformed"},
			{"RSA_v1", mutateApplePay(t, good(t), func(m map[string]any) { m["version"] = "RSA_v1" }), 400, "wallet_token_malformed"},
			{"a Google Pay token", `{"protocolVersion":"ECv2","signature":"x","intermediateSigningKey":{},"signedMessage":"{}"}`, 400, "wallet_token_malformed"},
			{"tampered after signing", tampered, 400, "wallet_signature_invalid"},
			{"signed under another root", tok(stranger, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{}), 400, "wallet_signature_invalid"},
			{"intermediate without its OID", tok(noOID, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{}), 400, "wallet_signature_invalid"},
			{"leaf certificate expired", tok(expired, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{SigningTime: now}), 400, "wallet_key_expired"},
			{"signed 10 minutes ago", tok(nil, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{SigningTime: now.Add(-10 * time.Minute)}), 400, "wallet_message_expired"},
			{"signed 10 minutes ahead", tok(nil, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{SigningTime: now.Add(10 * time.Minute)}), 400, "wallet_message_expired"},
			{"encrypted to a key the edge does not hold", tok(nil, unknownKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{}), 400, "wallet_key_unknown"},
			{"encrypted to the other merchant's key", tok(nil, fx.ApplePayOtherKey, ApplePayOtherID, applePayment("411111", "05"), applepaytest.TokenOptions{}), 400, "wallet_key_unknown"},
			{"for another merchant identifier", tok(nil, shopKey, ApplePayOtherID, applePayment("411111", "05"), applepaytest.TokenOptions{}), 400, "wallet_decrypt_failed"},
			{"decrypts to no payment", tok(nil, shopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{Plaintext: []byte(`{"applicationPrimaryAccountNumber":"x"}`)}), 400, "wallet_decrypt_failed"},
			{"a network the shop does not take", tok(nil, shopKey, ApplePayShopID, applePayment("601100", "05"), applepaytest.TokenOptions{}), 403, "wallet_not_enabled"},
			{"EMV payment data", tok(nil, shopKey, ApplePayShopID, emv, applepaytest.TokenOptions{}), 403, "wallet_not_enabled"},
		} {
			a := tokenize(t, tc.data)
			if a.Status != tc.status || a.code() != tc.code {
				t.Errorf("%s: tokenize = %d %s, want %d %s", tc.name, a.Status, a.code(), tc.status, tc.code)
			}
			fx.ScanForNumbers(t, "Apple Pay error answer", a.Body)
		}
		// A forward with a bad Apple Pay token stores nothing and sends
		// nothing.
		before := fx.Backend.Count("/checkout")
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"apple_pay": string(tampered)})})
		if a.Status != 400 || a.code() != "wallet_signature_invalid" || fx.Backend.Count("/checkout") != before {
			t.Errorf("forward of a tampered Apple Pay token = %d %s (backend reached: %t), want 400 wallet_signature_invalid and no request",
				a.Status, a.code(), fx.Backend.Count("/checkout") != before)
		}
	})
}

// mutateApplePay decodes a paymentData object, applies fn, encodes it.
func mutateApplePay(t *testing.T, tok json.RawMessage, fn func(m map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(tok, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ApplePayPaymentData returns an Apple Pay paymentData object (3DSecure,
// with a cryptogram) for the fixture's shop, made by the fixture's
// stand-in for Apple.
func (fx *Fixture) ApplePayPaymentData(t *testing.T) json.RawMessage {
	t.Helper()
	return fx.applePayToken(t, nil, fx.ApplePayShopKey, ApplePayShopID, applePayment("411111", "05"), applepaytest.TokenOptions{})
}
