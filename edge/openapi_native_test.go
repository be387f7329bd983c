//go:build !js

package edge_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/edgetest"
	"github.com/sealpay/sealpay/edge/server"
)

// TestOpenAPIContract checks docs/openapi.yaml against the live native
// edge: the real edge.Handler on SQLite, configured by the edgetest
// fixture (two merchants, a stand-in backend and provider, a QR
// registry, the built browser assets), and a second edge with no trust
// bundle and no assets for the answers of an edge without them. Every
// request is validated against the document (a request a case means to
// break must fail validation), and every answer: its status must be one
// the operation lists, its headers and body must match. Then:
//
//   - every route the server's mux registers (edge.Handler.Routes) must
//     be in the document, so a route added without documenting it fails;
//   - every operation the document lists, and each status it lists for
//     it, must have been produced by a case below (but 500, which no
//     request from outside can cause);
//   - a changed copy of the document must fail on the same exchanges,
//     which proves the validation can fail.
func TestOpenAPIContract(t *testing.T) {
	sp := readSpec(t, nil)

	fx := edgetest.NewFixture(t)
	fx.Assets(t)
	editConfig(t, fx.ConfigPath, func(cfg map[string]any) {
		// Five requests a minute per client address: a case that wants a
		// 429 sends six from one address; every other request comes from
		// an address of its own.
		cfg["limits"] = map[string]any{"client_requests": map[string]any{"window": "1m", "slow": 0, "block": 5}}
		shop := cfg["merchants"].([]any)[0].(map[string]any)
		// A provider that cannot be reached, for the relay's 502.
		shop["relay_routes"] = append(shop["relay_routes"].([]any), map[string]any{
			"method": "POST", "host": "127.0.0.1:1", "path": "/down", "format": "json",
			"placeholders": map[string][]string{"/n": {"number"}}})
	})
	h, base := startEdge(t, fx.ConfigPath)

	bare := edgetest.NewFixture(t)
	editConfig(t, bare.ConfigPath, func(cfg map[string]any) {
		delete(cfg, "trust_bundle_file")
		delete(cfg, "assets_dir")
	})
	_, bareBase := startEdge(t, bare.ConfigPath)

	ct := &contract{t: t, sp: sp, fx: fx, base: base, seen: map[operation]map[string]bool{},
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	tz := edgetest.NewTokenizer(t, base, fx)
	seal := func() string {
		env, err := tz.Seal(tz.RandomCard())
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	shop, other := fx.Shop, fx.Other
	pk, sk := bearerKey(shop.PK), bearerKey(shop.SK)
	origin := hdr("Origin", shop.Origin)
	big := []byte(`{"envelope":"` + strings.Repeat("a", 70<<10) + `"}`)

	t.Run("health", func(t *testing.T) {
		ct.do(t, x{method: "GET", path: "/healthz", want: 200})
	})

	t.Run("keys", func(t *testing.T) {
		ct.do(t, x{method: "GET", path: "/v1/keys", want: 200})
		ct.do(t, x{method: "GET", path: "/v1/keys?key=" + shop.PK, header: origin, want: 200})
		ct.flood(t, x{method: "GET", path: "/v1/keys"})
	})

	var tok, singleTok string
	t.Run("tokenize", func(t *testing.T) {
		a := ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", seal()), want: 201})
		tok = a.json(t)["token"].(string)
		a = ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", seal(), "single_use", true), want: 201})
		singleTok = a.json(t)["token"].(string)
		if a.json(t)["expires"] == nil {
			t.Error("a single-use token's answer has no expires")
		}
		// From the hosted-fields frame (the edge's own origin): single-use
		// unless saved.
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, hdr("Origin", base)), body: obj("envelope", seal()), want: 201})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, hdr("Origin", base)), body: obj("envelope", seal(), "save", true), want: 201})
		// Idempotency: replay, then the same key with another body.
		key := hdr("Idempotency-Key", "contract-tokenize-1")
		body := obj("envelope", seal())
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin, key), body: body, want: 201})
		a = ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin, key), body: body, want: 201})
		if a.resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Error("a replayed tokenize lacks Idempotent-Replayed: true")
		}
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin, key), body: obj("envelope", seal()), want: 422, code: "idempotency_mismatch"})
		// Refusals.
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", "sp1.garbage"), want: 400, code: "invalid_envelope"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", seal(), "save", true, "single_use", true), want: 400, code: "bad_request", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: []byte(`{"envelope":"sp1.a","envelope":"sp1.b"}`), want: 400, code: "bad_request"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin, hdr("Idempotency-Key", "bad key")), body: obj("envelope", seal()), want: 400, code: "bad_request", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: origin, body: obj("envelope", seal()), want: 401, code: "unauthorized", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(bearerKey("pk_unknown"), origin), body: obj("envelope", seal()), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, hdr("Origin", "https://evil.example")), body: obj("envelope", seal()), want: 403, code: "forbidden_origin"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, hdr("Origin", "http://localhost:3000")), body: obj("envelope", seal()), want: 403, code: "wrong_origin"})
		env := seal()
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", env), want: 201})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", env), want: 409, code: "replayed"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: big, want: 413, code: "payload_too_large", breaks: true})
		bad, err := tz.Seal("4111111111111112")
		if err != nil {
			t.Fatal(err)
		}
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("envelope", bad), want: 422, code: "invalid_card_number"})
		// Wallets: a Google Pay token string, an Apple Pay paymentData
		// object, and refusals.
		for _, w := range []struct {
			name string
			data any
		}{{"google_pay", fx.GooglePayToken(t)}, {"apple_pay", fx.ApplePayPaymentData(t)}} {
			a := ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("wallet", w.name, "payment_data", w.data), want: 201})
			if got := a.json(t)["wallet"]; got != w.name {
				t.Errorf("a %s tokenize answers wallet %v", w.name, got)
			}
		}
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("wallet", "google_pay", "payment_data", "{}"), want: 400, code: "wallet_token_malformed"})
		ct.do(t, x{method: "POST", path: "/v1/tokens", header: join(pk, origin), body: obj("wallet", "google_pay", "payment_data", fx.GooglePayToken(t), "envelope", seal()), want: 400, code: "bad_request", breaks: true})
		ct.flood(t, x{method: "POST", path: "/v1/tokens", header: join(bearerKey("pk_unknown"), origin), body: obj("envelope", "sp1.x")})
	})

	t.Run("forward", func(t *testing.T) {
		p := "/v1/forward/checkout"
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: obj("card", seal(), "amount", "49.90"), want: 200})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: obj("card", seal(), "want_status", 202), want: 202})
		key := hdr("Idempotency-Key", "contract-forward-1")
		body := obj("card", seal())
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin, key), body: body, want: 200})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin, key), body: body, want: 200})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin, key), body: obj("card", seal()), want: 422, code: "idempotency_mismatch"})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: []byte(`{"a":1,"a":2}`), want: 400, code: "bad_request"})
		ct.do(t, x{method: "POST", path: p, header: join(bearerKey("pk_unknown"), origin), body: obj("a", 1), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "POST", path: p, header: join(pk, hdr("Origin", "https://evil.example")), body: obj("a", 1), want: 403, code: "forbidden_origin"})
		ct.do(t, x{method: "POST", path: "/v1/forward/nowhere", header: join(pk, origin), body: obj("a", 1), want: 404, code: "not_found"})
		env := seal()
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: obj("card", env), want: 200})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: obj("card", env), want: 409, code: "replayed"})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: big, want: 413, code: "payload_too_large"})
		ct.do(t, x{method: "POST", path: p, header: join(pk, origin), body: obj("note", tz.RandomCard()), want: 422, code: "unsealed_card_number"})
		ct.do(t, x{method: "POST", path: "/v1/forward/down", header: join(pk, origin), body: obj("a", 1), want: 502, code: "upstream_error"})
		ct.flood(t, x{method: "POST", path: p, header: join(bearerKey("pk_unknown"), origin), body: obj("a", 1)})
	})

	t.Run("relay", func(t *testing.T) {
		charges := fx.Provider.URL + "/v1/charges"
		relay := func(url, template string, more ...any) []byte {
			return obj(append([]any{"url", url, "body", template}, more...)...)
		}
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay(charges, `{"number":"{{`+tok+`:number}}"}`), want: 200})
		key := hdr("Idempotency-Key", "contract-relay-1")
		body := relay(charges, `{"number":"{{`+tok+`:number}}"}`, "method", "POST")
		ct.do(t, x{method: "POST", path: "/v1/relay", header: join(sk, key), body: body, want: 200})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: join(sk, key), body: body, want: 200})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: join(sk, key), body: relay(charges, `{"n":"{{`+tok+`:number}}"}`), want: 422, code: "idempotency_mismatch"})
		// A retry while the first still runs: the stand-in provider holds
		// a request with X-Hold until released.
		release := fx.Hold()
		held := relay(charges, `{"n":"{{`+tok+`:number}}"}`, "headers", map[string]string{"X-Hold": "1"})
		hkey := hdr("Idempotency-Key", "contract-relay-held")
		before := fx.Provider.Count("/v1/charges")
		first := ct.start(t, x{method: "POST", path: "/v1/relay", header: join(sk, hkey), body: held, want: 200})
		for deadline := time.Now().Add(10 * time.Second); fx.Provider.Count("/v1/charges") == before && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		ct.do(t, x{method: "POST", path: "/v1/relay", header: join(sk, hkey), body: held, want: 409, code: "idempotency_in_progress"})
		release()
		first()

		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay(charges, `{"n":"1"}`, "headers", map[string]string{"X": "{{" + tok + ":number}}"}), want: 400, code: "bad_request"})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: bearerKey("sk_unknown"), body: relay(charges, `{}`), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay(fx.Elsewhere.URL+"/charge", `{"n":"{{`+tok+`:number}}"}`), want: 403, code: "relay_host_forbidden"})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay(charges, `{"n":"{{`+tok+`:number}}"}`, "method", "PUT"), want: 403, code: "relay_route_forbidden"})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay(charges, `{"n":"{{tok_0000000000000000000000:number}}"}`), want: 404, code: "not_found"})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: big, want: 413, code: "payload_too_large", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/relay", header: sk, body: relay("http://127.0.0.1:1/down", `{"n":"{{`+tok+`:number}}"}`), want: 502, code: "upstream_error"})
		ct.flood(t, x{method: "POST", path: "/v1/relay", header: bearerKey("sk_unknown"), body: relay(charges, `{}`)})
	})

	t.Run("tokens", func(t *testing.T) {
		ct.do(t, x{method: "GET", path: "/v1/tokens/" + tok, header: sk, want: 200})
		ct.do(t, x{method: "GET", path: "/v1/tokens/" + singleTok, header: sk, want: 200})
		ct.do(t, x{method: "GET", path: "/v1/tokens/" + tok, header: bearerKey(other.SK), want: 404, code: "not_found"})
		ct.do(t, x{method: "GET", path: "/v1/tokens/tok_bad", header: sk, want: 404, code: "not_found", breaks: true})
		ct.do(t, x{method: "GET", path: "/v1/tokens/" + tok, want: 401, code: "unauthorized", breaks: true})
		ct.flood(t, x{method: "GET", path: "/v1/tokens/" + tok, header: bearerKey("sk_unknown")})
		ct.do(t, x{method: "DELETE", path: "/v1/tokens/" + tok, header: bearerKey("sk_unknown"), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "DELETE", path: "/v1/tokens/" + tok, header: sk, want: 200})
		ct.do(t, x{method: "DELETE", path: "/v1/tokens/" + tok, header: sk, want: 404, code: "not_found"})
		ct.flood(t, x{method: "DELETE", path: "/v1/tokens/" + tok, header: bearerKey("sk_unknown")})
	})

	var signed string
	t.Run("qr", func(t *testing.T) {
		a := ct.do(t, x{method: "POST", path: "/v1/qr", header: sk, body: obj("amount", "49.90", "reference", "ORDER42", "ttl_seconds", 600, "size", 256), want: 201})
		signed = a.json(t)["payload"].(string)
		key := hdr("Idempotency-Key", "contract-qr-1")
		ct.do(t, x{method: "POST", path: "/v1/qr", header: join(sk, key), body: obj("amount", "10.00"), want: 201})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: join(sk, key), body: obj("amount", "10.00"), want: 201})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: join(sk, key), body: obj("amount", "11.00"), want: 422, code: "idempotency_mismatch"})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: sk, body: obj("amount", "1", "ttl_seconds", 90000), want: 400, code: "bad_request", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: bearerKey("sk_unknown"), body: obj("amount", "1"), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: bearerKey(other.SK), body: obj("amount", "1"), want: 404, code: "not_found"})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: sk, body: big, want: 413, code: "payload_too_large", breaks: true})
		ct.do(t, x{method: "POST", path: "/v1/qr", header: sk, body: obj("amount", "lots"), want: 400, code: "bad_request"})
		ct.flood(t, x{method: "POST", path: "/v1/qr", header: bearerKey("sk_unknown"), body: obj("amount", "1")})

		ct.do(t, x{method: "POST", path: "/v1/qr/verify", header: origin, body: obj("payload", signed, "expect", map[string]any{"amount": "49.90"}, "lang", "pt-BR"), want: 200})
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", header: sk, body: obj("payload", signed), want: 200})
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", header: sk, body: obj("payload", signed), want: 200}) // rejected: qr_replayed
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", body: obj("payload", fx.QRBase), want: 200})          // unsigned
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", body: obj("payload", "not a QR code"), want: 200})    // rejected
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", body: []byte(`{"payload":"a","payload":"b"}`), want: 400, code: "bad_request"})
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", header: bearerKey("sk_unknown"), body: obj("payload", signed), want: 401, code: "unauthorized"})
		ct.do(t, x{method: "POST", path: "/v1/qr/verify", body: big, want: 413, code: "payload_too_large", breaks: true})
		ct.flood(t, x{method: "POST", path: "/v1/qr/verify", body: []byte(`{"payload":"a","payload":"b"}`)})
		ct.on(bareBase).do(t, x{method: "POST", path: "/v1/qr/verify", body: obj("payload", signed), want: 404, code: "not_found"})

		ct.do(t, x{method: "GET", path: "/v1/qr/trust", header: origin, want: 200})
		ct.flood(t, x{method: "GET", path: "/v1/qr/trust"})
		ct.on(bareBase).do(t, x{method: "GET", path: "/v1/qr/trust", want: 404, code: "not_found"})
	})

	t.Run("wallets", func(t *testing.T) {
		ct.do(t, x{method: "GET", path: "/v1/wallets", header: join(pk, origin), want: 200})
		// The edge's own frame asks without Origin.
		ct.do(t, x{method: "GET", path: "/v1/wallets", header: join(pk, hdr("Sec-Fetch-Site", "same-origin")), want: 200})
		ct.do(t, x{method: "GET", path: "/v1/wallets", header: origin, want: 401, code: "unauthorized", breaks: true})
		ct.do(t, x{method: "GET", path: "/v1/wallets", header: join(pk, hdr("Origin", "https://evil.example")), want: 403, code: "forbidden_origin"})
		ct.flood(t, x{method: "GET", path: "/v1/wallets", header: join(bearerKey("pk_unknown"), origin)})
	})

	t.Run("preflight", func(t *testing.T) {
		for _, p := range []string{"/v1/keys", "/v1/tokens", "/v1/wallets", "/v1/forward/checkout", "/v1/qr/verify", "/v1/qr/trust"} {
			ct.do(t, x{method: "OPTIONS", path: p, header: join(origin, hdr("Access-Control-Request-Method", "POST"), hdr("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")), want: 204})
			ct.do(t, x{method: "OPTIONS", path: p, header: join(hdr("Origin", "https://evil.example"), hdr("Access-Control-Request-Method", "POST")), want: 403, code: "forbidden_origin"})
			ct.do(t, x{method: "OPTIONS", path: p, header: join(origin, hdr("Access-Control-Request-Method", "DELETE")), want: 400, code: "bad_request"})
		}
	})

	t.Run("assets", func(t *testing.T) {
		dir := fx.Assets(t)
		none := hdr("Accept-Encoding", "identity;q=0, *;q=0")
		for _, name := range []string{"sealpay.js", "frame.js", "extra.js", "wallet.js", "direct.js", "qrdecode.js", "wasm_exec.js", "sealpay.wasm", "sealpay-qr.wasm", "frame.html"} {
			paths := []string{"/v1/" + name}
			if name == "frame.html" {
				paths[0] += "?key=" + shop.PK + "&origin=" + shop.Origin
				paths = append(paths, "/v1/frame.html?mode=core")
				// The wallet frame: no-store with a fresh nonce, so no 304.
				for _, m := range []string{"GET", "HEAD"} {
					ct.do(t, x{method: m, path: "/v1/frame.html?mode=wallet&key=" + shop.PK + "&origin=" + shop.Origin, want: 200})
				}
			} else {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha512.Sum384(b)
				paths = append(paths, "/v1/c/"+base64.RawURLEncoding.EncodeToString(sum[:])+"/"+name)
				wrong := sha512.Sum384(append(b, 0))
				for _, m := range []string{"GET", "HEAD"} {
					ct.do(t, x{method: m, path: "/v1/c/" + base64.RawURLEncoding.EncodeToString(wrong[:]) + "/" + name, want: 404, code: "not_found"})
				}
			}
			for _, p := range paths {
				for _, m := range []string{"GET", "HEAD"} {
					ct.do(t, x{method: m, path: p, want: 200})
					a := ct.do(t, x{method: m, path: p, header: hdr("Accept-Encoding", "gzip"), want: 200})
					ct.do(t, x{method: m, path: p, header: join(hdr("Accept-Encoding", "gzip"), hdr("If-None-Match", a.resp.Header.Get("ETag"))), want: 304})
					ct.do(t, x{method: m, path: p, header: none, want: 406, code: "not_acceptable"})
				}
			}
			for _, m := range []string{"GET", "HEAD"} {
				ct.on(bareBase).do(t, x{method: m, path: "/v1/" + name, want: 404, code: "not_found"})
			}
		}
	})

	t.Run("fallback", func(t *testing.T) {
		// Paths and methods the document does not list answer 404 with
		// the Error schema.
		for _, r := range []struct{ method, path string }{{"GET", "/v1/nothing"}, {"PUT", "/v1/tokens"}, {"GET", "/"}} {
			req, _ := http.NewRequest(r.method, base+r.path, nil)
			req.Header.Set(edgetest.ClientHeader, ct.nextClient())
			resp, err := ct.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("%s %s = %d, want 404", r.method, r.path, resp.StatusCode)
			}
			if errs := sp.validateError(b); errs != "" {
				t.Errorf("%s %s: the 404 body does not match the Error schema:%s", r.method, r.path, errs)
			}
		}
	})

	// (a) Every route the server registers is documented.
	if missing := undocumentedRoutes(sp, h.Routes()); len(missing) > 0 {
		t.Errorf("routes the edge serves that docs/openapi.yaml lacks (document them):\n\t%s", strings.Join(missing, "\n\t"))
	}
	// (b) Every documented operation and status was exercised.
	if left := unexercised(sp, ct.seen, contractExempt); len(left) > 0 {
		t.Errorf("operations and statuses of docs/openapi.yaml no case exercised (add cases):\n\t%s", strings.Join(left, "\n\t"))
	}
	// (c) The same exchanges fail against a changed document.
	t.Run("mutations", func(t *testing.T) { checkMutations(t, h.Routes(), ct) })
	fx.ScanForNumbers(t, "the contract test's exchanges", ct.all.Bytes())
	t.Logf("%d exchanges validated, %d operations of docs/openapi.yaml", len(ct.recorded), len(sp.operations()))
}

