package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealpay/sealpay/edge"
	"github.com/sealpay/sealpay/edge/audit"
	edgeserver "github.com/sealpay/sealpay/edge/server"
	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

func TestDefaultDemoDir(t *testing.T) {
	tests := []struct{ xdg, want string }{
		{"", ".sealpay-demo"},
		{"relative/dir", ".sealpay-demo"}, // XDG requires absolute paths
		{"/home/a/.local/share", "/home/a/.local/share/sealpay-demo"},
	}
	for _, tc := range tests {
		if got := defaultDemoDir(tc.xdg); got != tc.want {
			t.Errorf("defaultDemoDir(%q) = %q, want %q", tc.xdg, got, tc.want)
		}
	}
}

func TestFindModuleRoot(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "sealpay")
	other := filepath.Join(tmp, "other")
	for dir, mod := range map[string]string{root: "module github.com/sealpay/sealpay\n\ngo 1.26\n", other: "module example.com/other\n"} {
		if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from, want string
	}{
		{root, root},
		{filepath.Join(root, "a", "b"), root},
		{filepath.Join(other, "a"), ""},
		{tmp, ""},
	}
	for _, tc := range tests {
		got, err := findModuleRoot(tc.from)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "Sealpay checkout") {
				t.Errorf("findModuleRoot(%s) = %q, %v, want the 'run it inside a Sealpay checkout' error", tc.from, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("findModuleRoot(%s) = %q, %v, want %q", tc.from, got, err, tc.want)
		}
	}
	// This test runs in cmd/sealpay of the real checkout.
	if _, err := findModuleRoot("."); err != nil {
		t.Errorf("findModuleRoot(.) in the repository = %v", err)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestPrepareDemoDataCreatesThenReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo-data")
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	first, err := prepareDemoData(dir, now)
	if err != nil {
		t.Fatalf("first prepareDemoData = %v", err)
	}
	if !first.Created {
		t.Errorf("first run: Created = false, want true")
	}
	for _, name := range []string{"merchant.json", "edge-keys.json", "kek.secret", "registry/root.jwk", "merchant-qr.jwk"} {
		if got := mode(t, filepath.Join(dir, name)); got != 0o600 {
			t.Errorf("%s has mode %v, want 0600 (it holds a secret)", name, got)
		}
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("data directory has mode %v, want 0700", got)
	}
	gi, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil || !bytes.Contains(gi, []byte("\n*\n")) {
		t.Errorf(".gitignore = %q, %v, want one that ignores everything", gi, err)
	}
	m := first.Merchant
	if m.ID != demoMerchantID || !strings.HasPrefix(m.PublishableKey, "pk_") || !strings.HasPrefix(m.SecretKey, "sk_") {
		t.Errorf("merchant = %s, want %s with pk_ and sk_ keys", m.ID, demoMerchantID)
	}
	if v := verifyBundle(t, first, now); v.Bundle().Version != 1 || !v.Bundle().ExpiresAt.Equal(now.Add(qr.DefaultBundleTTL)) {
		t.Errorf("first trust bundle version %d expiring %v, want 1 expiring %v", v.Bundle().Version, v.Bundle().ExpiresAt, now.Add(qr.DefaultBundleTTL))
	}
	// The certificate binds the account of the base code the edge signs, so
	// the edge's codes verify without a name-only certificate.
	base, err := qr.Parse(first.qrBasePayload(), qr.Strict)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(first.Cert.Accounts), len(base.Accounts()); got != 1 || want != 1 || first.Cert.Accounts[0].Value != base.Accounts()[0].Value {
		t.Errorf("certificate accounts %+v, want the base code's %+v", first.Cert.Accounts, base.Accounts())
	}
	signed, err := qr.Sign(first.qrBasePayload(), first.QRKey, first.Cert, qr.SignOptions{Amount: "4800", Currency: "JPY", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if v := qr.Verify(signed, verifyBundle(t, first, now), qr.VerifyOptions{Now: now}); v.Status != qr.Verified {
		t.Errorf("a code the demo edge signs: %s %+v, want verified", v.Status, v.Reasons)
	}
	// The browser module pins the registry root.
	var roots []json.RawMessage
	if err := json.Unmarshal(first.QRRootsJSON, &roots); err != nil || len(roots) != 1 || bytes.ContainsAny(first.QRRootsJSON, " \n") {
		t.Errorf("QRRootsJSON = %s, want a compact JSON array of one JWK", first.QRRootsJSON)
	}

	later := now.Add(48 * time.Hour)
	second, err := prepareDemoData(dir, later)
	if err != nil {
		t.Fatalf("second prepareDemoData = %v", err)
	}
	if second.Created {
		t.Errorf("second run: Created = true, want false (reused)")
	}
	if second.Merchant != first.Merchant {
		t.Errorf("second run made a new merchant, want the first one reused")
	}
	if second.QRKey.KeyID() != first.QRKey.KeyID() || second.Cert.KeyID != first.Cert.KeyID || !second.Cert.NotAfter.Equal(first.Cert.NotAfter) {
		t.Errorf("second run replaced the QR key or certificate, want them reused")
	}
	if !bytes.Equal(second.QRRootsJSON, first.QRRootsJSON) {
		t.Errorf("second run changed the registry root")
	}
	if v := verifyBundle(t, second, later); v.Bundle().Version != 2 {
		t.Errorf("second trust bundle version = %d, want 2", v.Bundle().Version)
	}
	ks1, _ := os.ReadFile(filepath.Join(dir, "edge-keys.json"))
	if _, err := prepareDemoData(dir, later); err != nil {
		t.Fatal(err)
	}
	ks2, _ := os.ReadFile(filepath.Join(dir, "edge-keys.json"))
	if !bytes.Equal(ks1, ks2) {
		t.Errorf("the edge's key set changed between runs")
	}

	// A certificate about to expire is renewed for the same key.
	nearExpiry := first.Cert.NotAfter.Add(-24 * time.Hour)
	third, err := prepareDemoData(dir, nearExpiry)
	if err != nil {
		t.Fatal(err)
	}
	if !third.Cert.NotAfter.After(first.Cert.NotAfter) || third.Cert.KeyID != first.Cert.KeyID {
		t.Errorf("certificate near expiry: NotAfter %v, want renewed past %v for the same key", third.Cert.NotAfter, first.Cert.NotAfter)
	}
}

func verifyBundle(t *testing.T, d *demoData, now time.Time) *qr.TrustBundle {
	t.Helper()
	var roots []json.RawMessage
	json.Unmarshal(d.QRRootsJSON, &roots)
	pub, err := qr.ParsePublicKey(roots[0])
	if err != nil {
		t.Fatal(err)
	}
	tb, err := qr.LoadTrustBundle(d.TrustBundle, []ed25519.PublicKey{pub}, now)
	if err != nil {
		t.Fatalf("trust bundle does not load against the pinned root: %v", err)
	}
	return tb
}

func TestPrepareDemoDataRefusesDamage(t *testing.T) {
	tests := []struct {
		file, content string
	}{
		{"merchant.json", "{not json"},
		{"merchant.json", `{"id":"m_hikari"}`},
		{"edge-keys.json", `{"keys":[]}`},
		{"kek.secret", "no colon here\n"},
		{"registry/root.jwk", `{"kty":"OKP"}`},
		{"merchant-qr.jwk", "garbage"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := prepareDemoData(dir, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := prepareDemoData(dir, time.Now())
			if err == nil || !strings.Contains(err.Error(), filepath.Base(tc.file)) || !strings.Contains(err.Error(), "delete") {
				t.Fatalf("prepareDemoData with a damaged %s = %v, want an error naming it and saying to delete the directory", tc.file, err)
			}
			if strings.Contains(err.Error(), "sk_") || strings.Contains(err.Error(), "whsec_") {
				t.Errorf("error message holds a secret")
			}
		})
	}
}

func TestListenDemoPortTaken(t *testing.T) {
	// Find a base where five ports are free, then take the edge's.
	var base int
	var taken net.Listener
	for try := 0; try < 20 && taken == nil; try++ {
		lns, err := listenDemo("127.0.0.1", 0)
		if err != nil {
			t.Fatal(err)
		}
		p := lns[0].Addr().(*net.TCPAddr).Port
		for _, l := range lns {
			l.Close()
		}
		if p > 65000 {
			continue
		}
		probe, err := listenDemo("127.0.0.1", p)
		if err != nil {
			continue
		}
		for _, l := range probe {
			l.Close()
		}
		base = p
		taken, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1)))
		if err != nil {
			taken = nil
		}
	}
	if taken == nil {
		t.Skip("could not find five free consecutive ports")
	}
	defer taken.Close()
	_, err := listenDemo("127.0.0.1", base)
	if !errors.Is(err, errPortInUse) {
		t.Fatalf("listenDemo with a taken port = %v, want errPortInUse", err)
	}
	msg := err.Error()
	for _, want := range []string{strconv.Itoa(base + 1), "(edge)", "--port", "--port 0"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// The ports bound before the failure were released.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base)))
	if err != nil {
		t.Errorf("port %d is still held after the failure: %v", base, err)
	} else {
		ln.Close()
	}
	// And the command reports it as a JSON error with exit status 1.
	var stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Now: time.Now}
	if code := run(env, []string{"demo", "--data", t.TempDir(), "--port", strconv.Itoa(base)}); code != 1 {
		t.Errorf("sealpay demo on a taken port exited %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "--port") || errorCode(t, stderr.String()) != "bad_request" {
		t.Errorf("stderr = %q, want a bad_request error suggesting --port", stderr.String())
	}
}

