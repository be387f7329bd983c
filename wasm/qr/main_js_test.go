//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
)

// await waits for a Promise and returns its value or its rejection reason.
func await(t *testing.T, p js.Value) (value, reason js.Value) {
	t.Helper()
	type result struct{ v, r js.Value }
	ch := make(chan result, 1)
	onValue := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: a[0], r: js.Undefined()}; return nil })
	onReason := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: js.Undefined(), r: a[0]}; return nil })
	defer onValue.Release()
	defer onReason.Release()
	p.Call("then", onValue, onReason)
	r := <-ch // blocking yields to the JS event loop, which settles the promise
	return r.v, r.r
}

func TestQRModuleShape(t *testing.T) {
	obj := module.Object()
	for name, want := range map[string]js.Type{"verifyQR": js.TypeFunction, "seal": js.TypeUndefined, "checkCard": js.TypeUndefined, "version": js.TypeString} {
		if got := obj.Get(name).Type(); got != want {
			t.Errorf("%s is %s, want %s", name, got, want)
		}
	}
	if module.Global != "__sealpay_qr" || module.Ready != "__sealpay_qr_ready" {
		t.Errorf("globals = %q, %q; js/src/direct.ts expects __sealpay_qr and __sealpay_qr_ready", module.Global, module.Ready)
	}
}

// The static Pix example of Banco Central do Brasil's "Manual de Padrões
// para Iniciação do Pix" (BR Code), Anexo II.
const pixBase = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

// TestVerifyQRRootsPerRequest: the module pins no root, so a request
// without one is refused, and the roots a request carries are the ones the
// bundle must be signed by.
func TestVerifyQRRootsPerRequest(t *testing.T) {
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
	now := time.Now()
	cert, err := root.Certify(qr.Certificate{MerchantID: "m_fulano", Name: "Fulano de Tal", PublicKey: mk.Public(), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		Accounts: []qr.Object{{ID: "26", Value: "0014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"}}}) // pixBase's Pix key
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: now.Add(-time.Minute), Certificates: []qr.Certificate{*cert}})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := qr.Sign(pixBase, mk, cert, qr.SignOptions{Amount: "49.90", Currency: "BRL", Reference: "order-1", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		roots  []json.RawMessage
		status string // the verdict's status, or "" for a rejection
		code   string // the rejection's code
	}{
		{"the bundle's root", []json.RawMessage{root.PublicJWK()}, "verified", ""},
		{"no root", nil, "", "bad_request"},
		{"another root", []json.RawMessage{other.PublicJWK()}, "", "qr_unknown_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := json.Marshal(map[string]any{"payload": signed, "bundle": string(bundle), "roots": tc.roots, "lang": "en"})
			value, reason := await(t, module.Object().Call("verifyQR", string(req)))
			if tc.code != "" {
				if reason.IsUndefined() {
					t.Fatalf("resolved %s, want a rejection with code %s", value.String(), tc.code)
				}
				if got := reason.Get("code").String(); got != tc.code {
					t.Fatalf("code = %q, want %q", got, tc.code)
				}
				return
			}
			if !reason.IsUndefined() {
				t.Fatalf("rejected: %s %s", reason.Get("code").String(), reason.Get("message").String())
			}
			var v qr.Verdict
			if err := json.Unmarshal([]byte(value.String()), &v); err != nil {
				t.Fatal(err)
			}
			if string(v.Status) != tc.status || v.Merchant != "Fulano de Tal" {
				t.Errorf("status, merchant = %q, %q, want %q, Fulano de Tal", v.Status, v.Merchant, tc.status)
			}
		})
	}
}
