// Package poster is the Sealpay QR poster example: a shop prints a signed
// dynamic payment QR code for an order, and the shopper's page checks it
// before paying — so a fake sticker pasted over the real code is caught.
//
// For most uses, serve the [Handler] from [New] next to a Sealpay edge;
// `sealpay demo` does that.
//
// The shop side asks the edge for a signed code (POST /v1/qr with the
// merchant's secret key): an ordinary EMVCo payload that every wallet
// reads, with an Ed25519 signature over the amount, currency, reference
// and expiry in templates 80–99. The page shows the poster and, for the
// demonstration, a tampered copy whose amount was changed and whose CRC
// was recomputed: a valid-looking code that only the signature exposes.
//
// The shopper side scans a code from an image or the camera
// (Sealpay.scanQR) or takes pasted text, and checks it with
// Sealpay.verifyQR, which runs in the edge's frame against the registry's
// trust bundle: "verified: <merchant>" or a clear warning, in the
// shopper's language.
package poster

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sealpay/sealpay/sdk/qr"
	"github.com/sealpay/sealpay/sdk/qr/qrpng"
)

//go:embed page.html static
var files embed.FS

// Options configure the poster [Handler].
type Options struct {
	// Edge is the edge's origin, e.g. "https://edge.example".
	Edge string
	// SecretKey is the merchant's sk_… key, used server-side only, to ask
	// the edge for signed codes.
	SecretKey string
	// PublishableKey and Merchant load Sealpay in the shopper's page.
	PublishableKey string
	Merchant       string
	// SnippetIntegrity is the SRI value of the edge's /v1/sealpay.js.
	SnippetIntegrity string
	// ShopURL, if set, is linked from the page.
	ShopURL string
	// Client calls the edge; nil uses a client with a 20 s timeout.
	Client *http.Client
	// Logger gets one line per poster printed; nil discards.
	Logger *slog.Logger
}

// Order is one printed poster: the signed payload and its tampered copy.
type Order struct {
	Reference string
	Amount    string // decimal, as in EMVCo ID 54
	Currency  string // ISO 4217 alphabetic
	Payload   string
	PNG       []byte
	// Tampered is Payload with the amount changed and the CRC recomputed.
	Tampered    string
	TamperedPNG []byte
}

// Handler serves the poster page, the QR images and the static files.
type Handler struct {
	opts   Options
	csp    string
	page   *template.Template
	static http.Handler
	mux    *http.ServeMux

	mu     sync.Mutex
	orders map[string]*Order
	order  []string // oldest first, to bound memory
}

// New returns the poster handler.
func New(opts Options) (*Handler, error) {
	u, err := url.Parse(opts.Edge)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("poster: edge %q is not an origin like https://edge.example", opts.Edge)
	}
	opts.Edge = u.Scheme + "://" + u.Host
	if !strings.HasPrefix(opts.SecretKey, "sk_") || !strings.HasPrefix(opts.PublishableKey, "pk_") {
		return nil, errors.New("poster: need the merchant's secret (sk_…) and publishable (pk_…) keys")
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	page, err := template.New("page.html").Funcs(template.FuncMap{
		"t":             T,
		"replaceAmount": func(amount, s string) string { return strings.ReplaceAll(s, "{amount}", amount) },
	}).ParseFS(files, "page.html")
	if err != nil {
		return nil, err
	}
	static, _ := fs.Sub(files, "static")
	h := &Handler{
		opts:   opts,
		csp:    ContentSecurityPolicy(opts.Edge),
		page:   page,
		static: http.StripPrefix("/static/", http.FileServerFS(static)),
		mux:    http.NewServeMux(),
		orders: map[string]*Order{},
	}
	h.mux.HandleFunc("GET /{$}", h.servePage)
	h.mux.HandleFunc("GET /qr/{ref}/{file}", h.serveImage)
	h.mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.static.ServeHTTP(w, r)
	})
	return h, nil
}

// ContentSecurityPolicy is the poster page's policy: like the storefront's,
// plus blob: images (a photo the shopper picks) and camera video.
func ContentSecurityPolicy(edge string) string {
	return "default-src 'none'; script-src 'self' " + edge + "; style-src 'self'; img-src 'self' data: blob:; " +
		"media-src 'self' blob:; connect-src " + edge + "; frame-src " + edge + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

// ServeHTTP serves the page (GET /?lang=…), the QR images and static files.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
	h.mux.ServeHTTP(w, r)
}

// The poster's order: the in-store price of the shop's matcha bowl.
const (
	posterAmount   = "5500"
	posterCurrency = "JPY"
	// tamperedAmount is what the fake sticker asks for.
	tamperedAmount = "55000"
)

