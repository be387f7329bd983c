//go:build js && wasm

// Command wasm is Sealpay's browser module: thin syscall/js bindings over
// [github.com/sealpay/sealpay/sdk/bridge].
//
// It defines one global object, globalThis.__sealpay_core:
//
//	version        string, the module's version (bridge.Version)
//	seal(req)      Promise<string>  seal a card to a key set
//	checkCard(req) Promise<string>  validate and format card input as typed
//	verifyQR(req)  Promise<string>  verify a QR payload against a trust bundle
//
// Each method takes one JSON request (a string or a Uint8Array of UTF-8) and
// resolves to a JSON response string; see the bridge package for the shapes.
// A failure rejects with an Error whose code property is an errcode string.
//
// Readiness is explicit: after the global is set, the module calls
// globalThis.__sealpay_ready(core) if that is a function, then blocks
// forever so its callbacks stay alive.
//
// Build (wasm_exec.js must come from the same Go toolchain):
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o js/dist/browser/sealpay.wasm ./wasm
package main

import (
	"encoding/json"
	"syscall/js"

	"github.com/sealpay/sealpay/sdk/bridge"
)

// qrRoots is a JSON array of the registry root keys' public JWKs that
// verifyQR pins, set at build time:
//
//	-ldflags "-X 'main.qrRoots=[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",…}]'"
//
// Without it, verifyQR needs the roots in each request.
var qrRoots string

func main() {
	if h, err := newHandler(qrRoots); err != nil {
		js.Global().Get("console").Call("error", "sealpay.wasm: ignoring the pinned QR roots: "+err.Error())
	} else {
		handle = h.Handle
	}
	register()
	select {} // keep the Funcs alive: JavaScript calls them from now on
}

// newHandler returns a bridge handler pinning the roots in rootsJSON.
func newHandler(rootsJSON string) (*bridge.Handler, error) {
	var roots []json.RawMessage
	if rootsJSON != "" {
		if err := json.Unmarshal([]byte(rootsJSON), &roots); err != nil {
			return nil, err
		}
	}
	opts := bridge.Options{}
	for _, r := range roots {
		opts.Roots = append(opts.Roots, r)
	}
	return bridge.New(opts)
}

// register sets the global core object and signals readiness.
func register() js.Value {
	core := newCore()
	js.Global().Set(globalName, core)
	if ready := js.Global().Get(readyName); ready.Type() == js.TypeFunction {
		ready.Invoke(core)
	}
	return core
}