// contractExempt are the documented statuses no request from outside can
// cause on the live server: an internal error is a bug or a broken store.
var contractExempt = map[string]map[string]string{
	"*": {"500": "internal: only a bug or a failing store causes it"},
	"POST /v1/qr": {"409": "idempotency_in_progress needs a request held while it runs; " +
		"signing a QR code holds no outside call to wait on (the relay case shows the answer)"},
}

// checkMutations proves the checks can fail: changed copies of the
// document must fail on recorded exchanges and on the route list.
func checkMutations(t *testing.T, routes []string, ct *contract) {
	find := func(op string, status int) recorded {
		for _, r := range ct.recorded {
			if r.op.String() == op && r.resp.StatusCode == status {
				return r
			}
		}
		t.Fatalf("no recorded exchange for %s %d", op, status)
		return recorded{}
	}
	cases := []struct {
		name    string
		edit    func(string) string
		op      string
		status  int
		request bool // the change breaks the request, not the answer
	}{
		{"token id pattern", func(s string) string {
			return strings.Replace(s, `pattern: "^tok_[0-9A-Za-z]{22}$"`, `pattern: "^tok_[0-9]{22}$"`, 1)
		}, "POST /v1/tokens", 201, false},
		{"a required member the answer lacks", func(s string) string {
			return strings.Replace(s, "required: [token, card]\n", "required: [token, card, customer]\n", 1)
		}, "POST /v1/tokens", 201, false},
		{"error code enum without unauthorized", func(s string) string {
			return strings.Replace(s, "                        enum: [unauthorized]\n", "                        enum: [forbidden_origin]\n", 1)
		}, "POST /v1/relay", 401, false},
		{"a status the document drops", func(s string) string {
			return strings.Replace(s, "        \"409\":\n          $ref: \"#/components/responses/Conflict\"\n", "", 1)
		}, "POST /v1/tokens", 409, false},
		{"a required header the answer lacks", func(s string) string {
			return strings.Replace(s, "            Cache-Control:\n              description: Short enough", "            X-Not-Sent:\n              required: true\n              schema: {type: string}\n            Cache-Control:\n              description: Short enough", 1)
		}, "GET /v1/keys", 200, false},
		{"a request member the document does not know", func(s string) string {
			return strings.Replace(s, "        single_use:\n          $ref: \"#/components/schemas/SingleUseFlag\"\n", "        single_use_x:\n          $ref: \"#/components/schemas/SingleUseFlag\"\n", 1)
		}, "POST /v1/tokens", 201, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, _ := os.ReadFile(openAPIPath)
			if tc.edit(string(src)) == string(src) {
				t.Fatal("the edit changed nothing: update the mutation to the document")
			}
			sp := readSpec(t, tc.edit)
			var reqOK, respOK bool
			if tc.request {
				// A tokenize that sent single_use.
				for _, r := range ct.recorded {
					if r.op.String() == tc.op && r.resp.StatusCode == tc.status && bytes.Contains(r.reqBody, []byte(`"single_use"`)) {
						reqOK, respOK = r.revalidate(sp)
						break
					}
				}
				if reqOK {
					t.Errorf("the request validated against the changed document")
				}
				return
			}
			reqOK, respOK = find(tc.op, tc.status).revalidate(sp)
			if respOK {
				t.Errorf("%s %d validated against the changed document (request ok: %v)", tc.op, tc.status, reqOK)
			}
		})
	}
	t.Run("a route the document lacks", func(t *testing.T) {
		sp := readSpec(t, func(s string) string {
			return strings.Replace(s, "  /v1/relay:\n    post:\n      operationId: relay\n", "  /v1/relay-undocumented:\n    post:\n      operationId: relay\n", 1)
		})
		if got := undocumentedRoutes(sp, routes); len(got) != 1 || got[0] != "POST /v1/relay" {
			t.Errorf("undocumentedRoutes = %q, want [POST /v1/relay]", got)
		}
		if got := undocumentedRoutes(readSpec(t, nil), append(routes, "GET /v1/undocumented")); len(got) != 1 || got[0] != "GET /v1/undocumented" {
			t.Errorf("undocumentedRoutes with a new route = %q, want [GET /v1/undocumented]", got)
		}
	})
	t.Run("an operation never exercised", func(t *testing.T) {
		sp := readSpec(t, nil)
		seen := map[operation]map[string]bool{}
		for op, st := range ct.seen {
			if op.String() != "GET /healthz" {
				seen[op] = st
			}
		}
		if got := unexercised(sp, seen, contractExempt); len(got) != 1 || got[0] != "GET /healthz (never exercised)" {
			t.Errorf("unexercised = %q, want [GET /healthz (never exercised)]", got)
		}
	})
}

