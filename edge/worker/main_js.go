//go:build js && wasm

// Command worker is the Sealpay edge as a Cloudflare Worker
// (github.com/syumai/workers). It reads its configuration and secrets from
// the Worker's environment — SEALPAY_CONFIG, SEALPAY_KEYS, SEALPAY_KEK,
// SEALPAY_AUDIT_KEY and optionally SEALPAY_TRUST, SEALPAY_GOOGLE_PAY_KEYS and
// SEALPAY_APPLE_PAY_KEYS — keeps the vault in the D1 binding "DB", and
// reads frame.html from the static assets binding "ASSETS" (the entry
// serves the other browser assets itself; see assets_js.go).
//
// The Worker's entry is edge/workerjs/worker.mjs (edge/build.sh copies it
// into build/), not the one syumai/workers generates: it keeps this program
// running between requests, so the set-up below runs once per instance and
// each instance serves one request at a time. Several instances may run at
// once, in one isolate and in many, so shared state lives in D1. What the
// handler caches in memory now lives as long as the instance, as in the
// native server: data keys (immutable once created), the audit head
// (re-read when another writer got in first) and the trust bundle (checked
// once, when first used).
package main

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"syscall/js"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	eh, err := setup(log)
	var h http.Handler = eh
	if err != nil {
		// Say what is wrong in the Worker's log (no secret is in these
		// messages), and answer every request with an opaque 500.
		log.Error("edge: worker set-up failed", "err", err.Error())
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":{"code":"internal","message":"internal error"}}` + "\n"))
		})
	}
	if wrapForTest != nil {
		h = wrapForTest(h)
	}
	// Not workers.Serve: it returns, and so ends the program, once the
	// first response has been sent. Register the handler, tell the entry
	// it can send requests, and keep running for the next ones.
	serve(binding, h)
	if eh != nil {
		registerScheduled(eh, log)
	}
	workers.Ready()
	select {}
}

// binding is the instance's object for its entry points: the entry sets
// globalThis.context only while the program initialises (as syumai/workers
// expects), so it is read here, during package initialisation.
var binding = js.Global().Get("context").Get("binding")

// wrapForTest, when set (by crash_js.go, only with the sealpay_crashtest
// build tag), wraps the handler with routes for tests.
var wrapForTest func(http.Handler) http.Handler

func setup(log *slog.Logger) (*edge.Handler, error) {
	cfg, err := edge.ParseConfig([]byte(cloudflare.Getenv("SEALPAY_CONFIG")))
	if err != nil {
		return nil, err
	}
	if cfg.ClientIPHeader == "" {
		cfg.ClientIPHeader = "CF-Connecting-IP"
	}
	ks, err := envelope.ParseKeySet([]byte(cloudflare.Getenv("SEALPAY_KEYS")))
	if err != nil {
		return nil, err
	}
	keks, err := edge.ParseKEKs([]byte(cloudflare.Getenv("SEALPAY_KEK")))
	if err != nil {
		return nil, err
	}
	akeys, err := audit.ParseKeys([]byte(cloudflare.Getenv("SEALPAY_AUDIT_KEY")))
	if err != nil {
		return nil, fmt.Errorf("edge/worker: SEALPAY_AUDIT_KEY: %w", err)
	}
	// The trust bundle as it was signed: raw JSON, or "base64:" and its
	// bytes in standard base64 (what `sealpay serve --dev-vars` writes).
	var trust []byte
	if s := cloudflare.Getenv("SEALPAY_TRUST"); s != "" {
		trust = []byte(s)
		if b64, ok := strings.CutPrefix(s, "base64:"); ok {
			if trust, err = base64.StdEncoding.DecodeString(b64); err != nil {
				return nil, fmt.Errorf("edge/worker: SEALPAY_TRUST is not valid base64")
			}
		}
	}
	// The merchants' Google Pay keys, if any merchant takes Google Pay.
	var gpKeys *googlepay.KeySet
	if s := cloudflare.Getenv("SEALPAY_GOOGLE_PAY_KEYS"); s != "" {
		if gpKeys, err = edge.ParseGooglePayKeys([]byte(s)); err != nil {
			return nil, err
		}
	}
	// The merchants' Apple Pay payment processing keys, if any merchant
	// takes Apple Pay.
	var apKeys *applepay.KeySet
	if s := cloudflare.Getenv("SEALPAY_APPLE_PAY_KEYS"); s != "" {
		if apKeys, err = edge.ParseApplePayKeys([]byte(s)); err != nil {
			return nil, err
		}
	}
	// Outbound requests go through the Workers fetch API with redirect
	// "manual": a redirect is handed back, never followed to another host.
	client := fetch.NewClient().HTTPClient(fetch.RedirectModeManual)
	client.Timeout = 20 * time.Second
	return edge.New(edge.Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: akeys, Store: &d1{name: "DB"}, TrustBundle: trust, Assets: assetsFS{}, Logger: log, Client: client,
		// The peer is Cloudflare, which sets CF-Connecting-IP itself and
		// overwrites one a client sends.
		TrustPeer:     true,
		GooglePayKeys: gpKeys,
		ApplePayKeys:  apKeys,
		// Cloudflare logs every request; a line costs CPU time (measured
		// by BenchmarkWorkerRequestCPU, see BENCHMARKS.md).
		LogErrorsOnly: true})
}
