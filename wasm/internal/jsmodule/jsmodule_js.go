//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
)

const (
	// globalName is the property of globalThis that holds the core object.
	globalName = "__sealpay_core"
	// readyName is the optional callback the loader sets before go.run.
	readyName = "__sealpay_ready"
)

// handle is the bridge entry point; tests swap it to inject failures.
var handle = bridge.Handle

// methods maps each JS method name to its bridge method.
var methods = map[string]string{
	"seal":      bridge.MethodSeal,
	"checkCard": bridge.MethodCheckCard,
	"verifyQR":  bridge.MethodVerifyQR,
}

// newCore builds the object exposed to JavaScript. Its Funcs live as long
// as the module does, so they are never released.
func newCore() js.Value {
	core := js.Global().Get("Object").New()
	core.Set("version", bridge.Version)
	for name, method := range methods {
		core.Set(name, js.FuncOf(func(this js.Value, args []js.Value) any {
			return call(method, args)
		}))
	}
	return core
}

// call checks the JS argument, copies it into Go and returns a Promise that
// settles with the bridge's answer. It never panics into JavaScript.
func call(method string, args []js.Value) (promise any) {
	defer func() {
		if recover() != nil {
			promise = rejected(errInternal)
		}
	}()
	req, err := copyRequest(args)
	if err != nil {
		return rejected(err)
	}
	var executor js.Func
	executor = js.FuncOf(func(this js.Value, p []js.Value) any {
		resolve, reject := p[0], p[1]
		go func() {
			defer func() {
				if recover() != nil {
					reject.Invoke(jsError(errInternal))
				}
			}()
			resp, err := handle(context.Background(), method, req)
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			resolve.Invoke(string(resp))
		}()
		return nil
	})
	// The executor runs synchronously inside the Promise constructor, so it
	// can be released as soon as the constructor returns.
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

// errInternal is what a recovered panic becomes: no detail leaves the module.
var errInternal = errcode.New(errcode.Internal, "sealpay: internal error")

// errArgument is returned for a call with the wrong number or type of
// arguments.
var errArgument = errcode.New(errcode.BadRequest, "sealpay: expected one argument, a JSON string or a Uint8Array")

// copyRequest checks the argument's JS type before touching it: .String()
// on a number silently returns "<number: 5>", and .Int() on a string panics.
func copyRequest(args []js.Value) ([]byte, error) {
	if len(args) != 1 {
		return nil, errArgument
	}
	v := args[0]
	switch v.Type() {
	case js.TypeString:
		// Bound the size before copying. A primitive string has no
		// properties to Reflect.get, so ask a String wrapper; its length in
		// UTF-16 units is at most the UTF-8 length.
		if js.Global().Get("String").New(v).Length() > bridge.MaxRequestSize {
			return nil, bridge.ErrTooLarge
		}
		b := []byte(v.String())
		if len(b) > bridge.MaxRequestSize {
			return nil, bridge.ErrTooLarge
		}
		return b, nil
	case js.TypeObject:
		if !v.InstanceOf(js.Global().Get("Uint8Array")) {
			return nil, errArgument
		}
		n := v.Get("byteLength").Int()
		if n > bridge.MaxRequestSize {
			return nil, bridge.ErrTooLarge
		}
		b := make([]byte, n)
		js.CopyBytesToGo(b, v)
		return b, nil
	default:
		return nil, errArgument
	}
}

// rejected returns Promise.reject(Error) for err.
func rejected(err error) js.Value {
	return js.Global().Get("Promise").Call("reject", jsError(err))
}

// jsError converts err to a JS Error with a stable code property. Messages
// in sdk/ never hold card data, keys or tokens, so they may cross.
func jsError(err error) js.Value {
	code := errcode.Of(err)
	msg := err.Error()
	var c errcode.Coder
	if !errors.As(err, &c) {
		// An error without a code is unexpected; do not leak its text.
		msg = errInternal.Error()
	}
	e := js.Global().Get("Error").New(msg)
	e.Set("code", string(code))
	return e
}
