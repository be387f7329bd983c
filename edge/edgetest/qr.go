package edgetest

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
)

func qrRoutes(t *testing.T, c *client) {
	shop := c.fx.Shop
	var payload string
	t.Run("sign", func(t *testing.T) {
		a := c.do(t, req{method: "POST", path: "/v1/qr", key: shop.SK,
			body: jsonBody(map[string]any{"amount": "49.90", "reference": "ORDER42", "ttl_seconds": 600, "size": 256})})
		if a.Status != http.StatusCreated {
			t.Fatalf("POST /v1/qr = %d %s, want 201", a.Status, a.Body)
		}
		var got struct{ Payload, PNG string }
		json.Unmarshal(a.Body, &got)
		png, err := base64.StdEncoding.DecodeString(got.PNG)
		if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Errorf("png is not a base64 PNG (err %v)", err)
		}
		payload = got.Payload
	})
	t.Run("sign needs the secret key", func(t *testing.T) {
		a := c.do(t, req{method: "POST", path: "/v1/qr", key: shop.PK, origin: shop.Origin, body: []byte(`{"amount":"1"}`)})
		if a.Status != http.StatusUnauthorized {
			t.Errorf("POST /v1/qr with a pk = %d, want 401", a.Status)
		}
	})
	t.Run("trust", func(t *testing.T) {
		a := c.do(t, req{method: "GET", path: "/v1/qr/trust"})
		if a.Status != http.StatusOK || !json.Valid(a.Body) {
			t.Fatalf("GET /v1/qr/trust = %d, want 200 JSON", a.Status)
		}
		// The edge serves the registry's file byte for byte: it loads under
		// the pinned root, and is in date.
		pin, err := qr.ParsePublicKey(mustReadFile(t, filepath.Join(c.fx.Dir, "root.pub.jwk")))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := qr.LoadTrustBundle(a.Body, []ed25519.PublicKey{pin}, time.Now())
		if err != nil {
			t.Fatalf("GET /v1/qr/trust does not load: %v", err)
		}
		if b := tb.Bundle(); !b.ExpiresAt.After(time.Now()) || len(b.Certificates) == 0 || len(b.Certificates[0].Accounts) == 0 {
			t.Errorf("served bundle expires %v with %d certificates, want in date with the shop's accounts", b.ExpiresAt, len(b.Certificates))
		}
	})
	verify := func(t *testing.T, p, key string, expect map[string]any) (string, []string) {
		body := map[string]any{"payload": p, "lang": "pt-BR"}
		if expect != nil {
			body["expect"] = expect
		}
		a := c.do(t, req{method: "POST", path: "/v1/qr/verify", key: key, origin: shop.Origin, body: jsonBody(body)})
		if a.Status != http.StatusOK {
			t.Fatalf("POST /v1/qr/verify = %d %s, want 200", a.Status, a.Body)
		}
		var v struct {
			Status   string
			Lang     string
			Reasons  []struct{ Code string }
			Warnings []struct{ Code string }
		}
		json.Unmarshal(a.Body, &v)
		if v.Lang != "pt-BR" {
			t.Errorf("verdict lang = %q, want pt-BR", v.Lang)
		}
		var codes []string
		for _, r := range append(v.Reasons, v.Warnings...) {
			codes = append(codes, r.Code)
		}
		return v.Status, codes
	}
	if payload == "" {
		t.Fatal("no signed payload")
	}
	// The shop's own key, with a certificate edited to list another Pix key:
	// Sign does not check the root's signature, so this is the code a
	// leaked key could print to pay a mule account.
	mule := muleCode(t, c.fx)
	t.Run("verify", func(t *testing.T) {
		// In order, on one code: only the checkout's own verify (the shop's
		// secret key) uses the nonce up; verifying first, as anyone can,
		// does not, and after the checkout others get a warning.
		tests := []struct {
			name, payload, key string
			expect             map[string]any
			status, code       string // code: a reason or warning; "" for none
		}{
			{"other amount expected", payload, "", map[string]any{"amount": "10.00"}, "rejected", "qr_mismatch"},
			{"anyone first", payload, "", map[string]any{"amount": "49.9"}, "verified", ""},
			{"anyone again", payload, "", nil, "verified", ""},
			{"another merchant's checkout", payload, c.fx.Other.SK, nil, "verified", ""},
			{"the checkout", payload, shop.SK, map[string]any{"amount": "49.9"}, "verified", ""},
			{"the checkout again", payload, shop.SK, nil, "rejected", "qr_replayed"},
			{"anyone after the checkout", payload, "", nil, "verified", "qr_replayed"},
			{"shop's key, another account", mule, "", nil, "rejected", "qr_bad_signature"},
			{"unsigned", c.fx.QRBase, "", nil, "unsigned", "qr_unsigned"},
			{"bad CRC", c.fx.QRBase[:len(c.fx.QRBase)-4] + "0000", "", nil, "rejected", "qr_bad_crc"},
		}
		for _, tc := range tests {
			status, codes := verify(t, tc.payload, tc.key, tc.expect)
			if status != tc.status || (tc.code == "") != (len(codes) == 0) || (tc.code != "" && !contains(codes, tc.code)) {
				t.Errorf("%s: verdict = %s %v, want %s with %q", tc.name, status, codes, tc.status, tc.code)
			}
		}
		// A secret key that is no merchant's is refused, not ignored.
		a := c.do(t, req{method: "POST", path: "/v1/qr/verify", key: "sk_UNKNOWN", origin: shop.Origin, body: jsonBody(map[string]any{"payload": payload})})
		if a.Status != http.StatusUnauthorized || a.code() != "unauthorized" {
			t.Errorf("POST /v1/qr/verify with an unknown secret key = %d %s, want 401 unauthorized", a.Status, a.code())
		}
	})
}

// muleCode signs, with the shop's QR key, a code that pays a Pix key the
// shop's certificate does not bind.
func muleCode(t *testing.T, fx *Fixture) string {
	t.Helper()
	key, err := qr.ParseMerchantKey(mustReadFile(t, filepath.Join(fx.Dir, "shop-qr.jwk")))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := qr.ParseCertificate(mustReadFile(t, filepath.Join(fx.Dir, "shop-cert.json")))
	if err != nil {
		t.Fatal(err)
	}
	// Template 26 {00: br.gov.bcb.pix, 01: pix@mula.example}, as codes carry it.
	mule := qr.Object{ID: "26", Value: "0014br.gov.bcb.pix0116pix@mula.example"}
	p, err := qr.Parse(fx.QRBase, qr.Lenient)
	if err != nil {
		t.Fatal(err)
	}
	objs := []qr.Object{}
	for _, o := range p.Objects {
		switch o.ID {
		case "26":
			objs = append(objs, mule)
		case "63":
		default:
			objs = append(objs, o)
		}
	}
	base, err := qr.Build(objs)
	if err != nil {
		t.Fatal(err)
	}
	forged := *cert
	forged.Accounts = append([]qr.Object{mule}, cert.Accounts...)
	signed, err := qr.Sign(base, key, &forged, qr.SignOptions{Amount: "49.90", TTL: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
