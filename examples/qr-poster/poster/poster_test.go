package poster

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/qr/qrpng"
)

// registry is a root, one certified merchant key and its trust bundle.
type registry struct {
	key   *qr.MerchantKey
	cert  *qr.Certificate
	trust *qr.TrustBundle
	base  string
}

func newRegistry(t *testing.T) *registry {
	t.Helper()
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := qr.GenerateMerchantKey()
	if err != nil {
		t.Fatal(err)
	}
	// The shop's static code, whose payee account its certificate binds
	// (registry certify --accounts-from).
	base, err := qr.Build([]qr.Object{
		{ID: "00", Value: "01"}, {ID: "01", Value: "11"},
		{ID: "26", Children: []qr.Object{{ID: "00", Value: "com.sealpay"}, {ID: "01", Value: "m_hikari"}}},
		{ID: "52", Value: "5719"}, {ID: "53", Value: "392"}, {ID: "58", Value: "JP"},
		{ID: "59", Value: "HIKARI CERAMICS"}, {ID: "60", Value: "KYOTO"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := qr.Parse(base, qr.Strict)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cert, err := root.Certify(qr.Certificate{MerchantID: "m_hikari", Name: "Hikari Ceramics", Names: []string{"HIKARI CERAMICS"},
		Accounts: p.Accounts(), PublicKey: key.Public(), NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := root.SignBundle(qr.Bundle{Version: 1, IssuedAt: now, Certificates: []qr.Certificate{*cert}})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := qr.LoadTrustBundle(b, []ed25519.PublicKey{root.Public()}, now)
	if err != nil {
		t.Fatal(err)
	}
	return &registry{key: key, cert: cert, trust: trust, base: base}
}

func (r *registry) sign(t *testing.T, amount string) string {
	t.Helper()
	p, err := qr.Sign(r.base, r.key, r.cert, qr.SignOptions{Amount: amount, Currency: "JPY", Reference: "ord_TEST"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reasonCodes(v *qr.Verdict) []string {
	var out []string
	for _, r := range v.Reasons {
		out = append(out, string(r.Code))
	}
	return out
}

func TestTamper(t *testing.T) {
	reg := newRegistry(t)
	signed := reg.sign(t, "5500")
	tampered, err := Tamper(signed, "55000")
	if err != nil {
		t.Fatalf("Tamper = %v", err)
	}
	// The copy is a well-formed payload with a correct CRC…
	p, err := qr.Parse(tampered, qr.Strict)
	if err != nil {
		t.Fatalf("Parse(tampered) = %v, want a well-formed payload", err)
	}
	if got := p.Amount(); got != "55000" {
		t.Errorf("tampered amount = %q, want 55000", got)
	}
	// …that only the signature exposes.
	if v := qr.Verify(signed, reg.trust, qr.VerifyOptions{Lang: "en"}); v.Status != qr.Verified || v.Merchant != "Hikari Ceramics" {
		t.Fatalf("Verify(signed) = %s %v, want verified Hikari Ceramics", v.Status, reasonCodes(v))
	}
	v := qr.Verify(tampered, reg.trust, qr.VerifyOptions{Lang: "pt-BR"})
	if v.Status != qr.Rejected || !strings.Contains(strings.Join(reasonCodes(v), ","), string(errcode.QRBadSignature)) {
		t.Fatalf("Verify(tampered) = %s %v, want rejected with qr_bad_signature", v.Status, reasonCodes(v))
	}
	if _, err := Tamper("not a payload", "1"); err == nil {
		t.Errorf("Tamper(garbage) = nil error")
	}
}

// fakeQREdge answers POST /v1/qr like the edge.
func fakeQREdge(t *testing.T, reg *registry) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/qr" || r.Header.Get("Authorization") != "Bearer sk_test" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"no"}}`, 401)
			return
		}
		var req struct{ Amount, Currency, Reference string }
		json.NewDecoder(r.Body).Decode(&req)
		p, err := qr.Sign(reg.base, reg.key, reg.cert, qr.SignOptions{Amount: req.Amount, Currency: req.Currency, Reference: req.Reference})
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		img, _ := qrpng.Render(p, 0)
		json.NewEncoder(w).Encode(map[string]string{"payload": p, "png": base64.StdEncoding.EncodeToString(img)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func decodePNG(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	return res.GetText()
}

func TestHandler(t *testing.T) {
	reg := newRegistry(t)
	edge := fakeQREdge(t, reg)
	h, err := New(Options{Edge: edge.URL, SecretKey: "sk_test", PublishableKey: "pk_test", Merchant: "m_hikari", SnippetIntegrity: "sha384-x", ShopURL: "http://127.0.0.1:8700/"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/?lang=ja", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `<html lang="ja">`) || !strings.Contains(body, "署名付きQRポスター") {
		t.Fatalf("GET /?lang=ja = %d, want the Japanese page", w.Code)
	}
	csp := w.Header().Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-src "+edge.URL) {
		t.Errorf("CSP = %q", csp)
	}
	if strings.Contains(body, "sk_test") {
		t.Errorf("the page holds the secret key")
	}
	ref := regexp.MustCompile(`/qr/(ord_[A-Z0-9]+)/poster\.png`).FindStringSubmatch(body)
	if ref == nil {
		t.Fatalf("page has no poster image")
	}
	o, ok := h.Lookup(ref[1])
	if !ok {
		t.Fatalf("Lookup(%s) failed", ref[1])
	}
	for file, want := range map[string]string{"poster.png": o.Payload, "tampered.png": o.Tampered} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/qr/"+ref[1]+"/"+file, nil))
		if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("GET %s = %d %s", file, w.Code, w.Header().Get("Content-Type"))
		}
		if got := decodePNG(t, w.Body.Bytes()); got != want {
			t.Errorf("%s decodes to %q, want %q", file, got, want)
		}
	}
	if v := qr.Verify(o.Payload, reg.trust, qr.VerifyOptions{}); v.Status != qr.Verified || v.Amount != posterAmount {
		t.Errorf("poster verdict = %s amount %s, want verified %s", v.Status, v.Amount, posterAmount)
	}
	for _, target := range []string{"/qr/ord_NOPE/poster.png", "/qr/" + ref[1] + "/other.png", "/nope"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.Code != 404 {
			t.Errorf("GET %s = %d, want 404", target, w.Code)
		}
	}
}

func TestHandlerEdgeRefuses(t *testing.T) {
	reg := newRegistry(t)
	edge := fakeQREdge(t, reg)
	h, err := New(Options{Edge: edge.URL, SecretKey: "sk_wrong", PublishableKey: "pk_test", SnippetIntegrity: "sha384-x"})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusBadGateway {
		t.Errorf("GET / with a refused key = %d, want 502", w.Code)
	}
	b, _ := io.ReadAll(w.Body)
	if bytes.Contains(b, []byte("sk_wrong")) {
		t.Errorf("error page holds the secret key")
	}
}

func TestTranslations(t *testing.T) {
	en := translations["en"]
	for _, l := range locales {
		tr := translations[l.Tag]
		for k := range en {
			if tr[k] == "" {
				t.Errorf("%s: %q is missing", l.Tag, k)
			}
			if strings.Contains(en[k], "{amount}") != strings.Contains(tr[k], "{amount}") {
				t.Errorf("%s: %q lost its {amount}", l.Tag, k)
			}
		}
	}
	for _, k := range clientKeys {
		if en[k] == "" {
			t.Errorf("client string %q has no English text", k)
		}
	}
	tests := []struct{ choice, accept, want string }{
		{"es", "", "es"}, {"", "pt-PT", "pt-BR"}, {"", "zh-TW", "zh-CN"}, {"", "ko", "en"}, {"", "", "en"}, {"ja-JP", "", "ja"},
	}
	for _, tc := range tests {
		if got := negotiate(tc.choice, tc.accept); got != tc.want {
			t.Errorf("negotiate(%q, %q) = %s, want %s", tc.choice, tc.accept, got, tc.want)
		}
	}
	if got, want := formatYen("55000"), "¥55,000"; got != want {
		t.Errorf("formatYen = %s, want %s", got, want)
	}
}
