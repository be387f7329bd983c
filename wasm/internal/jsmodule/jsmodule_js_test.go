//go:build js && wasm

package jsmodule

import (
	"encoding/json"
	"errors"
	"strings"
	"syscall/js"
	"testing"

	"github.com/sealpay/sealpay/sdk/bridge"
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

// echo answers every method with {"method":…,"request":…}.
func echo(method string, req []byte) ([]byte, error) {
	return json.Marshal(map[string]any{"method": method, "request": string(req)})
}

// testModule is a module with two methods answered by handle.
func testModule(handle HandleFunc) *Module {
	return &Module{Global: "__sealpay_test", Ready: "__sealpay_test_ready", Methods: []string{"one", "two"}, Handle: handle}
}

func TestObjectShape(t *testing.T) {
	obj := testModule(echo).Object()
	if got, want := obj.Get("version").String(), bridge.Version; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	for _, name := range []string{"one", "two"} {
		if got := obj.Get(name).Type(); got != js.TypeFunction {
			t.Errorf("%s is %s, want function", name, got)
		}
	}
	if got := obj.Get("three").Type(); got != js.TypeUndefined {
		t.Errorf("three is %s, want undefined", got)
	}
}

func TestArgumentTypes(t *testing.T) {
	core := testModule(echo).Object()
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, reason := await(t, core.Call("one", tc.args...))
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
	core := testModule(echo).Object()
	req := `{"name":"été"}`
	largest := `"` + strings.Repeat("a", bridge.MaxRequestSize-2) + `"`
	for _, tc := range []struct {
		method string
		arg    any
		want   string
	}{
		{"one", req, req},
		{"two", uint8Array(req), req},
		{"one", largest, largest},
		{"two", uint8Array(largest), largest},
	} {
		value, reason := await(t, core.Call(tc.method, tc.arg))
		if !reason.IsUndefined() {
			t.Fatalf("rejected: %s %s", reason.Get("code").String(), reason.Get("message").String())
		}
		if value.Type() != js.TypeString {
			t.Fatalf("resolved with %s, want a JSON string", value.Type())
		}
		var got struct{ Method, Request string }
		if err := json.Unmarshal([]byte(value.String()), &got); err != nil {
			t.Fatal(err)
		}
		if got.Method != tc.method || got.Request != tc.want {
			t.Errorf("%s got method %q and a %d-byte request, want %q and %d bytes", tc.method, got.Method, len(got.Request), tc.method, len(tc.want))
		}
	}
}

func TestErrorsBecomeCodes(t *testing.T) {
	m := testModule(echo)
	core := m.Object()
	tests := []struct {
		name    string
		handle  func(string, []byte) ([]byte, error)
		code    errcode.Code
		message string
	}{
		{"coded error", func(string, []byte) ([]byte, error) {
			return nil, errcode.New(errcode.InvalidCVC, "card: invalid cvc")
		}, errcode.InvalidCVC, "card: invalid cvc"},
		{"uncoded error hides its text", func(string, []byte) ([]byte, error) {
			return nil, errors.New("secret detail")
		}, errcode.Internal, errInternal.Error()},
		{"panic", func(string, []byte) ([]byte, error) {
			panic("boom")
		}, errcode.Internal, errInternal.Error()},
		{"nil-map panic", func(string, []byte) ([]byte, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		}, errcode.Internal, errInternal.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m.Handle = tc.handle
			_, reason := await(t, core.Call("one", "{}"))
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
	m := testModule(echo)
	got := make(chan js.Value, 1)
	ready := js.FuncOf(func(_ js.Value, a []js.Value) any { got <- a[0]; return nil })
	defer ready.Release()
	js.Global().Set(m.Ready, ready)
	defer js.Global().Delete(m.Ready)
	defer js.Global().Delete(m.Global)
	obj := m.Register()
	if v := <-got; !v.Equal(obj) {
		t.Error("ready was not called with the module's object")
	}
	if !js.Global().Get(m.Global).Equal(obj) {
		t.Errorf("globalThis.%s is not the module's object", m.Global)
	}
}

func TestRegisterWithoutReady(t *testing.T) {
	m := testModule(echo)
	defer js.Global().Delete(m.Global)
	js.Global().Set(m.Ready, "not a function")
	defer js.Global().Delete(m.Ready)
	if obj := m.Register(); !js.Global().Get(m.Global).Equal(obj) {
		t.Errorf("globalThis.%s is not the module's object", m.Global)
	}
}
