package shop

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sealpay/sealpay/examples/storefront/samplepsp"
	"github.com/sealpay/sealpay/sdk/webhook"
)

// handlerTransport sends requests straight to a handler, so the benchmark
// measures the backend and not the loopback network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// BenchmarkCheckout is one order through the backend: signature check,
// token metadata, relay template, provider answer, receipt.
func BenchmarkCheckout(b *testing.B) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	provider := samplepsp.New(samplepsp.Options{APIKey: "psp_test_k", Now: func() time.Time { return now }})
	fe := &fakeEdge{provider: provider, cards: map[string]fakeCard{}}
	secret := []byte("whsec_bench_0123456789")
	be, err := NewBackend(BackendOptions{
		Edge: "http://edge.internal", SecretKey: testSK, SigningSecret: secret,
		ProviderURL: "http://psp.example/v1/charges", ProviderKey: "psp_test_k",
		Client: &http.Client{Transport: handlerTransport{fe}}, Now: func() time.Time { return now },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tok := fe.add("4242424242424242", "123", "fp_bench")
		body, _ := json.Marshal(map[string]any{"request_id": "bench_request_" + time.Duration(i).String() + "_xxxxxxxx",
			"product": "matcha-bowl", "currency": "JPY", "token": tok})
		r := httptest.NewRequest(http.MethodPost, "/sealpay/checkout", bytes.NewReader(body))
		r.Header.Set(webhook.Header, signV2(b, secret, "checkout", "/sealpay/checkout", body, now))
		r.Header.Set(webhook.RouteHeader, "checkout")
		w := httptest.NewRecorder()
		be.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("checkout = %d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkStorefrontPage renders the shop page.
func BenchmarkStorefrontPage(b *testing.B) {
	s, err := NewStorefront(StorefrontOptions{Edge: "https://edge.example", PublishableKey: "pk_x", Merchant: "m_hikari", SnippetIntegrity: "sha384-x"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?lang=ja&currency=JPY", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
