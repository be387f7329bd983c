package edgetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/wallet/googlepay/googlepaytest"
)

// googlePayToken makes a Google Pay token for merchant m (its Sealpay id)
// with the fixture's stand-in for Google: signed for the Google merchant
// id googleID, encrypted to m's primary key. The number and cryptogram are
// remembered for the scans.
func (fx *Fixture) googlePayToken(t *testing.T, m, googleID string, p googlepaytest.Payment, msgExp, keyExp time.Time) *googlepaytest.Token {
	t.Helper()
	pub, err := base64.StdEncoding.DecodeString(fx.GooglePayKeys.PublicKey(m))
	if err != nil {
		t.Fatal(err)
	}
	fx.numbers.Store(p.PAN, true)
	if p.Cryptogram != "" {
		fx.secrets.Store(p.Cryptogram, true)
	}
	tok, err := fx.Google.Seal(pub, "merchant:"+googleID, googlepaytest.Message(p, "msg_"+rand.Text(), msgExp), keyExp)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// newCryptogram returns a fresh 20-byte cryptogram, base64, as networks
// make them (the first bytes of a Visa TAVV or a Mastercard UCAF).
func newCryptogram() string {
	b := make([]byte, 20)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// googlePay runs the Google Pay cases: GET /v1/wallets, tokenize of both
// auth methods, the relay of a cryptogram, the forward of a token and
// every refusal, none of which stores anything.
func googlePay(t *testing.T, c *client) {
	fx := c.fx
	shop, other := fx.Shop, fx.Other
	now := time.Now()
	year := now.Year() + 2
	later, keyLater := now.Add(time.Hour), now.Add(24*time.Hour)
	panOnly := func() googlepaytest.Payment {
		return googlepaytest.Payment{PAN: luhnComplete("411111" + digits(9)), ExpMonth: 12, ExpYear: year, AuthMethod: "PAN_ONLY"}
	}
	tokenize := func(t *testing.T, wallet string, data any) answer {
		t.Helper()
		return c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"wallet": wallet, "payment_data": data})})
	}
	type tokenAnswer struct {
		Token      string
		Wallet     string
		AuthMethod string `json:"auth_method"`
		Card       struct{ Brand, Last4 string }
	}

	t.Run("wallets", func(t *testing.T) {
		a := c.do(t, req{method: "GET", path: "/v1/wallets", key: shop.PK, origin: shop.Origin})
		if a.Status != http.StatusOK {
			t.Fatalf("GET /v1/wallets = %d %s, want 200", a.Status, a.code())
		}
		var got struct {
			GooglePay *struct {
				Environment         string   `json:"environment"`
				MerchantID          string   `json:"merchant_id"`
				MerchantName        string   `json:"merchant_name"`
				ProtocolVersion     string   `json:"protocol_version"`
				PublicKey           string   `json:"public_key"`
				AllowedCardNetworks []string `json:"allowed_card_networks"`
				AllowedAuthMethods  []string `json:"allowed_auth_methods"`
			} `json:"google_pay"`
		}
		if err := json.Unmarshal(a.Body, &got); err != nil || got.GooglePay == nil {
			t.Fatalf("GET /v1/wallets: google_pay missing (%v)", err)
		}
		g := got.GooglePay
		if g.Environment != "TEST" || g.MerchantID != GooglePayShopID || g.MerchantName != "Shop Example" || g.ProtocolVersion != "ECv2" {
			t.Errorf("google_pay = %s %s %q %s, want TEST %s \"Shop Example\" ECv2", g.Environment, g.MerchantID, g.MerchantName, g.ProtocolVersion, GooglePayShopID)
		}
		if g.PublicKey != fx.GooglePayKeys.PublicKey(shop.ID) {
			t.Error("google_pay.public_key is not the shop's primary Google Pay key")
		}
		if pt, err := base64.StdEncoding.DecodeString(g.PublicKey); err != nil || len(pt) != 65 || pt[0] != 4 {
			t.Errorf("google_pay.public_key is not a base64 uncompressed P-256 point (%d bytes)", len(pt))
		}
		if strings.Join(g.AllowedCardNetworks, ",") != "VISA,MASTERCARD,AMEX" || strings.Join(g.AllowedAuthMethods, ",") != "PAN_ONLY,CRYPTOGRAM_3DS" {
			t.Errorf("google_pay networks %v, auth methods %v; want the configured ones and both methods", g.AllowedCardNetworks, g.AllowedAuthMethods)
		}
		if acao := a.Header.Get("Access-Control-Allow-Origin"); acao != shop.Origin {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", acao, shop.Origin)
		}
		if strings.Contains(string(a.Body), `"d"`) {
			t.Error("GET /v1/wallets holds a private key member")
		}
		for _, tc := range []struct {
			name, key, origin string
			status            int
			code              string
		}{
			{"no key", "", shop.Origin, 401, "unauthorized"},
			{"secret key", shop.SK, shop.Origin, 401, "unauthorized"},
			{"other origin", shop.PK, other.Origin, 403, "forbidden_origin"},
		} {
			a := c.do(t, req{method: "GET", path: "/v1/wallets", key: tc.key, origin: tc.origin})
			if a.Status != tc.status || a.code() != tc.code {
				t.Errorf("GET /v1/wallets with %s = %d %s, want %d %s", tc.name, a.Status, a.code(), tc.status, tc.code)
			}
		}
		// Each merchant sees its own.
		a = c.do(t, req{method: "GET", path: "/v1/wallets", key: other.PK, origin: other.Origin})
		if !strings.Contains(string(a.Body), GooglePayOtherID) || strings.Contains(string(a.Body), GooglePayShopID) {
			t.Errorf("GET /v1/wallets for the other merchant does not show its own merchant id only")
		}
	})

	t.Run("tokenize PAN_ONLY", func(t *testing.T) {
		p := panOnly()
		tok := fx.googlePayToken(t, shop.ID, GooglePayShopID, p, later, keyLater).JSON()
		a := tokenize(t, "google_pay", tok)
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		if !strings.HasPrefix(got.Token, "tok_") || got.Wallet != "google_pay" || got.AuthMethod != "PAN_ONLY" ||
			got.Card.Brand != "visa" || got.Card.Last4 != p.PAN[len(p.PAN)-4:] {
			t.Errorf("tokenize = %s %s %s/%s, want a token, google_pay, PAN_ONLY, visa and the last four", got.Wallet, got.AuthMethod, got.Card.Brand, got.Card.Last4)
		}
		fx.ScanForNumbers(t, "wallet tokenize answer", a.Body)
		// The same token again is a replay.
		a = tokenize(t, "google_pay", tok)
		if a.Status != http.StatusConflict || a.code() != "replayed" {
			t.Errorf("second tokenize of one Google Pay token = %d %s, want 409 replayed", a.Status, a.code())
		}
	})

	t.Run("CRYPTOGRAM_3DS through the relay", func(t *testing.T) {
		p := googlepaytest.Payment{PAN: luhnComplete("555555" + digits(9)), ExpMonth: 11, ExpYear: year, AuthMethod: "CRYPTOGRAM_3DS",
			Cryptogram: newCryptogram(), ECI: "02"}
		a := tokenize(t, "google_pay", fx.googlePayToken(t, shop.ID, GooglePayShopID, p, later, keyLater).JSON())
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		if got.AuthMethod != "CRYPTOGRAM_3DS" || got.Card.Brand != "mastercard" {
			t.Errorf("tokenize = %s %s, want CRYPTOGRAM_3DS mastercard", got.AuthMethod, got.Card.Brand)
		}
		fx.ScanForNumbers(t, "wallet tokenize answer", a.Body)
		tk := got.Token
		tmpl := `{"n":"{{` + tk + `:number}}","exp":"{{` + tk + `:exp_month}}/{{` + tk + `:exp_year}}","cryptogram":"{{` + tk + `:cryptogram}}","eci":"{{` + tk + `:eci}}","amount":500}`
		relay := func() answer {
			return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
				"url": fx.Provider.URL + "/v1/wallet_charges", "method": "POST", "headers": map[string]string{"Content-Type": "application/json"}, "body": tmpl})})
		}
		a = relay()
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		reqs := fx.Provider.Requests()
		var sent struct{ N, Exp, Cryptogram, ECI string }
		json.Unmarshal(reqs[len(reqs)-1].Body, &sent)
		if sent.N != p.PAN || sent.Cryptogram != p.Cryptogram || sent.ECI != "02" || !strings.HasPrefix(sent.Exp, "11/") {
			t.Errorf("provider got number ok=%t cryptogram ok=%t eci %q exp %q; want the wallet payment filled in",
				sent.N == p.PAN, sent.Cryptogram == p.Cryptogram, sent.ECI, sent.Exp)
		}
		// The provider echoes the body: the answer must hold neither the
		// number nor the cryptogram.
		fx.ScanForNumbers(t, "wallet relay answer", a.Body)
		// The cryptogram is for one use.
		a = relay()
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("second relay of the cryptogram = %d %s, want 404 not_found", a.Status, a.code())
		}
		// The number stays: a relay without the cryptogram still works.
		a = c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": fx.Provider.URL + "/v1/wallet_charges", "method": "POST", "body": `{"n":"{{` + tk + `:number}}"}`})})
		if a.Status != http.StatusOK {
			t.Errorf("relay of the number alone = %d %s, want 200", a.Status, a.code())
		}
	})

	t.Run("relay masks the cryptogram's other forms", func(t *testing.T) {
		// A cryptogram with '+' and '/' in it, so that its unpadded
		// standard form differs from its URL-alphabet form.
		b := append([]byte{0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff}, make([]byte, 14)...)
		rand.Read(b[6:])
		cg := base64.StdEncoding.EncodeToString(b)
		p := googlepaytest.Payment{PAN: luhnComplete("555555" + digits(9)), ExpMonth: 11, ExpYear: year, AuthMethod: "CRYPTOGRAM_3DS",
			Cryptogram: cg, ECI: "02"}
		a := tokenize(t, "google_pay", fx.googlePayToken(t, shop.ID, GooglePayShopID, p, later, keyLater).JSON())
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		a = c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
			"url": fx.Provider.URL + "/v1/wallet_echo", "method": "POST", "body": `{"cryptogram":"{{` + got.Token + `:cryptogram}}"}`})})
		if a.Status != http.StatusOK {
			t.Fatalf("relay = %d %s, want 200", a.Status, a.code())
		}
		h := hex.EncodeToString(b)
		for name, form := range map[string]string{"unpadded": strings.TrimRight(cg, "="), "hex": h, "HEX": strings.ToUpper(h)} {
			if strings.Contains(string(a.Body), form) {
				t.Errorf("the relay answer holds the cryptogram in its %s form", name)
			}
		}
	})

	t.Run("relay of an ECI it does not hold takes nothing", func(t *testing.T) {
		// A PAN_ONLY token has no cryptogram and no ECI. A relay asking
		// for its ECI is refused before its unit runs: the single-use
		// token is not consumed by a relay that sent nothing.
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"wallet": "google_pay", "single_use": true,
				"payment_data": fx.googlePayToken(t, shop.ID, GooglePayShopID, panOnly(), later, keyLater).JSON()})})
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s, want 201", a.Status, a.code())
		}
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		relay := func(body string) answer {
			return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
				"url": fx.Provider.URL + "/v1/wallet_charges", "method": "POST", "body": body})})
		}
		sent := len(fx.Provider.Requests())
		a = relay(`{"n":"{{` + got.Token + `:number}}","eci":"{{` + got.Token + `:eci}}"}`)
		if a.Status != http.StatusNotFound || a.code() != "not_found" {
			t.Errorf("relay of a PAN_ONLY token's ECI = %d %s, want 404 not_found", a.Status, a.code())
		}
		if n := len(fx.Provider.Requests()); n != sent {
			t.Errorf("the refused relay sent %d requests to the provider, want none", n-sent)
		}
		a = relay(`{"n":"{{` + got.Token + `:number}}"}`)
		if a.Status != http.StatusOK {
			t.Errorf("relay of the single-use token after a refused relay = %d %s, want 200 (the refusal consumed it)", a.Status, a.code())
		}
	})

	t.Run("frame, idempotency, relay routes", func(t *testing.T) {
		// From the edge's own frame the token is single-use unless saved.
		type meta struct {
			Token     string
			Wallet    string
			SingleUse bool       `json:"single_use"`
			Expires   *time.Time `json:"expires"`
		}
		for _, save := range []bool{false, true} {
			body := map[string]any{"wallet": "google_pay", "payment_data": fx.googlePayToken(t, shop.ID, GooglePayShopID, panOnly(), later, keyLater).JSON()}
			if save {
				body["save"] = true
			}
			a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: c.base, body: jsonBody(body)})
			if a.Status != http.StatusCreated {
				t.Fatalf("frame tokenize (save %v) = %d %s, want 201", save, a.Status, a.code())
			}
			fx.live.Add(1)
			var m meta
			json.Unmarshal(a.Body, &m)
			if m.SingleUse == save || (m.Expires == nil) == !save || m.Wallet != "google_pay" {
				t.Errorf("frame tokenize (save %v): single_use %v, expires set %v; want single-use only without save", save, m.SingleUse, m.Expires != nil)
			}
		}
		// A retry with the same Idempotency-Key gets the same token, and
		// stores nothing twice.
		body := jsonBody(map[string]any{"wallet": "google_pay", "payment_data": fx.googlePayToken(t, shop.ID, GooglePayShopID, panOnly(), later, keyLater).JSON()})
		r := req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, header: map[string]string{"Idempotency-Key": "gpay-" + digits(12)}, body: body}
		first, again := c.do(t, r), c.do(t, r)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || string(first.Body) != string(again.Body) {
			t.Errorf("wallet tokenize retried with one Idempotency-Key = %d, %d (same answer %v), want the first answer twice",
				first.Status, again.Status, string(first.Body) == string(again.Body))
		}
		fx.live.Add(1)
		// A relay route that does not allow the cryptogram where the
		// template puts it is refused, and the cryptogram stays.
		p := googlepaytest.Payment{PAN: luhnComplete("411111" + digits(9)), ExpMonth: 10, ExpYear: year, AuthMethod: "CRYPTOGRAM_3DS", Cryptogram: newCryptogram()}
		a := tokenize(t, "google_pay", fx.googlePayToken(t, shop.ID, GooglePayShopID, p, later, keyLater).JSON())
		if a.Status != http.StatusCreated {
			t.Fatalf("tokenize = %d %s", a.Status, a.code())
		}
		fx.live.Add(1)
		var got tokenAnswer
		json.Unmarshal(a.Body, &got)
		relayTo := func(path, tmpl string) answer {
			return c.do(t, req{method: "POST", path: "/v1/relay", key: shop.SK, body: jsonBody(map[string]any{
				"url": fx.Provider.URL + path, "method": "POST", "body": tmpl})})
		}
		a = relayTo("/v1/charges", `{"number":"{{`+got.Token+`:cryptogram}}"}`)
		if a.Status != http.StatusForbidden || a.code() != "relay_route_forbidden" {
			t.Errorf("cryptogram where the route allows only the number = %d %s, want 403 relay_route_forbidden", a.Status, a.code())
		}
		// No ECI was given: {{…:eci}} fills as empty, with the cryptogram.
		a = relayTo("/v1/wallet_charges", `{"cryptogram":"{{`+got.Token+`:cryptogram}}","eci":"{{`+got.Token+`:eci}}"}`)
		reqs := fx.Provider.Requests()
		var sent struct{ Cryptogram, ECI string }
		json.Unmarshal(reqs[len(reqs)-1].Body, &sent)
		if a.Status != http.StatusOK || sent.Cryptogram != p.Cryptogram || sent.ECI != "" {
			t.Errorf("relay after the refused one = %d %s (cryptogram sent %v, eci %q), want 200 with the cryptogram and an empty ECI",
				a.Status, a.code(), sent.Cryptogram == p.Cryptogram, sent.ECI)
		}
		fx.ScanForNumbers(t, "wallet relay answer", a.Body)
	})

	t.Run("forward", func(t *testing.T) {
		p := panOnly()
		tok := fx.googlePayToken(t, shop.ID, GooglePayShopID, p, later, keyLater).JSON()
		a := c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"order": "o_1", "google_pay": tok})})
		if a.Status != http.StatusOK {
			t.Fatalf("forward = %d %s, want 200", a.Status, a.code())
		}
		fx.live.Add(1)
		reqs := fx.Backend.Requests()
		var got struct {
			GooglePay string `json:"google_pay"`
		}
		json.Unmarshal(reqs[len(reqs)-1].Body, &got)
		if !strings.HasPrefix(got.GooglePay, "tok_") || reqs[len(reqs)-1].Header.Get("Sealpay-Tokens") != got.GooglePay {
			t.Errorf("backend got google_pay of %d characters, want the token the edge minted", len(got.GooglePay))
		}
	})

	t.Run("refusals", func(t *testing.T) {
		seal := func(m, gid string, p googlepaytest.Payment, msgExp, keyExp time.Time) *googlepaytest.Token {
			return fx.googlePayToken(t, m, gid, p, msgExp, keyExp)
		}
		good := func() *googlepaytest.Token { return seal(shop.ID, GooglePayShopID, panOnly(), later, keyLater) }
		tampered := good()
		tampered.SignedMessage = strings.Replace(tampered.SignedMessage, `"tag":"`, `"tag":"A`, 1)
		otherKey := seal(other.ID, GooglePayShopID, panOnly(), later, keyLater) // encrypted to another merchant's key
		badRoot, _ := googlepaytest.New()
		forged, err := badRoot.Seal(mustB64(fx.GooglePayKeys.PublicKey(shop.ID)), "merchant:"+GooglePayShopID,
			googlepaytest.Message(panOnly(), "msg_forged", later), keyLater)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			wallet string
			data   any
			status int
			code   string
		}{
			{"payment_data not a string", "google_pay", map[string]any{"protocolVersion": "ECv2"}, 400, "wallet_token_malformed"},
			{"payment_data not a token", "google_pay", "{}", 400, "wallet_token_malformed"},
			{"ECv1", "google_pay", strings.Replace(good().JSON(), `"ECv2"`, `"ECv1"`, 1), 400, "wallet_token_malformed"},
			{"signed by an unknown root", "google_pay", forged.JSON(), 400, "wallet_signature_invalid"},
			{"tampered after signing", "google_pay", tampered.JSON(), 400, "wallet_signature_invalid"},
			{"intermediate key expired", "google_pay", seal(shop.ID, GooglePayShopID, panOnly(), later, now.Add(-time.Minute)).JSON(), 400, "wallet_key_expired"},
			{"message expired", "google_pay", seal(shop.ID, GooglePayShopID, panOnly(), now.Add(-time.Minute), keyLater).JSON(), 400, "wallet_message_expired"},
			{"signed for another merchant", "google_pay", seal(shop.ID, GooglePayOtherID, panOnly(), later, keyLater).JSON(), 403, "wallet_recipient_mismatch"},
			{"encrypted to another key", "google_pay", otherKey.JSON(), 400, "wallet_key_unknown"},
			{"unknown wallet", "samsung_pay", "x", 400, "bad_request"},
		} {
			a := tokenize(t, tc.wallet, tc.data)
			if a.Status != tc.status || a.code() != tc.code {
				t.Errorf("%s: tokenize = %d %s, want %d %s", tc.name, a.Status, a.code(), tc.status, tc.code)
			}
			fx.ScanForNumbers(t, "wallet error answer", a.Body)
		}
		// An envelope and a wallet token at once.
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"envelope": "sp1.x", "wallet": "google_pay", "payment_data": good().JSON()})})
		if a.Status != 400 || a.code() != "bad_request" {
			t.Errorf("envelope and wallet = %d %s, want 400 bad_request", a.Status, a.code())
		}
		// A forward with a bad wallet token stores nothing and sends nothing.
		before := fx.Backend.Count("/checkout")
		a = c.do(t, req{method: "POST", path: "/v1/forward/checkout", key: shop.PK, origin: shop.Origin,
			body: jsonBody(map[string]any{"google_pay": tampered.JSON()})})
		if a.Status != 400 || a.code() != "wallet_signature_invalid" || fx.Backend.Count("/checkout") != before {
			t.Errorf("forward of a tampered token = %d %s (backend reached: %t), want 400 wallet_signature_invalid and no request",
				a.Status, a.code(), fx.Backend.Count("/checkout") != before)
		}
	})
}

func mustB64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// digits returns n random decimal digits.
func digits(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// GooglePayToken returns a Google Pay token (the string a page gets in
// paymentMethodData.tokenizationData.token) for the fixture's shop, PAN_ONLY,
// made by the fixture's stand-in for Google; valid for an hour.
func (fx *Fixture) GooglePayToken(t *testing.T) string {
	t.Helper()
	now := time.Now()
	p := googlepaytest.Payment{PAN: luhnComplete("411111" + digits(9)), ExpMonth: 12, ExpYear: now.Year() + 2, AuthMethod: "PAN_ONLY"}
	return fx.googlePayToken(t, fx.Shop.ID, GooglePayShopID, p, now.Add(time.Hour), now.Add(24*time.Hour)).JSON()
}
