// Package edgetest is the edge's HTTP test suite, written once and run
// against both homes: the native server (sealpay serve on SQLite) and the
// Worker under wrangler dev (D1). Build a [Fixture] with [NewFixture],
// start an edge from its configuration, then call [Run] with the edge's
// base URL.
package edgetest

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/wallet/applepay"
	"github.com/sealpay/sealpay/sdk/wallet/applepay/applepaytest"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay"
	"github.com/sealpay/sealpay/sdk/wallet/googlepay/googlepaytest"
)

//go:embed testdata/cards.json
var cardsJSON []byte

// TestCard is a published test card number.
type TestCard struct {
	Brand  string `json:"brand"`
	Number string `json:"number"`
	CVC    string `json:"cvc"`
}

// Cards returns the published test cards of testdata/cards.json.
func Cards() []TestCard {
	var doc struct{ Cards []TestCard }
	if err := json.Unmarshal(cardsJSON, &doc); err != nil || len(doc.Cards) == 0 {
		panic("edgetest: testdata/cards.json is unreadable")
	}
	return doc.Cards
}

// Merchant holds one test merchant's plaintext API keys.
type Merchant struct {
	ID, PK, SK, Origin string
}

// ClientHeader is the request header the fixture's configuration trusts
// for the client address, so one loopback test can play many clients.
const ClientHeader = "X-Sealpay-Test-Client"

// Fixture is a configured edge's world: a config directory (config.json,
// keys.json, kek.secret), two merchants, and loopback stand-ins for the
// merchant backend and the payment provider.
type Fixture struct {
	Dir        string // holds config.json, keys.json, kek.secret, sealpay.db
	ConfigPath string
	Shop       Merchant // the merchant under test
	Other      Merchant // another merchant, for isolation checks
	Backend    *Recorder
	Provider   *Recorder
	Elsewhere  *Recorder // a host on nobody's allowlist
	Secret     string    // the shop's forward signing secret
	QRBase     string    // the shop's static EMVCo payload
	// Reencodes marks a home whose platform re-encodes answers for the
	// client (a Worker: Cloudflare hands it "br, gzip" for any
	// Accept-Encoding and transcodes; wrangler dev takes the first coding
	// the client lists, drops Content-Length and answers 415 where the
	// client accepts no coding). The asset checks then hold it to what
	// reaches the client: an acceptable coding of the built bytes.
	Reencodes bool

	// Google is the stand-in for Google that makes the suite's Google
	// Pay tokens; its root key is the edge's configured root key.
	Google *googlepaytest.Google
	// GooglePayKeys are the merchants' Google Pay keys the edge holds.
	GooglePayKeys *googlepay.KeySet
	// Apple is the stand-in for Apple that makes the suite's Apple Pay
	// tokens; the edge trusts its root (apple_pay.unsafe_test_root_pem)
	// instead of Apple's.
	Apple *applepaytest.Apple
	// ApplePayKeys are the merchants' payment processing keys, as the
	// edge holds them (apple-pay-keys.json), and their private halves for
	// the stand-in to encrypt to.
	ApplePayKeys                      *applepay.KeySet
	ApplePayShopKey, ApplePayOtherKey *applepaytest.MerchantKey

	numbers sync.Map     // every card number the suite sent
	secrets sync.Map     // every wallet cryptogram the suite sent
	live    atomic.Int64 // tokens that should be in the vault

	idemSeq atomic.Int64 // numbers the provider's /v1/idem answers
	holdMu  sync.Mutex
	hold    chan struct{} // a provider request with X-Hold waits for it to close
}

// Hold makes the stand-in provider hold every request that carries an
// X-Hold header until release is called (or 15 s pass).
func (fx *Fixture) Hold() (release func()) {
	ch := make(chan struct{})
	fx.holdMu.Lock()
	fx.hold = ch
	fx.holdMu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// waitHold waits until the current hold is released.
func (fx *Fixture) waitHold() {
	fx.holdMu.Lock()
	ch := fx.hold
	fx.holdMu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
	}
}

