package edgetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// flip returns env with one bit flipped in part i (0 header, 1 enc, 2 ct)
// at byte off (negative counts from the end), re-encoded canonically.
func flip(t *testing.T, env string, part, off int) string {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(env, "sp1."), ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[part])
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += len(b)
	}
	b[off] ^= 0x01
	parts[part] = base64.RawURLEncoding.EncodeToString(b)
	return "sp1." + strings.Join(parts, ".")
}

// replacePart swaps part i of env for raw bytes.
func replacePart(env string, part int, raw []byte) string {
	parts := strings.Split(strings.TrimPrefix(env, "sp1."), ".")
	parts[part] = base64.RawURLEncoding.EncodeToString(raw)
	return "sp1." + strings.Join(parts, ".")
}

// luhnComplete appends the Luhn check digit to prefix.
func luhnComplete(prefix string) string {
	sum := 0
	for i := len(prefix) - 1; i >= 0; i-- {
		d := int(prefix[i] - '0')
		if (len(prefix)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return prefix + string(rune('0'+(10-sum%10)%10))
}

// badInput sends every bad input of DESIGN.md's list that reaches the edge
// and checks its code. The store check after the suite shows that none of
// them stored anything.
func badInput(t *testing.T, c *client, s *sealer) {
	shop := c.fx.Shop
	now := time.Now()
	good := func() string { return s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), nil) }
	year := now.Year() + 3
	withCard := func(doc []byte) string { return s.seal(t, shop.ID, shop.Origin, doc, nil) }
	cardDoc := func(number string, month, year int, cvc string) []byte {
		if d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, number); len(d) >= 12 {
			c.fx.numbers.Store(d, true)
		}
		return cardJSON(number, month, year, cvc)
	}
	// A valid header re-encoded with another jti: the AAD no longer matches.
	swapHeader := func() string {
		env := good()
		parts := strings.Split(strings.TrimPrefix(env, "sp1."), ".")
		hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var h map[string]any
		json.Unmarshal(hb, &h)
		h["jti"] = base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
		hb, _ = json.Marshal(h)
		return replacePart(env, 0, hb)
	}
	nonCanonical := func() string {
		env := good()
		// The last base64url character of a 32-byte enc carries 2 unused
		// bits; setting one makes the encoding non-canonical.
		parts := strings.Split(strings.TrimPrefix(env, "sp1."), ".")
		last := parts[1][len(parts[1])-1]
		const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		parts[1] = parts[1][:len(parts[1])-1] + string(alpha[strings.IndexByte(alpha, last)|1])
		if parts[1][len(parts[1])-1] == last {
			parts[1] = parts[1][:len(parts[1])-1] + string(alpha[strings.IndexByte(alpha, last)|2])
		}
		return "sp1." + strings.Join(parts, ".")
	}
	tests := []struct {
		name     string
		envelope func() string
		body     []byte // instead of an envelope
		origin   string
		status   int
		codes    []string // any of
	}{
		{name: "tampered ciphertext", envelope: func() string { return flip(t, good(), 2, 3) }, status: 400, codes: []string{"decrypt_failed"}},
		{name: "tampered tag", envelope: func() string { return flip(t, good(), 2, -1) }, status: 400, codes: []string{"decrypt_failed"}},
		{name: "tampered enc", envelope: func() string { return flip(t, good(), 1, 5) }, status: 400, codes: []string{"decrypt_failed"}},
		{name: "swapped header", envelope: swapHeader, status: 400, codes: []string{"decrypt_failed"}},
		{name: "low-order enc", envelope: func() string { return replacePart(good(), 1, make([]byte, 32)) }, status: 400, codes: []string{"decrypt_failed"}},
		{name: "wrong-length enc", envelope: func() string { return replacePart(good(), 1, make([]byte, 31)) }, status: 400, codes: []string{"invalid_envelope", "decrypt_failed"}},
		{name: "non-canonical base64url", envelope: nonCanonical, status: 400, codes: []string{"invalid_envelope"}},
		{name: "unsupported version", envelope: func() string { return "sp2." + strings.TrimPrefix(good(), "sp1.") }, status: 400, codes: []string{"unsupported_version"}},
		{name: "garbage", envelope: func() string { return "sp1.???" }, status: 400, codes: []string{"invalid_envelope"}},
		{name: "unknown key id", envelope: func() string {
			return s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), func(h map[string]any) { h["kid"] = "retired-or-unknown" })
		}, status: 400, codes: []string{"unknown_key"}},
		{name: "expired", envelope: func() string {
			return s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), func(h map[string]any) {
				h["iat"], h["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
			})
		}, status: 400, codes: []string{"envelope_expired"}},
		{name: "not yet valid", envelope: func() string {
			return s.seal(t, shop.ID, shop.Origin, s.card("4242424242424242"), func(h map[string]any) {
				h["iat"], h["exp"] = now.Add(time.Hour).Unix(), now.Add(90*time.Minute).Unix()
			})
		}, status: 400, codes: []string{"envelope_not_yet_valid"}},
		{name: "other merchant", envelope: func() string {
			return s.seal(t, c.fx.Other.ID, shop.Origin, s.card("4242424242424242"), nil)
		}, status: 403, codes: []string{"wrong_merchant"}},
		{name: "other origin", envelope: func() string {
			return s.seal(t, shop.ID, "https://evil.example", s.card("4242424242424242"), nil)
		}, status: 403, codes: []string{"wrong_origin"}},
		{name: "number with letters", envelope: func() string { return withCard(cardDoc("4242 4242 4242 424O", 12, year, "")) }, status: 422, codes: []string{"invalid_card_number"}},
		{name: "number with zero-width space", envelope: func() string { return withCard(cardDoc("4242\u200b424242424242", 12, year, "")) }, status: 422, codes: []string{"invalid_card_number"}},
		{name: "number with non-ASCII digits", envelope: func() string { return withCard(cardDoc("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", 12, year, "")) }, status: 422, codes: []string{"invalid_card_number"}},
		{name: "Luhn failure", envelope: func() string { return withCard(cardDoc("4242424242424241", 12, year, "")) }, status: 422, codes: []string{"invalid_card_number"}},
		{name: "Luhn-valid garbage", envelope: func() string { return withCard(cardDoc(luhnComplete("999999999999999"), 12, year, "")) }, status: 422, codes: []string{"invalid_card_number", "unsupported_brand"}},
		{name: "Luhn-valid wrong length", envelope: func() string { return withCard(cardDoc(luhnComplete("4242424242424242"), 12, year, "")) }, status: 422, codes: []string{"invalid_card_number"}},
		{name: "expiry month 00", envelope: func() string { return withCard(cardDoc("4242424242424242", 0, year, "")) }, status: 422, codes: []string{"invalid_expiry"}},
		{name: "expiry month 13", envelope: func() string { return withCard(cardDoc("4242424242424242", 13, year, "")) }, status: 422, codes: []string{"invalid_expiry"}},
		{name: "card expired", envelope: func() string { return withCard(cardDoc("4242424242424242", 1, 2020, "")) }, status: 422, codes: []string{"card_expired"}},
		{name: "bad cvc", envelope: func() string { return withCard(cardDoc("4242424242424242", 12, year, "12a")) }, status: 422, codes: []string{"invalid_cvc"}},
		{name: "duplicate members", body: []byte(`{"envelope":"sp1.a","envelope":"sp1.b"}`), status: 400, codes: []string{"bad_request"}},
		{name: "invalid UTF-8", body: []byte("{\"envelope\":\"sp1.\xff\"}"), status: 400, codes: []string{"bad_request"}},
		{name: "nested 33 deep", body: []byte(`{"envelope":"x","x":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`), status: 400, codes: []string{"bad_request"}},
		{name: "over 64 KiB", body: []byte(`{"envelope":"` + strings.Repeat("A", 64<<10) + `"}`), status: 413, codes: []string{"payload_too_large"}},
		{name: "not JSON", body: []byte(`envelope=sp1`), status: 400, codes: []string{"bad_request"}},
		{name: "trailing data", body: []byte(`{"envelope":"sp1.a"} {}`), status: 400, codes: []string{"bad_request"}},
		{name: "unknown member", body: []byte(`{"envelope":"sp1.a","number":"x"}`), status: 400, codes: []string{"bad_request"}},
		{name: "missing envelope", body: []byte(`{}`), status: 400, codes: []string{"bad_request"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if tc.envelope != nil {
				body = jsonBody(map[string]any{"envelope": tc.envelope()})
			}
			a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: body})
			if a.Status != tc.status || !contains(tc.codes, a.code()) {
				t.Errorf("POST /v1/tokens = %d %s, want %d %v", a.Status, a.code(), tc.status, tc.codes)
			}
			c.fx.ScanForNumbers(t, "error answer", a.Body)
		})
	}

	t.Run("refusal burns no jti", func(t *testing.T) {
		env := s.seal(t, shop.ID, shop.Origin, s.card("5555555555554444"), nil)
		body := jsonBody(map[string]any{"envelope": env})
		// From another of the shop's origins: aud does not match.
		a := c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: "http://localhost:3000", body: body})
		if a.Status != http.StatusForbidden || a.code() != "wrong_origin" {
			t.Fatalf("tokenize from the wrong origin = %d %s, want 403 wrong_origin", a.Status, a.code())
		}
		a = c.do(t, req{method: "POST", path: "/v1/tokens", key: c.fx.Other.PK, origin: c.fx.Other.Origin, body: body})
		if a.Status != http.StatusForbidden || a.code() != "wrong_merchant" {
			t.Fatalf("tokenize with another merchant's key = %d %s, want 403 wrong_merchant", a.Status, a.code())
		}
		a = c.do(t, req{method: "POST", path: "/v1/tokens", key: shop.PK, origin: shop.Origin, body: body})
		if a.Status != http.StatusCreated {
			t.Fatalf("the same envelope after two refusals = %d %s, want 201", a.Status, a.code())
		}
		c.fx.live.Add(1)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
