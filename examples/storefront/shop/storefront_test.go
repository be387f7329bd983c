package shop

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

const testEdge = "http://127.0.0.1:8701"

func newTestStorefront(t *testing.T) *Storefront {
	t.Helper()
	s, err := NewStorefront(StorefrontOptions{
		Edge: testEdge, PublishableKey: "pk_test", Merchant: "m_hikari",
		SnippetIntegrity: "sha384-AAAA", PosterURL: "http://127.0.0.1:8704/",
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, h http.Handler, target, acceptLanguage string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if acceptLanguage != "" {
		r.Header.Set("Accept-Language", acceptLanguage)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestStorefrontPolicy(t *testing.T) {
	csp := get(t, newTestStorefront(t), "/", "").Header().Get("Content-Security-Policy")
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "wasm-unsafe-eval", "*", "data: 'unsafe"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q contains %q", csp, bad)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self' " + testEdge, "frame-src " + testEdge, "connect-src " + testEdge, "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
}

var scriptTag = regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)

func TestStorefrontPage(t *testing.T) {
	s := newTestStorefront(t)
	tests := []struct {
		target, accept        string
		lang, currency, price string
		text                  string
	}{
		{"/", "", "en", "USD", "38.00 USD", "Hand-thrown matcha bowl"},
		{"/", "ja-JP,ja;q=0.9", "ja", "JPY", "5500 JPY", "手びねりの抹茶碗"},
		{"/?lang=pt-BR", "ja", "pt-BR", "BRL", "189.90 BRL", "Tigela de matcha feita à mão"},
		{"/?lang=zh-CN&currency=EUR", "", "zh-CN", "EUR", "35.00 EUR", "手工拉坯抹茶碗"},
		{"/?lang=es&currency=jpy", "", "es", "JPY", "5500 JPY", "Cuenco de matcha hecho a mano"},
		{"/?currency=XXX", "es", "es", "EUR", "35.00 EUR", "Envío gratuito"},
	}
	for _, tc := range tests {
		t.Run(tc.target+" "+tc.accept, func(t *testing.T) {
			w := get(t, s, tc.target, tc.accept)
			body := w.Body.String()
			if w.Code != 200 || !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.text) {
				t.Fatalf("GET %s = %d, want the %s page", tc.target, w.Code, tc.lang)
			}
			if !strings.Contains(body, tc.price) {
				t.Errorf("page lacks the price %q", tc.price)
			}
			if pay := strings.ReplaceAll(T(tc.lang, "pay"), "{amount}", tc.price); !strings.Contains(body, pay) {
				t.Errorf("page lacks the pay button %q", pay)
			}
			var cfg pageConfig
			for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
				attrs, content := m[1], m[2]
				switch {
				case strings.Contains(attrs, `type="application/json"`):
					if err := json.Unmarshal([]byte(content), &cfg); err != nil {
						t.Fatalf("config is not JSON: %v", err)
					}
				case strings.TrimSpace(content) != "":
					t.Errorf("inline script %q: the CSP would block it", attrs)
				case strings.Contains(attrs, testEdge+"/v1/sealpay.js") && !strings.Contains(attrs, `integrity="sha384-AAAA"`):
					t.Errorf("snippet tag %q has no integrity", attrs)
				}
			}
			if cfg.Lang != tc.lang || cfg.Currency != tc.currency || cfg.Key != "pk_test" || cfg.Edge != testEdge || cfg.Strings["pay"] == "" {
				t.Errorf("config = %+v, want lang %s currency %s", cfg, tc.lang, tc.currency)
			}
			if strings.Contains(body, "sk_") {
				t.Errorf("page mentions a secret key")
			}
			if !strings.Contains(body, "8704/?lang="+tc.lang) {
				t.Errorf("page does not link the poster in %s", tc.lang)
			}
		})
	}
}

func TestStorefrontRoutes(t *testing.T) {
	s := newTestStorefront(t)
	for target, want := range map[string]int{"/static/shop.js": 200, "/static/shop.css": 200, "/static/nope.js": 404, "/admin": 404} {
		if w := get(t, s, target, ""); w.Code != want {
			t.Errorf("GET %s = %d, want %d", target, w.Code, want)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", w.Code)
	}
}

func TestNewStorefrontOptions(t *testing.T) {
	ok := StorefrontOptions{Edge: testEdge, PublishableKey: "pk_x", SnippetIntegrity: "sha384-x"}
	tests := []struct {
		name string
		edit func(*StorefrontOptions)
	}{
		{"edge with a path", func(o *StorefrontOptions) { o.Edge = testEdge + "/v1" }},
		{"edge not a URL", func(o *StorefrontOptions) { o.Edge = "edge.example" }},
		{"secret key", func(o *StorefrontOptions) { o.PublishableKey = "sk_live_x" }},
		{"no integrity", func(o *StorefrontOptions) { o.SnippetIntegrity = "" }},
		{"sha1 integrity", func(o *StorefrontOptions) { o.SnippetIntegrity = "sha1-x" }},
	}
	if _, err := NewStorefront(ok); err != nil {
		t.Fatalf("NewStorefront(valid) = %v", err)
	}
	for _, tc := range tests {
		o := ok
		tc.edit(&o)
		if _, err := NewStorefront(o); err == nil {
			t.Errorf("NewStorefront(%s) = nil error, want one", tc.name)
		}
	}
}

// TestCompressed: the page and its static files go out gzip-compressed to
// a browser that accepts it (Lighthouse's "enable text compression").
func TestCompressed(t *testing.T) {
	s := newTestStorefront(t)
	for _, path := range []string{"/", "/static/shop.js", "/static/shop.css"} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		s.ServeHTTP(rec, r)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s = %d with Content-Encoding %q, want 200 gzip", path, rec.Code, rec.Header().Get("Content-Encoding"))
		}
	}
}