// Print asks the edge for a signed code for amount and currency and makes
// the tampered copy.
func (h *Handler) Print(ctx context.Context, amount, currency string) (*Order, error) {
	ref := "ord_" + rand.Text()[:10]
	body, _ := json.Marshal(map[string]string{"amount": amount, "currency": currency, "reference": ref})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.opts.Edge+"/v1/qr", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.opts.SecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.opts.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("poster: the edge is unreachable: %w", err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("poster: POST /v1/qr answered %d: %s", resp.StatusCode, bytes.TrimSpace(rb))
	}
	var ans struct {
		Payload string `json:"payload"`
		PNG     string `json:"png"`
	}
	if err := json.Unmarshal(rb, &ans); err != nil || ans.Payload == "" {
		return nil, fmt.Errorf("poster: POST /v1/qr did not answer {\"payload\",\"png\"}")
	}
	o := &Order{Reference: ref, Amount: amount, Currency: currency, Payload: ans.Payload}
	if o.PNG, err = base64.StdEncoding.DecodeString(ans.PNG); err != nil || len(o.PNG) == 0 {
		if o.PNG, err = qrpng.Render(o.Payload, 0); err != nil {
			return nil, err
		}
	}
	if o.Tampered, err = Tamper(o.Payload, tamperedAmount); err != nil {
		return nil, err
	}
	if o.TamperedPNG, err = qrpng.Render(o.Tampered, 0); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.orders[ref] = o
	h.order = append(h.order, ref)
	for len(h.order) > 100 {
		delete(h.orders, h.order[0])
		h.order = h.order[1:]
	}
	h.mu.Unlock()
	h.opts.Logger.Info("poster printed", "reference", ref, "amount", amount, "currency", currency)
	return o, nil
}

// Tamper returns payload with its amount (ID 54) replaced and the CRC
// recomputed: what a fraudster's sticker would carry. Every field still
// parses and the checksum is right; only the signature gives it away.
func Tamper(payload, amount string) (string, error) {
	p, err := qr.Parse(payload, qr.Lenient)
	if err != nil {
		return "", err
	}
	var objs []qr.Object
	for _, o := range p.Objects {
		switch o.ID {
		case "63":
			continue
		case "54":
			o.Value = amount
		}
		objs = append(objs, o)
	}
	return qr.Build(objs)
}

// Lookup returns a printed order.
func (h *Handler) Lookup(ref string) (*Order, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, ok := h.orders[ref]
	return o, ok
}

type pageData struct {
	Lang     string
	Locales  []locale
	Order    *Order
	Amount   string
	Tampered string
	Snippet  string
	SRI      string
	ShopURL  string
	Config   pageConfig
}

type pageConfig struct {
	Edge     string            `json:"edge"`
	Key      string            `json:"key"`
	Merchant string            `json:"merchant"`
	Lang     string            `json:"lang"`
	Strings  map[string]string `json:"strings"`
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	loc := negotiate(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
	o, err := h.Print(r.Context(), posterAmount, posterCurrency)
	if err != nil {
		h.opts.Logger.Error("printing a poster failed", "err", err.Error())
		http.Error(w, "The edge could not sign a QR code: "+err.Error(), http.StatusBadGateway)
		return
	}
	shop := h.opts.ShopURL
	if shop != "" {
		shop += "?lang=" + url.QueryEscape(loc)
	}
	d := pageData{
		Lang: loc, Locales: locales, Order: o,
		Amount:   formatYen(o.Amount),
		Tampered: formatYen(tamperedAmount),
		Snippet:  h.opts.Edge + "/v1/sealpay.js", SRI: h.opts.SnippetIntegrity, ShopURL: shop,
		Config: pageConfig{Edge: h.opts.Edge, Key: h.opts.PublishableKey, Merchant: h.opts.Merchant, Lang: loc, Strings: clientStrings(loc)},
	}
	var buf bytes.Buffer
	if err := h.page.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", loc)
	hd.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (h *Handler) serveImage(w http.ResponseWriter, r *http.Request) {
	o, ok := h.Lookup(r.PathValue("ref"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	var b []byte
	switch r.PathValue("file") {
	case "poster.png":
		b = o.PNG
	case "tampered.png":
		b = o.TamperedPNG
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=900")
	w.Write(b)
}

// formatYen groups a whole-yen amount for the poster's caption: "¥5,500".
func formatYen(amount string) string {
	var out []byte
	for i := range len(amount) {
		if i > 0 && (len(amount)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, amount[i])
	}
	return "¥" + string(out)
}