// LiveTokens is how many tokens the suite expects the vault to hold:
// every 201 minus every delete. Compare it with the vault's row count to
// show that refused requests stored nothing.
func (fx *Fixture) LiveTokens() int64 { return fx.live.Load() }

// NewFixture writes a fresh configuration into a temporary directory and
// starts the loopback backend and provider.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	dir := t.TempDir()
	fx := &Fixture{Dir: dir, ConfigPath: filepath.Join(dir, "config.json")}
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	if err := envelope.WriteKeySetFile(filepath.Join(dir, "keys.json"), ks); err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	kek := "k1:" + base64.StdEncoding.EncodeToString(secret) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "kek.secret"), []byte(kek), 0o600); err != nil {
		t.Fatal(err)
	}
	rand.Read(secret)
	if err := os.WriteFile(filepath.Join(dir, "audit.secret"), []byte("a1:"+base64.StdEncoding.EncodeToString(secret)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.Secret = "whsec_" + rand.Text()
	fx.Backend = newRecorder(t, fx.backend)
	fx.Provider = newRecorder(t, fx.provider)
	fx.Elsewhere = newRecorder(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(http.StatusTeapot)
	})
	qrShop := fx.writeRegistry(t)
	fx.writeGooglePay(t)
	fx.writeApplePay(t)
	pk, sk := edge.NewAPIKeys()
	fx.Shop = Merchant{ID: "m_shop", PK: pk, SK: sk, Origin: "https://shop.example"}
	pk, sk = edge.NewAPIKeys()
	fx.Other = Merchant{ID: "m_other", PK: pk, SK: sk, Origin: "https://other.example"}
	cfg := map[string]any{
		"database":             "sealpay.db",
		"keys_file":            "keys.json",
		"kek_file":             "kek.secret",
		"audit_key_file":       "audit.secret",
		"client_ip_header":     ClientHeader,
		"trusted_proxies":      []string{"127.0.0.0/8", "::1"},
		"trust_bundle_file":    "trust.json",
		"qr_root_files":        []string{"root.pub.jwk"},
		"assets_dir":           "assets", // built on first use: Fixture.Assets
		"purge":                map[string]any{"single_use_ttl": SingleUseTTL.String()},
		"google_pay":           map[string]any{"environment": "TEST", "root_keys_file": "google-root-keys.json"},
		"google_pay_keys_file": "google-pay-keys.json",
		"apple_pay":            map[string]any{"unsafe_test_root_pem": string(fx.Apple.RootPEM())},
		"apple_pay_keys_file":  "apple-pay-keys.json",
		"merchants": []map[string]any{{
			"id":                  fx.Shop.ID,
			"publishable_keys":    []string{edge.HashAPIKey(fx.Shop.PK)},
			"secret_keys":         []string{edge.HashAPIKey(fx.Shop.SK)},
			"allowed_origins":     []string{fx.Shop.Origin, "http://localhost:3000"},
			"forward_routes":      map[string]string{"checkout": fx.Backend.URL + "/checkout", "refund": fx.Backend.URL + "/refund?kind=full", "down": "http://127.0.0.1:1/down"},
			"relay_routes":        fx.shopRelayRoutes(),
			"signing_secret":      fx.Secret,
			"allow_loopback_http": true,
			"qr":                  qrShop,
			"google_pay":          map[string]any{"merchant_id": GooglePayShopID, "merchant_name": "Shop Example", "allowed_card_networks": []string{"VISA", "MASTERCARD", "AMEX"}},
			"apple_pay":           map[string]any{"merchant_identifier": ApplePayShopID, "supported_networks": []string{"visa", "masterCard", "amex"}},
		}, {
			"id":               fx.Other.ID,
			"publishable_keys": []string{edge.HashAPIKey(fx.Other.PK)},
			"secret_keys":      []string{edge.HashAPIKey(fx.Other.SK)},
			"allowed_origins":  []string{fx.Other.Origin},
			"relay_routes": []map[string]any{{"method": "POST", "host": fx.Elsewhere.Host, "path": "/charge", "format": "json",
				"placeholders": map[string][]string{"/n": {"number"}}}},
			"allow_loopback_http": true,
			"google_pay":          map[string]any{"merchant_id": GooglePayOtherID, "merchant_name": "Other Example"},
			"apple_pay":           map[string]any{"merchant_identifier": ApplePayOtherID},
		}},
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(fx.ConfigPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return fx
}

// shopRelayRoutes are the shop's relay routes, all to the stand-in
// provider: where the suite's templates put card data, and nowhere else.
func (fx *Fixture) shopRelayRoutes() []map[string]any {
	route := func(method, path, format string, placeholders map[string][]string) map[string]any {
		return map[string]any{"method": method, "host": fx.Provider.Host, "path": path, "format": format, "placeholders": placeholders}
	}
	charges := route("POST", "/v1/charges", "json", map[string][]string{
		"/source/number": {"number"}, "/source/exp": {"exp_month", "exp_year"}, "/source/cvc": {"cvc"},
		"/number": {"number"}, "/n": {"number"}, "/cvc": {"cvc"},
		"/a": {"number"}, "/a_cvc": {"cvc"}, "/b": {"number", "cvc"},
	})
	confirm := route("POST", "/v1/charges/{id}/confirm", "json", map[string][]string{"/n": {"number"}})
	confirm["response"] = map[string]any{"allow": []string{"/id", "/status"}}
	return []map[string]any{
		charges,
		confirm,
		route("POST", "/redirect", "json", map[string][]string{"/n": {"number"}}),
		route("POST", "/v1/customers", "json", map[string][]string{"/card/number": {"number"}, "/card/cvc": {"cvc"}}),
		route("POST", "/v1/echo", "json", map[string][]string{"/number": {"number"}, "/cvc": {"cvc"}}),
		route("POST", "/v1/gzip", "json", map[string][]string{"/n": {"number"}}),
		route("POST", "/v1/form", "form", map[string][]string{"card[number]": {"number"}, "card[cvc]": {"cvc"}}),
		route("POST", "/v1/idem", "json", map[string][]string{"/n": {"number"}, "/cvc": {"cvc"}}),
		route("POST", "/v1/wallet_echo", "json", map[string][]string{"/cryptogram": {"cryptogram"}}),
		route("POST", "/v1/wallet_charges", "json", map[string][]string{
			"/n": {"number"}, "/exp": {"exp_month", "exp_year"}, "/cryptogram": {"cryptogram"}, "/eci": {"eci"},
		}),
	}
}

// writeRegistry makes a QR registry — a root, a certified key for the
// shop, a signed trust bundle — and returns the shop's "qr" configuration.
func (fx *Fixture) writeRegistry(t testing.TB) map[string]any {
	t.Helper()
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := qr.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	// The shop's Pix account: its static code pays into it, and its
	// certificate binds it (sdk/qr refuses certificates without accounts).
	pix := qr.Object{ID: "26", Children: []qr.Object{{ID: "00", Value: "br.gov.bcb.pix"}, {ID: "01", Value: "shop@example.com"}}}
	now := time.Now()
	cert, err := root.Certify(qr.Certificate{MerchantID: "m_shop", Name: "Shop Example", Names: []string{"SHOP EXAMPLE"}, Accounts: []qr.Object{pix},
		Domains: []string{"shop.example"}, PublicKey: mk.Public(), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: now, Certificates: []qr.Certificate{*cert}})
	if err != nil {
		t.Fatal(err)
	}
	certJSON, _ := json.Marshal(cert)
	for name, b := range map[string][]byte{
		"trust.json": bundle, "root.pub.jwk": root.PublicJWK(), "shop-qr.jwk": mk.ExportPrivateJWK(), "shop-cert.json": certJSON,
	} {
		if err := os.WriteFile(filepath.Join(fx.Dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A static Pix code, as a bank would issue it (EMVCo MPM objects).
	base, err := qr.Build([]qr.Object{
		{ID: "00", Value: "01"},
		pix,
		{ID: "52", Value: "0000"}, {ID: "53", Value: "986"}, {ID: "58", Value: "BR"},
		{ID: "59", Value: "SHOP EXAMPLE"}, {ID: "60", Value: "SAO PAULO"},
		{ID: "62", Children: []qr.Object{{ID: "05", Value: "***"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	fx.QRBase = base
	return map[string]any{"key_file": "shop-qr.jwk", "certificate_file": "shop-cert.json", "base_payload": base}
}

// The Google merchant ids of the fixture's merchants.
const (
	GooglePayShopID  = "BCR2DN4TSHOP0001"
	GooglePayOtherID = "BCR2DN4TOTHER002"
)

// writeGooglePay makes the stand-in for Google, writes its root key file
// and a Google Pay key set with a key for each merchant.
func (fx *Fixture) writeGooglePay(t testing.TB) {
	t.Helper()
	g, err := googlepaytest.New()
	if err != nil {
		t.Fatal(err)
	}
	fx.Google = g
	ks := googlepay.NewKeySet()
	for _, mid := range []string{"m_shop", "m_other"} {
		if _, err := ks.Add(mid); err != nil {
			t.Fatal(err)
		}
	}
	fx.GooglePayKeys = ks
	b, err := ks.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.Dir, "google-pay-keys.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.Dir, "google-root-keys.json"), g.RootKeysJSON(time.Now().Add(365*24*time.Hour)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// DevVars returns the .dev.vars file for running the fixture's edge under
// wrangler dev: the configuration, key set and KEK as Worker secrets.
func (fx *Fixture) DevVars() ([]byte, error) {
	return server.DevVars(fx.ConfigPath)
}

// Numbers returns every card number the suite has sent so far, and the
// published test cards.
func (fx *Fixture) Numbers() []string {
	var out []string
	fx.numbers.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	for _, c := range Cards() {
		out = append(out, c.Number)
	}
	return out
}

// ScanForNumbers fails t if any card number the suite used appears in b
// (as digits, or grouped by spaces or dashes), or any wallet cryptogram
// (as sent, or in the base64 URL alphabet). where names b in the
// message; the number itself is never printed.
func (fx *Fixture) ScanForNumbers(t testing.TB, where string, b []byte) {
	t.Helper()
	for _, n := range fx.Numbers() {
		for _, form := range []string{n, group(n, " "), group(n, "-")} {
			if bytes.Contains(b, []byte(form)) {
				t.Errorf("%s contains a card number (brand prefix %s…, %d digits)", where, n[:1], len(n))
				break
			}
		}
	}
	fx.secrets.Range(func(k, _ any) bool {
		s := k.(string)
		url := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(s), "=")
		if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(url)) {
			t.Errorf("%s contains a wallet cryptogram (%d characters)", where, len(s))
		}
		return true
	})
}

func group(n, sep string) string {
	var parts []string
	for len(n) > 4 {
		parts = append(parts, n[:4])
		n = n[4:]
	}
	return strings.Join(append(parts, n), sep)
}

// Recorder is a loopback HTTP server that records what it receives.
type Recorder struct {
	*httptest.Server
	Host string // host:port

	mu   sync.Mutex
	reqs []Received
}

// Received is one request a Recorder got.
type Received struct {
	Method, Path string
	Target       string // the request target as received: escaped path and query
	Header       http.Header
	Body         []byte
}

func newRecorder(t testing.TB, answer func(http.ResponseWriter, *http.Request, []byte)) *Recorder {
	rec := &Recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, Received{r.Method, r.URL.Path, r.RequestURI, r.Header.Clone(), body})
		rec.mu.Unlock()
		answer(w, r, body)
	}))
	t.Cleanup(rec.Close)
	rec.Host = strings.TrimPrefix(rec.URL, "http://")
	return rec
}

// Count returns how many requests for path the recorder has received.
func (r *Recorder) Count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if q.Path == path {
			n++
		}
	}
	return n
}

// Requests returns a copy of everything received so far.
func (r *Recorder) Requests() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.reqs...)
}

// All returns every received header and body, for scanning.
func (r *Recorder) All() []byte {
	var buf bytes.Buffer
	for _, q := range r.Requests() {
		fmt.Fprintf(&buf, "%s %s\n", q.Method, q.Path)
		q.Header.Write(&buf)
		buf.Write(q.Body)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// backend is the merchant backend: it checks the signature and answers
// with what it got; {"want_status": N} picks the status.
func (fx *Fixture) backend(w http.ResponseWriter, r *http.Request, body []byte) {
	ok := VerifySignature(fx.Secret, r.Header.Get("Sealpay-Signature"), body) &&
		VerifySignatureV2(fx.Secret, r.Header.Get("Sealpay-Signature"), r.Method, r.Header.Get("Sealpay-Route"), r.RequestURI, r.Header.Get("Sealpay-Tokens"), body)
	var req struct {
		WantStatus int `json:"want_status"`
	}
	json.Unmarshal(body, &req)
	status := http.StatusOK
	if req.WantStatus != 0 {
		status = req.WantStatus
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_backend_1")
	w.Header().Set("Set-Cookie", "session=backend") // must not reach the browser
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"signature_ok":%t,"received":%s}`, ok, body)
}

// provider is the payment provider, a stand-in for one outside our
// system: it echoes the body it got, card numbers included, as real
// providers sometimes do in errors. A request with an X-Hold header waits
// for [Fixture.Hold]'s release. It compresses its answer with gzip
// when the request accepts gzip, as HTTP servers do; /v1/gzip compresses
// whatever the request accepts; /v1/echo echoes the card number and CVC
// in the spellings a provider's stored free text or error message may
// use (see echoForms). A request whose Accept-Charset names UTF-16 gets
// its answer in UTF-16LE.
func (fx *Fixture) provider(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Path == "/redirect" {
		http.Redirect(w, r, fx.Elsewhere.URL+"/stolen", http.StatusFound)
		return
	}
	if r.Header.Get("X-Hold") != "" {
		fx.waitHold()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_psp_1")
	var answer []byte
	switch r.URL.Path {
	case "/v1/echo":
		var got struct{ Number, CVC string }
		json.Unmarshal(body, &got)
		answer = []byte(`{"id":"ch_echo","numbers":[` + strings.Join(EchoForms(got.Number), ",") +
			`],"cvcs":[` + strings.Join(EchoCVCForms(got.CVC), ",") + `]}`)
	case "/v1/wallet_echo":
		// A provider (stand-in) that echoes a cryptogram in the forms
		// providers use besides the one sent: without base64 padding, and
		// as the hex of its bytes.
		var got struct{ Cryptogram string }
		json.Unmarshal(body, &got)
		raw, _ := base64.StdEncoding.DecodeString(got.Cryptogram)
		answer = fmt.Appendf(nil, `{"id":"ch_wallet","unpadded":%q,"hex":%q,"HEX":%q}`,
			strings.TrimRight(got.Cryptogram, "="), hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw)))
	case "/v1/idem":
		// Each answer is new: a replayed one is recognised by its id.
		echo, _ := json.Marshal(string(body))
		answer = fmt.Appendf(nil, `{"id":"ch_idem_%d","status":"succeeded","echo":%s}`, fx.idemSeq.Add(1), echo)
	default:
		echo, _ := json.Marshal(string(body))
		answer = fmt.Appendf(nil, `{"id":"ch_1","status":"succeeded","echo":%s}`, echo)
	}
	if strings.Contains(strings.ToLower(r.Header.Get("Accept-Charset")), "utf-16") {
		// As frameworks that honour Accept-Charset do.
		u := utf16.Encode([]rune(string(answer)))
		answer = make([]byte, 0, 2*len(u))
		for _, c := range u {
			answer = append(answer, byte(c), byte(c>>8))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-16le")
	}
	if r.URL.Path == "/v1/gzip" || strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(answer)
		zw.Close()
		answer = buf.Bytes()
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Write(answer)
}

// EchoForms returns JSON strings (as JSON text) that spell number the
// ways a provider's echo may: grouped by '.', '/', '_', double spaces,
// '+' and %20, JSON-escaped, in full-width digits, and in base64.
func EchoForms(number string) []string {
	var esc, wide strings.Builder
	for _, c := range number {
		fmt.Fprintf(&esc, `\u%04x`, c)
		wide.WriteRune(c - '0' + '\uff10')
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return []string{
		q(group(number, ".")), q(group(number, "/")), q(group(number, "_")), q(group(number, "  ")),
		q(group(number, "+")), q(group(number, "%20")), `"` + esc.String() + `"`, q(wide.String()),
		q(base64.StdEncoding.EncodeToString([]byte(number))),
		q(base64.StdEncoding.EncodeToString([]byte(`{"description":"` + number + `"}`))),
	}
}

// EchoCVCForms returns JSON strings that hold cvc where neither quotes
// nor '=' delimit it.
func EchoCVCForms(cvc string) []string {
	return []string{`"CVC` + cvc + `x"`, `"cvc ` + cvc + ` ok"`}
}

// VerifySignatureV2 checks the v2 value of a Sealpay-Signature header,
// HMAC-SHA256(secret, "sealpay/forward/v2" LF t LF method LF route LF
// target LF tokens LF body) as docs/edge-api.md defines it, independently
// of the edge's code.
func VerifySignatureV2(secret, header, method, route, target, tokens string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v2":
			sig = v
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || sig == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "sealpay/forward/v2\n%s\n%s\n%s\n%s\n%s\n%s", ts, method, route, target, tokens, body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// VerifySignature checks a Sealpay-Signature header
// (t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>), independently
// of the edge's code.
func VerifySignature(secret, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%s.%s", ts, body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

// The Apple merchant identifiers of the fixture's merchants.
const (
	ApplePayShopID  = "merchant.example.shop.sealpay"
	ApplePayOtherID = "merchant.example.other.sealpay"
)

// writeApplePay makes the stand-in for Apple and writes the Apple Pay key
// set: the shop's key with the payment processing certificate the stand-in
// issued (the merchant identifier comes from it), the other merchant's key
// alone (its merchant identifier comes from the configuration).
func (fx *Fixture) writeApplePay(t testing.TB) {
	t.Helper()
	a, err := applepaytest.New(applepaytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fx.Apple = a
	ks := applepay.NewKeySet()
	for _, k := range []struct {
		mid, appleID string
		cert         bool
		dst          **applepaytest.MerchantKey
	}{{"m_shop", ApplePayShopID, true, &fx.ApplePayShopKey}, {"m_other", ApplePayOtherID, false, &fx.ApplePayOtherKey}} {
		mk, err := applepaytest.GenerateMerchantKey()
		if err != nil {
			t.Fatal(err)
		}
		var certPEM []byte
		if k.cert {
			if certPEM, err = a.Certificate(mk, k.appleID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ks.AddPEM(k.mid, mk.PEM(), certPEM, time.Now()); err != nil {
			t.Fatal(err)
		}
		*k.dst = mk
	}
	fx.ApplePayKeys = ks
	b, err := ks.MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fx.Dir, "apple-pay-keys.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}
