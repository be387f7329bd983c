//go:build !js

package edge

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sealpay/sealpay/edge/audit"
	"github.com/sealpay/sealpay/edge/sqlitedb"
	"github.com/sealpay/sealpay/sdk/envelope"
	"github.com/sealpay/sealpay/sdk/sqlunit"
)

const testConfig = `{"merchants":[{"id":"m_shop",
 "publishable_keys":["sha256:` + "%PK%" + `"],
 "secret_keys":["sha256:` + "%SK%" + `"],
 "allowed_origins":["https://shop.example"]}]}`

func newTestHandler(t *testing.T, assets fstest.MapFS) (*Handler, string, *bytes.Buffer) {
	t.Helper()
	pk, sk := NewAPIKeys()
	cfgText := strings.NewReplacer("sha256:%PK%", HashAPIKey(pk), "sha256:%SK%", HashAPIKey(sk)).Replace(testConfig)
	cfg, err := ParseConfig([]byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := envelope.GenerateKeySet()
	if err != nil {
		t.Fatal(err)
	}
	keks, err := ParseKEKs([]byte("k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.OpenSQL(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var logs bytes.Buffer
	opts := Options{Config: cfg, Keys: ks, KEKs: keks, AuditKeys: testAuditKeys(t), Store: sqlunit.OnSQL(db), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if assets != nil {
		opts.Assets = assets
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, pk, &logs
}

func TestAssets(t *testing.T) {
	assets := fstest.MapFS{
		"sealpay.js":   {Data: []byte("export {}")},
		"frame.html":   {Data: []byte("<!doctype html>")},
		"frame.js":     {Data: []byte("1")},
		"sealpay.wasm": {Data: []byte("\x00asm")},
		"wasm_exec.js": {Data: []byte("2")},
	}
	h, pk, _ := newTestHandler(t, assets)
	tests := []struct {
		path, ctype, cache string
	}{
		{"/v1/sealpay.js", "text/javascript; charset=utf-8", "max-age=300"},
		{"/v1/sealpay.js?v=1.2.3", "text/javascript; charset=utf-8", "max-age=300"}, // a query names no content
		{"/v1/sealpay.wasm?v=abc", "application/wasm", "max-age=300"},
		{"/v1/wasm_exec.js", "text/javascript; charset=utf-8", "max-age=300"},
		{"/v1/frame.js?v=1", "text/javascript; charset=utf-8", "max-age=300"},
		{"/v1/frame.html?v=1", "text/html; charset=utf-8", "no-cache"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.ctype || !strings.Contains(rec.Header().Get("Cache-Control"), tc.cache) {
				t.Errorf("GET %s = %d %q %q, want 200 %q with %q", tc.path, rec.Code, rec.Header().Get("Content-Type"),
					rec.Header().Get("Cache-Control"), tc.ctype, tc.cache)
			}
			etag := rec.Header().Get("ETag")
			rec = httptest.NewRecorder()
			r := httptest.NewRequest("GET", tc.path, nil)
			r.Header.Set("If-None-Match", etag)
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotModified {
				t.Errorf("GET %s with its ETag = %d, want 304", tc.path, rec.Code)
			}
		})
	}
	t.Run("frame CSP", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/frame.html?origin=https%3A%2F%2Fshop.example&key="+pk, nil))
		csp := rec.Header().Get("Content-Security-Policy")
		for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors https://shop.example"} {
			if !strings.Contains(csp, want) {
				t.Errorf("frame CSP %q lacks %q", csp, want)
			}
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sealpay.js", nil))
		if csp := rec.Header().Get("Content-Security-Policy"); strings.Contains(csp, "wasm-unsafe-eval") {
			t.Errorf("sealpay.js carries the frame's CSP %q", csp)
		}
	})
	t.Run("missing asset", func(t *testing.T) {
		h, _, _ := newTestHandler(t, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sealpay.js", nil))
		if rec.Code != 404 {
			t.Errorf("GET /v1/sealpay.js without assets = %d, want 404", rec.Code)
		}
	})
}

func TestPanicRecovered(t *testing.T) {
	h, _, logs := newTestHandler(t, nil)
	h.mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("4242424242424242") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/panic", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
		// Not the body: it is where the panic value would leak.
		t.Errorf("panicking route = %d (%d bytes, internal code %v), want 500 internal", rec.Code, rec.Body.Len(), strings.Contains(rec.Body.String(), `"code":"internal"`))
	}
	if strings.Contains(logs.String(), "4242424242424242") || strings.Contains(rec.Body.String(), "4242") {
		t.Error("the panic value reached the log or the answer")
	}
}

func TestParseConfigRefuses(t *testing.T) {
	h := HashAPIKey("pk_x")
	tests := []struct{ name, cfg string }{
		{"no merchants", `{"merchants":[]}`},
		{"unknown field", `{"merchants":[{"id":"m","secret_keys":["` + h + `"]}],"extra":1}`},
		{"duplicate member", `{"merchants":[],"merchants":[]}`},
		{"duplicate merchant", `{"merchants":[{"id":"m","secret_keys":["` + h + `"]},{"id":"m","secret_keys":["` + h + `"]}]}`},
		{"plain key", `{"merchants":[{"id":"m","secret_keys":["sk_live_123"]}]}`},
		{"pk without origins", `{"merchants":[{"id":"m","publishable_keys":["` + h + `"]}]}`},
		{"origin with path", `{"merchants":[{"id":"m","publishable_keys":["` + h + `"],"allowed_origins":["https://a.example/x"]}]}`},
		{"http backend", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"forward_routes":{"c":"http://backend.example/pay"}}]}`},
		{"bad route name", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"forward_routes":{"C/x":"https://b.example"}}]}`},
		{"relay hosts without routes", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_hosts":["psp.example"]}]}`},
		{"relay route host with path", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example/x","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route host upper case", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"PSP.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route method GET", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"GET","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route path without slash", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"v1/charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route path with dot segment", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/../charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route path percent-encoded", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/%63harges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route bad format", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"xml","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route bad pointer", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"card/number":["number"]}}]}]}`},
		{"relay route unknown field", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["pan"]}}]}]}`},
		{"relay route no fields", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":[]}}]}]}`},
		{"relay route empty response allow", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]},"response":{"allow":[]}}]}]}`},
		{"relay route bad response pointer", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]},"response":{"allow":["id"]}}]}]}`},
		{"relay route twice", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]}},{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]}}]}]}`},
		{"relay route unknown member", `{"merchants":[{"id":"m","secret_keys":["` + h + `"],"relay_routes":[{"method":"POST","host":"psp.example","path":"/v1/charges","format":"json","placeholders":{"/card/number":["number"]},"hosts":["x"]}]}]}`},
		{"bad limit", `{"limits":{"key_cards":{"window":"soon"}},"merchants":[{"id":"m","secret_keys":["` + h + `"]}]}`},
		{"trusted proxy not a prefix", `{"trusted_proxies":["proxy.example"],"merchants":[{"id":"m","secret_keys":["` + h + `"]}]}`},
		{"trusted proxy bad length", `{"trusted_proxies":["10.0.0.0/33"],"merchants":[{"id":"m","secret_keys":["` + h + `"]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tc.cfg)); !errors.Is(err, ErrConfig) {
				t.Errorf("ParseConfig = %v, want ErrConfig", err)
			}
		})
	}
}

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Shop.Example", "https://shop.example"},
		{"https://shop.example:443", "https://shop.example"},
		{"http://localhost:3000", "http://localhost:3000"},
		{"https://shop.example/", "https://shop.example"},
		{"null", ""},
		{"https://user@shop.example", ""},
	}
	for _, tc := range tests {
		if got, _ := normalizeOrigin(tc.in); got != tc.want {
			t.Errorf("normalizeOrigin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAssetCopies: a coding is offered only where the build wrote its copy,
// and the copy is sent as it is (the native server checks copies when it
// starts, edge/precompressed).
func TestAssetCopies(t *testing.T) {
	assets := fstest.MapFS{
		"sealpay.js":    {Data: []byte("export {}")},
		"sealpay.js.gz": {Data: []byte("gzip bytes")},
		"frame.html":    {Data: []byte("<!doctype html>")},
	}
	h, _, _ := newTestHandler(t, assets)
	for _, tc := range []struct {
		path, accept, encoding, body string
		status                       int
	}{
		{"/v1/sealpay.js", "br", "", "export {}", 200},
		{"/v1/sealpay.js", "br, gzip", "gzip", "gzip bytes", 200},
		{"/v1/sealpay.js", "gzip;q=0", "", "export {}", 200},
		{"/v1/sealpay.js", "identity;q=0, br", "", "", 406},
		// mode=core falls back to frame.html where the build has no twin.
		{"/v1/frame.html?mode=core", "", "", "<!doctype html>", 200},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Header.Set("Accept-Encoding", tc.accept)
		h.ServeHTTP(rec, r)
		if rec.Code != tc.status || rec.Header().Get("Content-Encoding") != tc.encoding || (tc.status == 200 && rec.Body.String() != tc.body) {
			t.Errorf("GET %s (Accept-Encoding %q) = %d %q %q, want %d %q %q", tc.path, tc.accept, rec.Code, rec.Header().Get("Content-Encoding"), rec.Body.String(), tc.status, tc.encoding, tc.body)
		}
	}
}

func TestRequestLog(t *testing.T) {
	for _, errorsOnly := range []bool{false, true} {
		h, _, logs := newTestHandler(t, nil)
		h.logErrorsOnly = errorsOnly
		for _, path := range []string{"/healthz", "/v1/no-such-route"} {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		}
		got := logs.String()
		ok, notFound := strings.Contains(got, "status=200"), strings.Contains(got, "status=404")
		if ok == errorsOnly || !notFound {
			t.Errorf("LogErrorsOnly %v: request lines for 200 %v, for 404 %v; want %v, true\n%s", errorsOnly, ok, notFound, !errorsOnly, got)
		}
	}
}

// testAuditKeys returns a fixed audit key.
func testAuditKeys(t testing.TB) *audit.Keys {
	t.Helper()
	ks, err := audit.ParseKeys([]byte("a1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// TestPruneAudit: PruneAudit cuts at audit_retention before the handler's
// clock, archives what it cuts, and leaves a chain that verifies.
func TestPruneAudit(t *testing.T) {
	ctx := context.Background()
	h, _, _ := newTestHandler(t, nil)
	var archive bytes.Buffer
	if res, err := h.PruneAudit(ctx, &archive); err != nil || res.Entries != 0 {
		t.Fatalf("PruneAudit without audit_retention = %+v, %v; want nothing done", res, err)
	}
	for i := range 5 { // five clients: one audited refusal each
		r := httptest.NewRequest("GET", "/v1/tokens/tok_x", nil)
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", i+1)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	h.cfg.AuditRetention = "2160h"
	if res, err := h.PruneAudit(ctx, &archive); err != nil || res.Entries != 0 {
		t.Fatalf("PruneAudit of fresh entries = %+v, %v; want nothing cut", res, err)
	}
	later := time.Now().Add(91 * 24 * time.Hour)
	h.now = func() time.Time { return later }
	res, err := h.PruneAudit(ctx, &archive)
	if err != nil || res.Entries != 5 || res.Checkpoint.Seq != 5 || res.Refusals != 5 {
		t.Fatalf("PruneAudit 91 days later = %+v, %v; want 5 entries and 5 counters cut", res, err)
	}
	if n := bytes.Count(archive.Bytes(), []byte(`"type":"entry"`)); n != 5 {
		t.Errorf("archive holds %d entries, want 5", n)
	}
	v, err := audit.Verify(ctx, h.store, h.akeys, audit.VerifyOptions{})
	if err != nil || v.Entries != 0 || v.Checkpoint != res.Checkpoint {
		t.Errorf("Verify after the cut = %+v, %v; want no entries, from checkpoint %v", v, err, res.Checkpoint)
	}
}
