//go:build js && wasm

// Command qr is Sealpay's QR module, sealpay-qr.wasm: thin syscall/js
// bindings over [github.com/sealpay/sealpay/sdk/bridge/qrbridge]. The edge's
// frame loads it the first time a page checks a QR code.
//
// It defines one global object, globalThis.__sealpay_qr:
//
//	version       string, the module's version (bridge.Version)
//	verifyQR(req) Promise<string>  verify a QR payload against a trust bundle
//
// The module pins no registry root: every request carries the roots the
// caller pins (the frame's script has them built in, see docs/browser.md),
// so the module is byte-identical for every deployment and its Subresource
// Integrity hash can be pinned. Readiness is explicit: after the global is
// set, the module calls globalThis.__sealpay_qr_ready(qr) if that is a
// function, then blocks forever.
//
// Build it with `node js/scripts/build-wasm.mjs`, which runs
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w -buildid=' -o sealpay-qr.wasm ./wasm/qr
package main

import (
	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/bridge/qrbridge"
	"github.com/sealpay/sealpay/wasm/internal/jsmodule"
)

// module is the QR module's JavaScript face. One handler serves the page,
// so the trust bundle it loaded is checked once, not per code.
var module = jsmodule.Module{
	Global:  "__sealpay_qr",
	Ready:   "__sealpay_qr_ready",
	Methods: []string{bridge.MethodVerifyQR},
	Handle:  newHandler().Methods().Call,
}

// newHandler returns a handler that pins no root of its own.
func newHandler() *qrbridge.Handler {
	h, err := qrbridge.New(qrbridge.Options{})
	if err != nil {
		panic("sdk: internal error: " + err.Error()) // no roots to refuse
	}
	return h
}

func main() {
	module.Register()
	select {} // keep the Funcs alive: JavaScript calls them from now on
}