func TestListenDemoFreePorts(t *testing.T) {
	lns, err := listenDemo("127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range lns {
		seen[l.Addr().String()] = true
		l.Close()
	}
	if len(lns) != len(demoRoles) || len(seen) != len(demoRoles) {
		t.Errorf("listenDemo(0) gave %d listeners on %d addresses, want %d distinct", len(lns), len(seen), len(demoRoles))
	}
}

func TestDemoUsage(t *testing.T) {
	for _, args := range [][]string{
		{"demo", "--port", "70000"},
		{"demo", "--port", "-1"},
		{"demo", "4242424242424242"},
		{"demo", "--nope"},
	} {
		env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Now: time.Now}
		if code := run(env, args); code != 2 {
			t.Errorf("sealpay %v exited %d, want 2", args, code)
		}
	}
}

// fakeRoot is a module root with stand-ins for the committed browser
// assets, so the test does not depend on js/dist.
func fakeRoot(t *testing.T) string {
	root := t.TempDir()
	dist := filepath.Join(root, "js", "dist", "browser")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sealpay.js", "frame.html", "frame.js", "qrdecode.js"} {
		if err := os.WriteFile(filepath.Join(dist, name), []byte("/* "+name+" */\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func fakeBuild(ctx context.Context, root, dst string, qrRoots []byte) error {
	if !json.Valid(qrRoots) {
		return fmt.Errorf("qrRoots is not JSON")
	}
	return os.WriteFile(filepath.Join(dst, "sealpay.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
}

// call is one HTTP call to the running demo.
func call(t *testing.T, method, url, auth, origin string, body any) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	// Failure messages name the path without its token id: the error of
	// a failed request quotes the URL.
	where := method + " " + regexp.MustCompile(`tok_[0-9A-Za-z]+`).ReplaceAllString(url, "tok_…")
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("%s: cannot make the request", where)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		t.Fatalf("%s: %v", where, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestDemoEndToEnd runs the whole demo without a browser: a card sealed in
// Go (as the hosted fields would) is tokenized at the edge, the order goes
// through the forward route to the merchant backend and is charged through
// the relay at the sample provider; then the saved card pays again, and
// the QR poster's code verifies. It checks that the card number reached
// the provider and is in no file of the data directory and no log.
func TestDemoEndToEnd(t *testing.T) {
	const number = "4242424242424242"
	dir := filepath.Join(t.TempDir(), "data")
	var stdout, stderr bytes.Buffer
	start := func() *demo {
		t.Helper()
		d, err := startDemo(context.Background(), demoConfig{Dir: dir, Port: 0, Root: fakeRoot(t), Stdout: &stdout, Stderr: &stderr, BuildModule: fakeBuild})
		if err != nil {
			t.Fatalf("startDemo = %v", err)
		}
		return d
	}
	d := start()
	defer d.Close()
	shop, edgeURL, poster := d.URLs["storefront"], d.URLs["edge"], d.URLs["QR poster"]
	m := d.Data.Merchant
	if !strings.Contains(stdout.String(), "Open "+shop+"/") || !strings.Contains(stdout.String(), "Started in ") {
		t.Errorf("banner lacks the URL to open and the start-up time:\n%s", stdout.String())
	}

	// The storefront page, its policy and the pinned snippet.
	code, page, hd := call(t, "GET", shop+"/?lang=pt-BR&currency=BRL", "", "", nil)
	sri, _ := subresourceIntegrity(filepath.Join(dir, "assets", "sealpay.js"))
	page = []byte(html.UnescapeString(string(page)))
	if code != 200 || !bytes.Contains(page, []byte(`integrity="`+sri+`"`)) || !bytes.Contains(page, []byte(edgeURL+"/v1/sealpay.js")) {
		t.Fatalf("GET storefront = %d, want the page with the snippet pinned by %s", code, sri)
	}
	if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src "+edgeURL) || strings.Contains(csp, "unsafe") {
		t.Errorf("storefront CSP = %q", csp)
	}
	for _, asset := range []string{"sealpay.js", "frame.html", "frame.js", "sealpay.wasm", "wasm_exec.js", "qrdecode.js"} {
		if asset == "wasm_exec.js" {
			continue // written by the real build only
		}
		if code, _, _ := call(t, "GET", edgeURL+"/v1/"+asset, "", "", nil); code != 200 {
			t.Errorf("GET edge /v1/%s = %d, want 200", asset, code)
		}
	}

	// Seal a card as the hosted fields would, and tokenize it.
	tokenize := func(number string) (string, map[string]any) {
		t.Helper()
		code, jwks, _ := call(t, "GET", edgeURL+"/v1/keys", "", "", nil)
		if code != 200 {
			t.Fatalf("GET /v1/keys = %d", code)
		}
		pub, err := envelope.ParsePublicKeySet(jwks)
		if err != nil {
			t.Fatal(err)
		}
		// The demo runs on the real clock: the card expires years from now.
		env, err := envelope.Seal(pub, card.Card{Number: number, ExpMonth: 12, ExpYear: time.Now().Year() + 4, CVC: "123"}, envelope.SealOptions{MerchantID: m.ID, Origin: shop})
		if err != nil {
			t.Fatal(err)
		}
		code, b, _ := call(t, "POST", edgeURL+"/v1/tokens", m.PublishableKey, shop, map[string]string{"envelope": env})
		var ans struct {
			Token string         `json:"token"`
			Card  map[string]any `json:"card"`
		}
		json.Unmarshal(b, &ans)
		if code != 201 || !strings.HasPrefix(ans.Token, "tok_") {
			var e struct{ Error struct{ Code string } }
			json.Unmarshal(b, &e)
			t.Fatalf("POST /v1/tokens = %d %q (%d bytes), want 201 and a token", code, e.Error.Code, len(b))
		}
		return ans.Token, ans.Card
	}
	forward := func(route string, body map[string]any) (int, map[string]any) {
		t.Helper()
		body["request_id"] = rand.Text()
		code, b, _ := call(t, "POST", edgeURL+"/v1/forward/"+route, m.PublishableKey, shop, body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return code, out
	}

	tok, meta := tokenize(number)
	code, rc := forward("checkout", map[string]any{"product": "matcha-bowl", "currency": "BRL", "locale": "pt-BR", "token": tok, "save_card": true})
	if code != 200 || rc["status"] != "approved" || rc["amount_decimal"] != "189.90" {
		t.Fatalf("checkout = %d %v, want approved R$ 189.90", code, rc)
	}
	rcCard := rc["card"].(map[string]any)
	if rcCard["brand"] != "visa" || rcCard["last4"] != "4242" || rcCard["fingerprint"] != meta["fingerprint"] {
		t.Errorf("receipt card = %v, want visa 4242 with the token's fingerprint", rcCard)
	}
	customer := rc["customer"].(string)
	savedID := rc["saved_card"].(map[string]any)["id"]

	// The returning shopper pays with the saved card: same fingerprint.
	code, list := forward("cards", map[string]any{"customer": customer})
	if code != 200 || len(list["cards"].([]any)) != 1 {
		t.Fatalf("cards = %d %v, want the saved card", code, list)
	}
	code, rc2 := forward("checkout", map[string]any{"product": "matcha-bowl", "currency": "JPY", "locale": "ja", "customer": customer, "saved_card": savedID})
	if code != 200 || rc2["paid_with_saved"] != true || rc2["card"].(map[string]any)["fingerprint"] != meta["fingerprint"] {
		t.Fatalf("pay again = %d %v, want approved with the same fingerprint", code, rc2)
	}

	// A declined card: the page gets the decline code, the token is gone.
	declined, _ := tokenize("4000000000000002")
	code, out := forward("checkout", map[string]any{"product": "matcha-bowl", "currency": "USD", "token": declined, "save_card": true})
	if code != http.StatusPaymentRequired || out["decline_code"] != "card_declined" {
		t.Errorf("declined checkout = %d %v, want 402 card_declined", code, out)
	}
	if code, _, _ := call(t, "GET", edgeURL+"/v1/tokens/"+declined, m.SecretKey, "", nil); code != 404 {
		t.Errorf("the declined card's token still exists (GET = %d), want it deleted", code)
	}

	// The QR poster: the edge signs a code that verifies against the
	// registry's bundle, and the poster page is served.
	code, b, _ := call(t, "POST", edgeURL+"/v1/qr", m.SecretKey, "", map[string]string{"amount": "5500", "currency": "JPY", "reference": "ord_TEST"})
	var signed struct{ Payload string }
	json.Unmarshal(b, &signed)
	if code/100 != 2 || signed.Payload == "" {
		t.Fatalf("POST /v1/qr = %d %s", code, b)
	}
	tb := verifyBundle(t, d.Data, time.Now())
	if v := qr.Verify(signed.Payload, tb, qr.VerifyOptions{Lang: "es"}); v.Status != qr.Verified || v.Merchant != demoMerchantName {
		t.Errorf("the poster's code verifies as %s (%v), want verified %s", v.Status, v.Reasons, demoMerchantName)
	}
	if code, _, _ := call(t, "POST", edgeURL+"/v1/qr", m.PublishableKey, "", map[string]string{"amount": "1", "currency": "JPY"}); code != 401 {
		t.Errorf("POST /v1/qr with the publishable key = %d, want 401", code)
	}
	if code, page, _ := call(t, "GET", poster+"/?lang=es", "", "", nil); code != 200 || !bytes.Contains(page, []byte("Cartel con QR firmado")) {
		t.Errorf("GET poster = %d, want the Spanish page", code)
	}
	if code, _, _ := call(t, "GET", edgeURL+"/v1/qr/trust", "", "", nil); code != 200 {
		t.Errorf("GET /v1/qr/trust = %d, want 200", code)
	}

	// Graceful shutdown, then where the card number went.
	if err := d.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, err := http.Get(shop + "/"); err == nil {
		t.Errorf("the storefront still answers after Close")
	}
	// The provider approves only a whole, Luhn-valid number; its log keeps
	// the last four and a MAC under a key of its own process, never a
	// plain hash of the number, which would give the number back.
	sum := sha256.Sum256([]byte(number))
	charges, _ := os.ReadFile(filepath.Join(dir, "logs", "provider-charges.jsonl"))
	if bytes.Contains(charges, []byte(hex.EncodeToString(sum[:]))) {
		t.Errorf("the provider's log holds the card number's SHA-256")
	}
	approved := 0
	for _, line := range bytes.Split(bytes.TrimSpace(charges), []byte("\n")) {
		var c samplepsp.Charge
		if json.Unmarshal(line, &c) == nil && c.Status == samplepsp.StatusApproved && c.Last4 == number[len(number)-4:] && len(c.NumberMAC) == 64 {
			approved++
		}
	}
	if approved != 2 {
		t.Errorf("the provider received the card %d times through the relay, want 2", approved)
	}
	requests, _ := os.ReadFile(filepath.Join(dir, "logs", "backend-requests.jsonl"))
	if !bytes.Contains(requests, []byte(tok)) {
		t.Errorf("the backend's request log lacks the token: the check below would prove nothing")
	}
	scanForCard(t, dir, number)
	// The audit log, in the vault's database, holds an intact chain.
	db, err := edgeserver.OpenSQLite(context.Background(), filepath.Join(dir, "vault.db"))
	if err != nil {
		t.Fatal(err)
	}
	akeys, err := edgeserver.ReadAuditKeys(&edge.Config{AuditKeyFile: filepath.Join(dir, "audit.secret")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := audit.Verify(context.Background(), sqlunit.OnSQL(db), akeys, audit.VerifyOptions{})
	db.Close()
	if err != nil || res.Entries < 8 {
		t.Errorf("audit.Verify = %d entries, %v; want an intact chain of at least 8", res.Entries, err)
	}
	for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
		if strings.Contains(out, number) || strings.Contains(out, tok) {
			t.Errorf("the demo's %s holds the card number or a token", name)
		}
	}

	// The next run reuses the data: same merchant, the saved card is there.
	d2 := start()
	defer d2.Close()
	if d2.Data.Created || d2.Data.Merchant != m {
		t.Errorf("second start: Created %v, want the data reused", d2.Data.Created)
	}
	edgeURL, shop = d2.URLs["edge"], d2.URLs["storefront"]
	if code, list := forward("cards", map[string]any{"customer": customer}); code != 200 || len(list["cards"].([]any)) != 1 {
		t.Errorf("saved cards after a restart = %d %v, want the card", code, list)
	}
}

// scanForCard fails if any file under dir holds number, in any grouping.
func scanForCard(t *testing.T, dir, number string) {
	t.Helper()
	forms := []string{number, number[:4] + " " + number[4:8] + " " + number[8:12] + " " + number[12:], number[:12]}
	scanned := 0
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("reading %s: %v", path, err)
			return nil
		}
		scanned++
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				t.Errorf("%s holds the card number (%d characters of it)", path, len(f))
			}
		}
		return nil
	})
	if scanned < 5 {
		t.Errorf("scanned %d files, want the vault, its WAL, the logs and the keys", scanned)
	}
}

// TestDemoInterruptedDuringBuild: Ctrl-C while the browser module builds
// stops with a clear message and releases the ports.
func TestDemoInterruptedDuringBuild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	building := make(chan struct{})
	go func() { <-building; cancel() }()
	_, err := startDemo(ctx, demoConfig{
		Dir: t.TempDir(), Port: 0, Root: fakeRoot(t), Stdout: io.Discard, Stderr: io.Discard,
		BuildModule: func(ctx context.Context, root, dst string, qrRoots []byte) error {
			close(building)
			<-ctx.Done()
			return ctx.Err()
		},
	})
	if err == nil || !strings.Contains(err.Error(), "interrupted while building") {
		t.Fatalf("startDemo cancelled during the build = %v, want the interrupted message", err)
	}
}