// contract sends the test's requests and validates them and their answers.
type contract struct {
	t        *testing.T
	sp       *spec
	fx       *edgetest.Fixture
	base     string
	hc       *http.Client
	seen     map[operation]map[string]bool
	recorded []recorded
	all      bytes.Buffer // every answer body, for the card-number scan
	clients  atomic.Int64
	parent   *contract // set for another edge's contract (on)
}

// on returns a contract for the edge at base that records into c.
func (c *contract) on(base string) *contract {
	return &contract{t: c.t, sp: c.sp, fx: c.fx, base: base, hc: c.hc, parent: c.root()}
}

// root is the contract that holds the records.
func (c *contract) root() *contract {
	if c.parent != nil {
		return c.parent
	}
	return c
}

// nextClient returns a client address no request used before
// (198.18.0.0/15, the benchmarking range), so that per-client limits
// count only a flood's requests.
func (c *contract) nextClient() string {
	n := c.root().clients.Add(1)
	return fmt.Sprintf("198.18.%d.%d", n>>8&255, n&255)
}

// x is one exchange: a request and the status (and code) it must get.
type x struct {
	method, path string
	header       http.Header
	body         []byte
	want         int
	code         string // the error code the answer must carry, if set
	// breaks says the request is meant to break the document (a missing
	// key, a member out of range): it must then fail validation.
	breaks    bool
	client    string // the client address; "" takes a fresh one
	anyStatus bool   // the status is not checked (a flood's requests before the refusal)
}

