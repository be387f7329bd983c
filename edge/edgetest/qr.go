package edgetest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
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
			t.Errorf("GET /v1/qr/trust = %d, want 200 JSON", a.Status)
		}
	})
	verify := func(t *testing.T, p string, expect map[string]any) (string, []string) {
		body := map[string]any{"payload": p, "lang": "pt-BR"}
		if expect != nil {
			body["expect"] = expect
		}
		a := c.do(t, req{method: "POST", path: "/v1/qr/verify", origin: shop.Origin, body: jsonBody(body)})
		if a.Status != http.StatusOK {
			t.Fatalf("POST /v1/qr/verify = %d %s, want 200", a.Status, a.Body)
		}
		var v struct {
			Status  string
			Lang    string
			Reasons []struct{ Code string }
		}
		json.Unmarshal(a.Body, &v)
		if v.Lang != "pt-BR" {
			t.Errorf("verdict lang = %q, want pt-BR", v.Lang)
		}
		var codes []string
		for _, r := range v.Reasons {
			codes = append(codes, r.Code)
		}
		return v.Status, codes
	}
	if payload == "" {
		t.Fatal("no signed payload")
	}
	t.Run("verify", func(t *testing.T) {
		tests := []struct {
			name, payload string
			expect        map[string]any
			status, code  string
		}{
			{"other amount expected", payload, map[string]any{"amount": "10.00"}, "rejected", "qr_mismatch"},
			{"signed", payload, map[string]any{"amount": "49.9"}, "verified", ""},
			{"replayed", payload, nil, "rejected", "qr_replayed"},
			{"unsigned", c.fx.QRBase, nil, "unsigned", "qr_unsigned"},
			{"bad CRC", c.fx.QRBase[:len(c.fx.QRBase)-4] + "0000", nil, "rejected", "qr_bad_crc"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				status, codes := verify(t, tc.payload, tc.expect)
				if status != tc.status || (tc.code != "" && !contains(codes, tc.code)) {
					t.Errorf("verdict = %s %v, want %s with %q", status, codes, tc.status, tc.code)
				}
			})
		}
	})
}
