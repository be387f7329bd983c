//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// await waits for a Promise and returns its value or its rejection reason.
func await(t *testing.T, p js.Value) (value, reason js.Value) {
	t.Helper()
	if p.Type() != js.TypeObject || !p.InstanceOf(js.Global().Get("Promise")) {
		t.Fatalf("got %s, want a Promise", p.Type())
	}
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

func uint8Array(s string) js.Value {
	a := js.Global().Get("Uint8Array").New(len(s))
	js.CopyBytesToJS(a, []byte(s))
	return a
}

func TestCoreShape(t *testing.T) {
	core := newCore()
	if got, want := core.Get("version").String(), bridge.Version; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	for _, name := range []string{"seal", "checkCard", "verifyQR"} {
		if got := core.Get(name).Type(); got != js.TypeFunction {
			t.Errorf("%s is %s, want function", name, got)
		}
	}
}

func TestArgumentTypes(t *testing.T) {
	core := newCore()
	obj := js.Global().Get("Object").New()
	tests := []struct {
		name string
		args []any
		want errcode.Code
	}{
		{"no argument", nil, errcode.BadRequest},
		{"two arguments", []any{"{}", "{}"}, errcode.BadRequest},
		{"number", []any{5}, errcode.BadRequest},
		{"undefined", []any{js.Undefined()}, errcode.BadRequest},
		{"null", []any{js.Null()}, errcode.BadRequest},
		{"boolean", []any{true}, errcode.BadRequest},
		{"plain object", []any{obj}, errcode.BadRequest},
		{"array of bytes", []any{js.Global().Get("Array").New(1, 2)}, errcode.BadRequest},
		{"function", []any{js.Global().Get("Object")}, errcode.BadRequest},
		{"oversized string", []any{strings.Repeat(" ", bridge.MaxRequestSize+1)}, errcode.PayloadTooLarge},
		{"oversized bytes", []any{js.Global().Get("Uint8Array").New(bridge.MaxRequestSize + 1)}, errcode.PayloadTooLarge},
		{"bad JSON string", []any{"{"}, errcode.BadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, reason := await(t, core.Call("checkCard", tc.args...))
			if reason.IsUndefined() {
				t.Fatal("promise resolved, want a rejection")
			}
			if !reason.InstanceOf(js.Global().Get("Error")) {
				t.Fatalf("rejected with %s, want an Error", reason.Type())
			}
			if got := reason.Get("code").String(); got != string(tc.want) {
				t.Errorf("code = %q (%s), want %q", got, reason.Get("message").String(), tc.want)
			}
		})
	}
}

func TestResolves(t *testing.T) {
	core := newCore()
	for _, arg := range []any{`{"number":"4242424242424242"}`, uint8Array(`{"number":"4242424242424242"}`)} {
		value, reason := await(t, core.Call("checkCard", arg))
		if !reason.IsUndefined() {
			t.Fatalf("rejected: %s %s", reason.Get("code").String(), reason.Get("message").String())
		}
		if value.Type() != js.TypeString {
			t.Fatalf("resolved with %s, want a JSON string", value.Type())
		}
		parsed := js.Global().Get("JSON").Call("parse", value)
		if got := parsed.Get("brand").String(); got != "visa" {
			t.Errorf("brand = %q, want visa", got)
		}
		if got := parsed.Get("number").Get("value").String(); got != "4242 4242 4242 4242" {
			t.Errorf("number.value = %q, want grouped digits", got)
		}
	}
}

func TestErrorsBecomeCodes(t *testing.T) {
	core := newCore()
	defer func(h func(context.Context, string, []byte) ([]byte, error)) { handle = h }(handle)
	tests := []struct {
		name    string
		handle  func(context.Context, string, []byte) ([]byte, error)
		code    errcode.Code
		message string
	}{
		{"coded error", func(context.Context, string, []byte) ([]byte, error) {
			return nil, errcode.New(errcode.InvalidCVC, "card: invalid cvc")
		}, errcode.InvalidCVC, "card: invalid cvc"},
		{"uncoded error hides its text", func(context.Context, string, []byte) ([]byte, error) {
			return nil, errors.New("secret detail")
		}, errcode.Internal, errInternal.Error()},
		{"panic", func(context.Context, string, []byte) ([]byte, error) {
			panic("boom")
		}, errcode.Internal, errInternal.Error()},
		{"nil-map panic", func(context.Context, string, []byte) ([]byte, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		}, errcode.Internal, errInternal.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handle = tc.handle
			_, reason := await(t, core.Call("seal", "{}"))
			if reason.IsUndefined() {
				t.Fatal("promise resolved, want a rejection")
			}
			if got := reason.Get("code").String(); got != string(tc.code) {
				t.Errorf("code = %q, want %q", got, tc.code)
			}
			if got := reason.Get("message").String(); got != tc.message {
				t.Errorf("message = %q, want %q", got, tc.message)
			}
		})
	}
}

func TestReadySignal(t *testing.T) {
	got := make(chan js.Value, 1)
	ready := js.FuncOf(func(_ js.Value, a []js.Value) any { got <- a[0]; return nil })
	defer ready.Release()
	js.Global().Set(readyName, ready)
	defer js.Global().Delete(readyName)
	core := register()
	if v := <-got; !v.Equal(core) {
		t.Error("ready was not called with the core object")
	}
	if !js.Global().Get(globalName).Equal(core) {
		t.Errorf("globalThis.%s is not the core object", globalName)
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
	value, reason := await(t, newCore().Call("seal", uint8Array(req)))
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

func TestNewHandler(t *testing.T) {
	for _, tc := range []struct {
		roots string
		ok    bool
	}{
		{"", true},
		{"[]", true},
		{"not json", false},
		{`[{"kty":"OKP"}]`, false},
	} {
		if _, err := newHandler(tc.roots); (err == nil) != tc.ok {
			t.Errorf("newHandler(%q) error = %v, want ok %v", tc.roots, err, tc.ok)
		}
	}
}
