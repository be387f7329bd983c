package qrbridge

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
)

// pixBase is the static Pix example from the Banco Central do Brasil's
// "Manual de Padrões para Iniciação do Pix" (BR Code),
// https://www.bcb.gov.br/content/estabilidadefinanceira/pix/Regulamento_Pix/II_ManualdePadroesparaIniciacaodoPix.pdf
const pixBase = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func testHandler() handler { return handler{now: func() time.Time { return testNow }} }

type qrFixture struct {
	rootJWK, otherRootJWK []byte
	bundle, strayBundle   []byte
	signed                string
}

func newQRFixture(t testing.TB) *qrFixture {
	t.Helper()
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := qr.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := root.Certify(qr.Certificate{
		MerchantID: "m_fulano", Name: "Fulano de Tal", Domains: []string{"fulano.example"},
		Accounts:  []qr.Object{{ID: "26", Value: "0014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"}}, // pixBase's Pix key
		PublicKey: mk.Public(),
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	b := qr.Bundle{Version: 1, IssuedAt: testNow.Add(-time.Hour), Certificates: []qr.Certificate{*cert}}
	f := &qrFixture{rootJWK: root.PublicJWK(), otherRootJWK: other.PublicJWK()}
	if f.bundle, err = root.SignBundle(b); err != nil {
		t.Fatal(err)
	}
	if f.strayBundle, err = other.SignBundle(qr.Bundle{Version: 1, IssuedAt: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.signed, err = qr.Sign(pixBase, mk, cert, qr.SignOptions{Amount: "49.90", Currency: "BRL", Reference: "order-1", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVerifyQR(t *testing.T) {
	f := newQRFixture(t)
	pinned := testHandler()
	h, err := New(Options{Roots: [][]byte{f.rootJWK}})
	if err != nil {
		t.Fatal(err)
	}
	pinned.roots = h.h.roots
	badCRC := f.signed[:len(f.signed)-1] + string("0123456789ABCDEF"[(strings.IndexByte("0123456789ABCDEF", f.signed[len(f.signed)-1])+1)%16])

	tests := []struct {
		name    string
		h       handler
		req     map[string]any
		status  qr.Status
		reason  errcode.Code // first reason, if any
		errCode errcode.Code // Handle's error instead of a verdict
	}{
		{name: "verified", h: pinned, req: map[string]any{"payload": f.signed, "expect": map[string]any{"amount": "49.9", "currency": "BRL"}}, status: qr.Verified},
		{name: "root pinned in request", h: testHandler(), req: map[string]any{"payload": f.signed, "roots": []json.RawMessage{f.rootJWK}}, status: qr.Verified},
		{name: "amount mismatch", h: pinned, req: map[string]any{"payload": f.signed, "expect": map[string]any{"amount": "4990"}}, status: qr.Rejected, reason: errcode.QRMismatch},
		{name: "payee mismatch", h: pinned, req: map[string]any{"payload": f.signed, "expect": map[string]any{"merchant": "Beltrano"}}, status: qr.Rejected, reason: errcode.QRMismatch},
		{name: "unsigned", h: pinned, req: map[string]any{"payload": pixBase}, status: qr.Unsigned, reason: errcode.QRUnsigned},
		{name: "bad crc", h: pinned, req: map[string]any{"payload": badCRC}, status: qr.Rejected, reason: errcode.QRBadCRC},
		{name: "garbage", h: pinned, req: map[string]any{"payload": "hello"}, status: qr.Rejected, reason: errcode.QRMalformed},
		{name: "bundle by another root", h: pinned, req: map[string]any{"payload": f.signed, "bundle": string(f.strayBundle)}, errCode: errcode.QRUnknownKey},
		{name: "no pinned root", h: testHandler(), req: map[string]any{"payload": f.signed}, errCode: errcode.BadRequest},
		{name: "no bundle", h: pinned, req: map[string]any{"payload": f.signed, "bundle": nil}, errCode: errcode.BadRequest},
		{name: "payload too long", h: pinned, req: map[string]any{"payload": strings.Repeat("0", maxPayload+1)}, errCode: errcode.BadRequest},
		{name: "weak root in request", h: testHandler(), req: map[string]any{"payload": f.signed, "roots": []json.RawMessage{json.RawMessage(`{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`)}}, errCode: errcode.BadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.req["bundle"]; !ok {
				tc.req["bundle"] = string(f.bundle)
			} else if tc.req["bundle"] == nil {
				delete(tc.req, "bundle")
			}
			req, _ := json.Marshal(tc.req)
			resp, err := tc.h.handle(context.Background(), bridge.MethodVerifyQR, req)
			if tc.errCode != "" {
				if got := errcode.Of(err); got != tc.errCode {
					t.Fatalf("verifyQR error code = %q (%v), want %q", got, err, tc.errCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("verifyQR: %v", err)
			}
			var v qr.Verdict
			if err := json.Unmarshal(resp, &v); err != nil {
				t.Fatal(err)
			}
			if v.Status != tc.status {
				t.Errorf("status = %q (reasons %v), want %q", v.Status, v.Reasons, tc.status)
			}
			var first errcode.Code
			if len(v.Reasons) > 0 {
				first = v.Reasons[0].Code
			}
			if first != tc.reason {
				t.Errorf("first reason = %q, want %q", first, tc.reason)
			}
			if tc.status == qr.Verified && (v.Merchant != "Fulano de Tal" || v.MerchantID != "m_fulano") {
				t.Errorf("merchant = %q (%q), want the certified name and id", v.Merchant, v.MerchantID)
			}
		})
	}
}

func TestVerifyQRLanguages(t *testing.T) {
	f := newQRFixture(t)
	h := testHandler()
	for _, lang := range []string{"en", "zh-CN", "ja", "ko", "ru", "es", "pt-BR", "de", "fr", "id", "th", "vi"} {
		t.Run(lang, func(t *testing.T) {
			req, _ := json.Marshal(map[string]any{"payload": pixBase, "bundle": string(f.bundle), "roots": []json.RawMessage{f.rootJWK}, "lang": lang})
			resp, err := h.handle(context.Background(), bridge.MethodVerifyQR, req)
			if err != nil {
				t.Fatal(err)
			}
			var v qr.Verdict
			if err := json.Unmarshal(resp, &v); err != nil {
				t.Fatal(err)
			}
			if v.Lang != lang {
				t.Errorf("lang = %q, want %q", v.Lang, lang)
			}
			if len(v.Reasons) == 0 || v.Reasons[0].Message == "" {
				t.Errorf("reasons = %v, want a localized qr_unsigned message", v.Reasons)
			}
		})
	}
}

func TestNewRefusesBadRoot(t *testing.T) {
	if _, err := New(Options{Roots: [][]byte{[]byte(`{"kty":"OKP"}`)}}); errcode.Of(err) != errcode.BadRequest {
		t.Fatalf("New(bad root) error code = %q, want %q", errcode.Of(err), errcode.BadRequest)
	}
}

// TestVerifyQRTrustCache runs one caching handler through a sequence of
// requests: the cached bundle is reused only for the same bundle text and
// the same roots, and never hides a bundle that does not verify.
func TestVerifyQRTrustCache(t *testing.T) {
	f := newQRFixture(t)
	h := testHandler()
	h.trust = &trustCache{}
	tampered := strings.Replace(string(f.bundle), `"version": 1`, `"version": 2`, 1)
	if tampered == string(f.bundle) {
		t.Fatal("fixture: could not tamper with the bundle")
	}
	root := []json.RawMessage{f.rootJWK}
	other := []json.RawMessage{f.otherRootJWK}
	var first *qr.TrustBundle
	steps := []struct {
		name    string
		bundle  string
		roots   []json.RawMessage
		status  qr.Status
		errCode errcode.Code
		reused  bool // the cached bundle of the first step must be the one used
	}{
		{name: "first load", bundle: string(f.bundle), roots: root, status: qr.Verified},
		{name: "same bundle and roots reuse it", bundle: string(f.bundle), roots: root, status: qr.Verified, reused: true},
		{name: "same bundle, another root", bundle: string(f.bundle), roots: other, errCode: errcode.QRUnknownKey},
		{name: "tampered bundle", bundle: tampered, roots: root, errCode: errcode.QRUnknownKey},
		{name: "another root's bundle", bundle: string(f.strayBundle), roots: other, status: qr.Rejected},
		{name: "back to the first bundle", bundle: string(f.bundle), roots: root, status: qr.Verified},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			req, _ := json.Marshal(map[string]any{"payload": f.signed, "bundle": s.bundle, "roots": s.roots})
			resp, err := h.handle(context.Background(), bridge.MethodVerifyQR, req)
			if s.errCode != "" {
				if got := errcode.Of(err); got != s.errCode {
					t.Fatalf("verifyQR error code = %q (%v), want %q", got, err, s.errCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("verifyQR: %v", err)
			}
			var v qr.Verdict
			if err := json.Unmarshal(resp, &v); err != nil {
				t.Fatal(err)
			}
			if v.Status != s.status {
				t.Errorf("status = %q (reasons %v), want %q", v.Status, v.Reasons, s.status)
			}
			if first == nil {
				first = h.trust.loaded
			}
			if s.reused && h.trust.loaded != first {
				t.Errorf("the cached bundle was loaded again, want it reused")
			}
		})
	}
}

// TestRootKeyCache: the root keys a request carries are parsed once and
// reused, a key that does not parse is refused every time, and the cache
// stays bounded.
func TestRootKeyCache(t *testing.T) {
	f := newQRFixture(t)
	c := &trustCache{}
	k1, err := c.parseRoot(f.rootJWK)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.parseRoot(f.rootJWK)
	if err != nil || !k2.Equal(k1) || len(c.keys) != 1 {
		t.Fatalf("second parse = %x, %v with %d cached keys, want the same key from one entry", k2, err, len(c.keys))
	}
	weak := []byte(`{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`)
	for i := 0; i < 2; i++ {
		if _, err := c.parseRoot(weak); errcode.Of(err) != errcode.BadRequest {
			t.Fatalf("parse #%d of a low-order key = %v, want bad_request", i+1, err)
		}
	}
	for i := 0; i < 3*maxKeys; i++ {
		rk, err := qr.GenerateRootKey()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.parseRoot(rk.PublicJWK()); err != nil {
			t.Fatal(err)
		}
		if len(c.keys) > maxKeys {
			t.Fatalf("%d cached keys, want at most %d", len(c.keys), maxKeys)
		}
	}
}

// FuzzVerifyQRTrustCache checks that the trust-bundle cache never changes
// an answer: after a caching handler has loaded the genuine bundle, any
// (payload, bundle) pair gets exactly the response or error code of a
// handler that loads every bundle afresh.
func FuzzVerifyQRTrustCache(f *testing.F) {
	fx := newQRFixture(f)
	seeds := []struct{ payload, bundle string }{
		{fx.signed, string(fx.bundle)},
		{pixBase, string(fx.bundle)},
		{fx.signed, string(fx.strayBundle)},
		{fx.signed, strings.Replace(string(fx.bundle), `"version": 1`, `"version": 2`, 1)},
		{fx.signed, string(fx.bundle) + " "},
	}
	for _, s := range seeds {
		f.Add(s.payload, s.bundle)
	}
	if len(seeds) == 0 {
		f.Fatal("no seeds")
	}
	pinned, err := New(Options{Roots: [][]byte{fx.rootJWK}})
	if err != nil {
		f.Fatal(err)
	}
	fresh := testHandler()
	fresh.roots = pinned.h.roots
	cached := fresh
	cached.trust = &trustCache{}
	prime, _ := json.Marshal(map[string]any{"payload": fx.signed, "bundle": string(fx.bundle)})
	f.Fuzz(func(t *testing.T, payload, bundle string) {
		if _, err := cached.handle(context.Background(), bridge.MethodVerifyQR, prime); err != nil {
			t.Fatalf("priming the cache: %v", err)
		}
		req, _ := json.Marshal(map[string]any{"payload": payload, "bundle": bundle})
		want, wantErr := fresh.handle(context.Background(), bridge.MethodVerifyQR, req)
		got, gotErr := cached.handle(context.Background(), bridge.MethodVerifyQR, req)
		if errcode.Of(gotErr) != errcode.Of(wantErr) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("cached error = %v, fresh error = %v", gotErr, wantErr)
		}
		if string(got) != string(want) {
			t.Fatalf("cached response differs from fresh:\n got %s\nwant %s", got, want)
		}
	})
}
