// Package shop is the Sealpay storefront example: a small cross-border shop
// page with hosted card fields, and the merchant backend that charges
// orders without ever seeing a card number.
//
// For most uses, serve a [Storefront] from [NewStorefront] (the page) and
// a [Backend] from [NewBackend] (the target of the edge's forward routes)
// on different origins, next to a Sealpay edge; `sealpay demo` does that.
//
// # How an order flows
//
//  1. The page loads the edge's snippet (/v1/sealpay.js, pinned with its
//     Subresource Integrity hash) and mounts the hosted card fields: an
//     iframe on the edge's origin, so the card number is typed into, and
//     sealed by, a page the shop does not control.
//  2. tokenize() seals the card in the frame and exchanges the envelope for
//     a token at the edge. The page gets the token and the card's brand and
//     last four digits, never the number.
//  3. The page posts the order with the token to the edge's forward route
//     (POST /v1/forward/checkout with the publishable key). The edge signs
//     the body (Sealpay-Signature) and forwards it to the [Backend], which
//     checks it with sdk/webhook. The backend has no other way in: it
//     accepts only signed requests.
//  4. The backend checks the signature, prices the order from its own
//     catalog, and charges through the edge's relay (POST /v1/relay with
//     the secret key). The relay body is a template with
//     {{tok_…:number}}-style placeholders that the edge fills in on the way
//     to the payment provider.
//  5. The receipt (brand, last four, fingerprint, authorization) goes back
//     the same way. A saved card is a reusable token the backend keeps; the
//     page knows only an opaque card id.
package shop

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

//go:embed static page.html
var files embed.FS

// StorefrontOptions configure a [Storefront].
type StorefrontOptions struct {
	// Edge is the edge's origin, e.g. "https://edge.example".
	Edge string
	// PublishableKey is the merchant's pk_… key; it is safe in a page.
	PublishableKey string
	// Merchant is the merchant id the hosted fields seal envelopes to.
	Merchant string
	// SnippetIntegrity is the Subresource Integrity value of the edge's
	// /v1/sealpay.js, e.g. "sha384-…" (js/dist/sri.json).
	SnippetIntegrity string
	// PosterURL, if set, is linked from the page (the QR poster example).
	PosterURL string
}

// Storefront serves the shop's page and its static files.
type Storefront struct {
	opts   StorefrontOptions
	csp    string
	page   *template.Template
	static http.Handler
	// compressed is serve behind gzip content coding.
	compressed http.Handler
}

// NewStorefront returns the shop page handler.
func NewStorefront(opts StorefrontOptions) (*Storefront, error) {
	u, err := url.Parse(opts.Edge)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("shop: edge %q is not an origin like https://edge.example", opts.Edge)
	}
	opts.Edge = u.Scheme + "://" + u.Host
	if !strings.HasPrefix(opts.PublishableKey, "pk_") {
		return nil, fmt.Errorf("shop: the storefront needs a publishable key (pk_…)")
	}
	if !strings.HasPrefix(opts.SnippetIntegrity, "sha384-") && !strings.HasPrefix(opts.SnippetIntegrity, "sha512-") {
		return nil, fmt.Errorf("shop: SnippetIntegrity must be a sha384- or sha512- SRI value")
	}
	page, err := template.New("page.html").Funcs(template.FuncMap{"t": T, "fill": func(s, old, new string) string { return strings.ReplaceAll(s, old, new) }}).ParseFS(files, "page.html")
	if err != nil {
		return nil, err
	}
	static, _ := fs.Sub(files, "static")
	s := &Storefront{
		opts:   opts,
		csp:    ContentSecurityPolicy(opts.Edge),
		page:   page,
		static: http.StripPrefix("/static/", http.FileServerFS(static)),
	}
	s.compressed = gzhttp.GzipHandler(http.HandlerFunc(s.serve))
	return s, nil
}

// ContentSecurityPolicy is the shop page's policy. Scripts come only from
// the shop and the edge (the snippet, pinned by SRI); there is no
// 'unsafe-inline', no 'unsafe-eval' and no 'wasm-unsafe-eval' — the
// WebAssembly runs inside the edge's frame, under the edge's own policy.
// The page talks only to the edge (connect-src) and frames only the edge.
func ContentSecurityPolicy(edge string) string {
	return "default-src 'none'; script-src 'self' " + edge + "; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + edge + "; frame-src " + edge + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// securityHeaders sets the headers every response of the shop carries.
func (s *Storefront) securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

// ServeHTTP serves GET / (the page, ?lang= and ?currency= choose the
// language and currency) and GET /static/…, compressed (gzip) for the
// browsers that accept it.
func (s *Storefront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.compressed.ServeHTTP(w, r)
}

func (s *Storefront) serve(w http.ResponseWriter, r *http.Request) {
	s.securityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case r.URL.Path == "/":
		s.servePage(w, r)
	case strings.HasPrefix(r.URL.Path, "/static/"):
		w.Header().Set("Cache-Control", "no-cache")
		s.static.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// pageConfig is handed to the page's script as JSON.
type pageConfig struct {
	Edge     string            `json:"edge"`
	Key      string            `json:"key"`
	Merchant string            `json:"merchant"`
	Lang     string            `json:"lang"`
	Currency string            `json:"currency"`
	Minor    int               `json:"minor"`
	Product  string            `json:"product"`
	Amount   int64             `json:"amount"`
	Strings  map[string]string `json:"strings"`
}

type pageData struct {
	Lang       string
	Locales    []Locale
	Currencies []Currency
	Currency   Currency
	Price      string
	Snippet    string
	SRI        string
	PosterURL  string
	Config     pageConfig
}

func (s *Storefront) servePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc := NegotiateLocale(q.Get("lang"), r.Header.Get("Accept-Language"))
	cur, ok := CurrencyByCode(strings.ToUpper(q.Get("currency")))
	if !ok {
		cur, _ = CurrencyByCode(loc.Currency)
	}
	amount := Matcha.Prices[cur.Code]
	d := pageData{
		Lang:       loc.Tag,
		Locales:    Locales,
		Currencies: Currencies,
		Currency:   cur,
		Price:      FormatMinor(amount, cur) + " " + cur.Code,
		Snippet:    s.opts.Edge + "/v1/sealpay.js",
		SRI:        s.opts.SnippetIntegrity,
		PosterURL:  posterLink(s.opts.PosterURL, loc.Tag),
		Config: pageConfig{
			Edge: s.opts.Edge, Key: s.opts.PublishableKey, Merchant: s.opts.Merchant,
			Lang: loc.Tag, Currency: cur.Code, Minor: cur.Minor, Product: Matcha.ID, Amount: amount,
			Strings: clientStrings(loc.Tag),
		},
	}
	var buf bytes.Buffer
	if err := s.page.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", loc.Tag)
	h.Set("Vary", "Accept-Language")
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// posterLink adds the shopper's language to the QR poster's address.
func posterLink(base, lang string) string {
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.String()
}
