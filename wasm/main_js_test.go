//go:build js && wasm

package main

import (
	"encoding/json"
	"strconv"
	"syscall/js"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
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

func TestCardModuleShape(t *testing.T) {
	obj := module.Object()
	for name, want := range map[string]js.Type{"seal": js.TypeFunction, "checkCard": js.TypeFunction, "verifyQR": js.TypeUndefined, "version": js.TypeString} {
		if got := obj.Get(name).Type(); got != want {
			t.Errorf("%s is %s, want %s", name, got, want)
		}
	}
	if module.Global != "__sealpay_card" || module.Ready != "__sealpay_card_ready" {
		t.Errorf("globals = %q, %q; js/src/direct.ts expects __sealpay_card and __sealpay_card_ready", module.Global, module.Ready)
	}
}

func TestCheckCard(t *testing.T) {
	value, reason := await(t, module.Object().Call("checkCard", `{"number":"4242424242424242"}`))
	if !reason.IsUndefined() {
		t.Fatalf("rejected: %s %s", reason.Get("code").String(), reason.Get("message").String())
	}
	parsed := js.Global().Get("JSON").Call("parse", value)
	if got := parsed.Get("brand").String(); got != "visa" {
		t.Errorf("brand = %q, want visa", got)
	}
	if got := parsed.Get("number").Get("value").String(); got != "4242 4242 4242 4242" {
		t.Errorf("number.value = %d bytes, %s; want the number in groups of 4", len(got), card.Mask(got)) // never the number itself
	}
}

func TestSealOpens(t *testing.T) {
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := json.Marshal(ks.Public())
	if err != nil {
		t.Fatal(err)
	}
	// Stripe's public Visa test number (https://docs.stripe.com/testing).
	req := `{"keys":` + string(pub) + `,"card":{"number":"4242424242424242","exp_month":12,"exp_year":` + strconv.Itoa(time.Now().Year()+5) + `,"cvc":"123"},"merchant_id":"m_demo","origin":"https://shop.example","ttl":600}`
	a := js.Global().Get("Uint8Array").New(len(req))
	js.CopyBytesToJS(a, []byte(req))
	value, reason := await(t, module.Object().Call("seal", a))
	if !reason.IsUndefined() {
		t.Fatalf("rejected: %s", reason.Get("code").String())
	}
	env := js.Global().Get("JSON").Call("parse", value).Get("envelope").String()
	opened, err := envelope.Open(ks, env, envelope.OpenOptions{MerchantID: "m_demo", Origin: "https://shop.example"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := card.Last4(opened.Card.Number); got != "4242" {
		t.Errorf("opened card last4 = %s, want 4242", got)
	}
}