// TestDemoDataDirInUse: a second demo on the same data directory stops
// before building, saying why.
func TestDemoDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	root := fakeRoot(t)
	d, err := startDemo(context.Background(), demoConfig{Dir: dir, Root: root, Stdout: io.Discard, Stderr: io.Discard, BuildModule: fakeBuild})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	built := false
	_, err = startDemo(context.Background(), demoConfig{Dir: dir, Root: root, Stdout: io.Discard, Stderr: io.Discard,
		BuildModule: func(context.Context, string, string, []byte) error { built = true; return nil }})
	if err == nil || !strings.Contains(err.Error(), "another sealpay demo") || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("second demo on the same directory = %v, want the 'another sealpay demo … --data' error", err)
	}
	if built {
		t.Errorf("the second demo built the browser module before failing")
	}
}

// TestDemoOrigin: --origin takes an origin and nothing else.
func TestDemoOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://localhost:5173", "http://localhost:5173"},
		{"http://127.0.0.1:4173/", "http://127.0.0.1:4173"},
		{"https://shop.example", "https://shop.example"},
		{"localhost:5173", ""},
		{"ftp://localhost", ""},
		{"http://localhost:5173/checkout", ""},
		{"http://localhost:5173/?a=1", ""},
		{"http://user@localhost:5173", ""},
		{"http://", ""},
		{"", ""},
	} {
		got, err := demoOrigin(tc.in)
		if tc.want == "" {
			if err == nil || !errors.Is(err, errUsage) {
				t.Errorf("demoOrigin(%q) = %q, %v; want a usage error", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("demoOrigin(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestDemoExtraOrigin: an --origin page may frame the card fields and
// call the edge; another origin may not. The banner prints the
// publishable key such a page needs.
func TestDemoExtraOrigin(t *testing.T) {
	const extra = "http://localhost:5173"
	var stdout bytes.Buffer
	d, err := startDemo(context.Background(), demoConfig{Dir: t.TempDir(), Root: fakeRoot(t), Origins: []string{extra}, Stdout: &stdout, Stderr: io.Discard, BuildModule: fakeBuild})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pk := d.Data.Merchant.PublishableKey
	if !strings.Contains(stdout.String(), pk) || !strings.Contains(stdout.String(), "also allowed: "+extra) {
		t.Errorf("banner lacks the publishable key or the extra origin:\n%s", stdout.String())
	}
	for _, tc := range []struct {
		origin string
		framed bool
	}{{extra, true}, {"http://localhost:5174", false}} {
		frame := d.URLs["edge"] + "/v1/frame.html?" + neturl.Values{"origin": {tc.origin}, "key": {pk}, "channel": {"abcdef0123456789"}, "mode": {"card"}, "locale": {"en"}}.Encode()
		_, _, hd := call(t, "GET", frame, "", "", nil)
		csp := hd.Get("Content-Security-Policy")
		if got := strings.Contains(csp, "frame-ancestors "+tc.origin); got != tc.framed {
			t.Errorf("frame.html for %s: CSP %q, want framed=%v", tc.origin, csp, tc.framed)
		}
		_, _, hd = call(t, "GET", d.URLs["edge"]+"/v1/keys?key="+pk, "", tc.origin, nil)
		if got := hd.Get("Access-Control-Allow-Origin") == tc.origin; got != tc.framed {
			t.Errorf("GET /v1/keys from %s: Access-Control-Allow-Origin %q, want allowed=%v", tc.origin, hd.Get("Access-Control-Allow-Origin"), tc.framed)
		}
	}
}
