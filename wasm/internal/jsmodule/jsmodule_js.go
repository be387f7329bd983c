//go:build js && wasm

// Package jsmodule exposes a bridge handler to JavaScript: both Sealpay
// browser modules (the card module and the QR module) are one global
// object whose methods take one JSON request and return a Promise of the
// JSON response. For most uses, fill in a [Module] and call
// [Module.Register] from main, then block forever.
//
// Each method checks its argument's JS type first (a string or a
// Uint8Array of at most bridge.MaxRequestSize bytes), copies it into Go,
// and runs the handler in a goroutine (blocking inside a js.FuncOf would
// deadlock). A failure rejects with an Error whose code property is an
// errcode string; an error without a code, and any recovered panic, become
// {code: "internal", message: "sealpay: internal error"} with no detail.
package jsmodule

import (
	"syscall/js"

	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// A HandleFunc answers one method's JSON request, like
// bridge.Methods.Call. It takes no context: JavaScript cannot cancel a
// call, and a live context.Context type keeps the time package's parsing
// and formatting in the module (36 KB gzip).
type HandleFunc func(method string, req []byte) ([]byte, error)

// Module describes one browser module's JavaScript face.
type Module struct {
	// Global is the property of globalThis that holds the object.
	Global string
	// Ready is the optional callback, a property of globalThis that the
	// loader sets before go.run, called with the object once it is set.
	Ready string
	// Methods are the JavaScript method names; each passes its own name to
	// Handle.
	Methods []string
	// Handle answers the requests; tests swap it to inject failures.
	Handle HandleFunc
}

// Object builds the JavaScript object: {version, <method>(req)…}. Its Funcs
// live as long as the module does, so they are never released.
func (m *Module) Object() js.Value {
	obj := js.Global().Get("Object").New()
	obj.Set("version", bridge.Version)
	for _, name := range m.Methods {
		obj.Set(name, js.FuncOf(func(this js.Value, args []js.Value) any {
			return m.call(name, args)
		}))
	}
	return obj
}

// Register sets globalThis[m.Global] to a new [Module.Object] and signals
// readiness by calling globalThis[m.Ready] with it, if that is a function.
func (m *Module) Register() js.Value {
	obj := m.Object()
	js.Global().Set(m.Global, obj)
	if m.Ready == "" {
		return obj
	}
	if ready := js.Global().Get(m.Ready); ready.Type() == js.TypeFunction {
		ready.Invoke(obj)
	}
	return obj
}

// call checks the JS argument, copies it into Go and returns a Promise that
// settles with the handler's answer. It never panics into JavaScript.
func (m *Module) call(method string, args []js.Value) (promise any) {
	defer func() {
		if recover() != nil {
			promise = rejected(errInternal)
		}
	}()
	req, err := copyRequest(args)
	if err != nil {
		return rejected(err)
	}
	handle := m.Handle
	var executor js.Func
	executor = js.FuncOf(func(this js.Value, p []js.Value) any {
		resolve, reject := p[0], p[1]
		go func() {
			defer func() {
				if recover() != nil {
					reject.Invoke(jsError(errInternal))
				}
			}()
			resp, err := handle(method, req)
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
	if code == errcode.Internal {
		// An error without a code is unexpected; do not leak its text.
		msg = errInternal.Error()
	}
	e := js.Global().Get("Error").New(msg)
	e.Set("code", string(code))
	return e
}
