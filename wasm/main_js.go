//go:build js && wasm

// Command wasm is Sealpay's card module, sealpay.wasm: thin syscall/js
// bindings over [github.com/sealpay/sealpay/sdk/bridge/cardbridge]. The
// hosted-fields frame and direct mode load it; it links no QR code (that is
// the QR module, ./wasm/qr, loaded on first use).
//
// It defines one global object, globalThis.__sealpay_card:
//
//	version        string, the module's version (bridge.Version)
//	seal(req)      Promise<string>  seal a card to a key set
//	checkCard(req) Promise<string>  validate and format card input as typed
//
// Each method takes one JSON request (a string or a Uint8Array of UTF-8) and
// resolves to a JSON response string; see the cardbridge package for the
// shapes. A failure rejects with an Error whose code property is an errcode
// string.
//
// Readiness is explicit: after the global is set, the module calls
// globalThis.__sealpay_card_ready(card) if that is a function, then blocks
// forever so its callbacks stay alive.
//
// Build it, with the same flags for every deployment (the module is then
// byte-identical and its Subresource Integrity hash can be pinned), with
// `node js/scripts/build-wasm.mjs`, which runs
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w -buildid=' -o sealpay.wasm ./wasm
package main

import (
	"github.com/sealpay/sealpay/sdk/bridge"
	"github.com/sealpay/sealpay/sdk/bridge/cardbridge"
	"github.com/sealpay/sealpay/wasm/internal/jsmodule"
)

// module is the card module's JavaScript face.
var module = jsmodule.Module{
	Global:  "__sealpay_card",
	Ready:   "__sealpay_card_ready",
	Methods: []string{bridge.MethodSeal, bridge.MethodCheckCard},
	Handle:  cardbridge.Methods().Call,
}

func main() {
	module.Register()
	select {} // keep the Funcs alive: JavaScript calls them from now on
}