// answer is what the edge answered.
type answer struct {
	resp *http.Response
	body []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v", err)
	}
	return m
}

// do sends ex, validates the request and the answer and checks the status.
func (c *contract) do(t *testing.T, ex x) answer {
	t.Helper()
	return c.start(t, ex)()
}

// start validates and sends ex's request; the function it returns waits
// for the answer and validates it.
func (c *contract) start(t *testing.T, ex x) func() answer {
	t.Helper()
	root := c.root()
	req, err := http.NewRequest(ex.method, c.base+ex.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ex.header {
		req.Header[k] = v
	}
	if ex.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := ex.client
	if client == "" {
		client = root.nextClient()
	}
	req.Header.Set(edgetest.ClientHeader, client)
	name := redact(ex.method + " " + strings.SplitN(ex.path, "?", 2)[0])
	tpl, ok := c.sp.match(req.URL.Path)
	if !ok {
		t.Fatalf("%s: no path of the document matches", name)
	}
	op := operation{ex.method, tpl}
	reqOK, why := c.sp.validateRequest(req.Clone(context.Background()), ex.body)
	if ex.breaks && testing.Verbose() {
		t.Logf("%s breaks the document as meant:%s", name, why)
	}
	switch {
	case ex.breaks && reqOK:
		t.Errorf("%s: a request meant to break the document validated", name)
	case !ex.breaks && !reqOK:
		t.Errorf("%s: the request does not match the document:%s", name, why)
	}
	done := make(chan answer, 1)
	go func() {
		r := req.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(ex.body))
		if ex.body == nil {
			r.Body = nil
		}
		resp, err := c.hc.Do(r)
		if err != nil {
			done <- answer{}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- answer{resp, b}
	}()
	return func() answer {
		t.Helper()
		a := <-done
		if a.resp == nil {
			t.Fatalf("%s: the request failed", name)
		}
		root.all.Write(a.body)
		if !ex.anyStatus && a.resp.StatusCode != ex.want {
			t.Errorf("%s = %d, want %d (%s)", name, a.resp.StatusCode, ex.want, errCodeOf(a.body))
		}
		if ex.code != "" && ex.method != http.MethodHead && errCodeOf(a.body) != ex.code {
			t.Errorf("%s: code %q, want %q", name, errCodeOf(a.body), ex.code)
		}
		if ok, why := c.sp.validateResponse(req.Clone(context.Background()), ex.body, a.resp, a.body); !ok {
			t.Errorf("%s: the %d answer does not match the document:%s", name, a.resp.StatusCode, why)
		}
		if root.seen[op] == nil {
			root.seen[op] = map[string]bool{}
		}
		root.seen[op][statusKey(c.sp, op, a.resp.StatusCode)] = true
		root.recorded = append(root.recorded, recorded{op: op, req: req, reqBody: ex.body, resp: a.resp, respBody: a.body})
		return a
	}
}

// flood sends ex from one client address until the client limit (5 a
// minute) refuses it: the last answer must be 429 rate_limited. The
// earlier ones are checked like any answer, whatever their status.
func (c *contract) flood(t *testing.T, ex x) {
	t.Helper()
	ex.client = c.root().nextClient()
	for range 5 {
		e := ex
		e.anyStatus = true
		c.do(t, e)
	}
	ex.want, ex.code = 429, "rate_limited"
	c.do(t, ex)
}

// hdr is a one-field header.
func hdr(k, v string) http.Header { return http.Header{http.CanonicalHeaderKey(k): {v}} }

// bearerKey is an Authorization header for key.
func bearerKey(key string) http.Header { return hdr("Authorization", "Bearer "+key) }

// join merges headers.
func join(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// obj is the JSON object of alternating names and values, in order.
func obj(kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// errCodeOf returns the code of an error body, or "".
func errCodeOf(b []byte) string {
	var e struct {
		Error struct{ Code string }
	}
	json.Unmarshal(b, &e)
	return e.Error.Code
}

// editConfig rewrites the fixture's configuration file with edit.
func editConfig(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startEdge starts the native edge of the configuration at path, as
// sealpay serve does (server.Open: SQLite, migrations, assets), on a
// loopback listener.
func startEdge(t *testing.T, path string) (*edge.Handler, string) {
	t.Helper()
	cfg, err := edge.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	h, db, err := server.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}
