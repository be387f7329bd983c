package edge

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sealpay/sealpay/edge/contentcoding"
	"github.com/sealpay/sealpay/sdk/errcode"
)

// assetTypes lists the browser assets the edge serves by name and their types.
var assetTypes = map[string]string{
	"sealpay.js":      "text/javascript; charset=utf-8",
	"frame.html":      "text/html; charset=utf-8",
	"frame.js":        "text/javascript; charset=utf-8",
	"direct.js":       "text/javascript; charset=utf-8", // direct-mode sealing, loaded by sealpay.js on first seal
	"qrdecode.js":     "text/javascript; charset=utf-8", // the jsQR fallback of scanQR, loaded on first use
	"extra.js":        "text/javascript; charset=utf-8", // the loader's rarer paths (wallet button, tokenizeWallet, scanQR), on first use
	"wallet.js":       "text/javascript; charset=utf-8", // the wallet frame's Google Pay code, loaded in mode=wallet only
	"sealpay.wasm":    "application/wasm",               // the card module: seal, checkCard
	"sealpay-qr.wasm": "application/wasm",               // the QR module: verifyQR, loaded by the frame on first use
	"wasm_exec.js":    "text/javascript; charset=utf-8",
}

// frameCore is the frame of mode=core (QR checks only): frame.html but for
// what it preloads, the QR module instead of the card module. It is served
// at /v1/frame.html?mode=core, never by its own name.
const frameCore = "frame-core.html"

// frameWallet is the frame of mode=wallet (wallet buttons): frame.html
// with no preload and a nonce placeholder on its script element, which
// each answer replaces with the nonce of its own policy. It is served at
// /v1/frame.html?mode=wallet, never by its own name.
const frameWallet = "frame-wallet.html"

// walletNonce is frameWallet's placeholder (wasm/assets.WalletNonce).
const walletNonce = "@@sealpay:nonce@@"

// Cache policies (docs/edge-api.md, Browser assets).
const (
	cacheImmutable = "public, max-age=31536000, immutable"  // content-addressed URLs
	cacheShort     = "public, max-age=300, must-revalidate" // what merchants paste: sealpay.js
	cacheFrame     = "no-cache"                             // frame.html: its policy names the merchant's origins
)

// errNotFound is the answer for unknown routes, assets and tokens.
var errNotFound = errcode.New(errcode.NotFound, "edge: not found")

// errNotAcceptable is the answer to an Accept-Encoding that refuses every
// coding the edge has, identity included.
var errNotAcceptable = errcode.New(errcode.NotAcceptable, "edge: no acceptable content coding (the edge sends br, gzip or identity)")

// asset is one browser asset, loaded once: its representations and the
// digest that names it in its content-addressed URL.
type asset struct {
	ctype   string
	digest  string                 // base64url SHA-384 of the identity bytes: /v1/c/{digest}/{name}
	reps    []representation       // in contentcoding.Codings order
	codings []contentcoding.Coding // reps' codings, in the same order
}

// representation is an asset's bytes in one content coding.
type representation struct {
	coding contentcoding.Coding
	body   []byte
	etag   string
}

// assetTable loads the assets of an FS once each, with their precompressed
// copies (name.br, name.gz beside the file, as wasm/assets builds them; the
// native server checks them with edge/precompressed when it starts). A
// coding without a copy is not offered. A load that fails is tried again
// by the next request.
type assetTable struct {
	fsys   fs.FS
	mu     sync.Mutex
	loaded map[string]*asset
}

func newAssetTable(fsys fs.FS) *assetTable {
	if fsys == nil {
		return nil
	}
	return &assetTable{fsys: fsys, loaded: map[string]*asset{}}
}

// get returns the named asset, loading it on first use. Loads of different
// assets do not wait for each other beyond the map's lock; two first
// requests for one asset may both load it, and one result is kept.
func (t *assetTable) get(name, ctype string) (*asset, error) {
	t.mu.Lock()
	a := t.loaded[name]
	t.mu.Unlock()
	if a != nil {
		return a, nil
	}
	a, err := loadAsset(t.fsys, name, ctype)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev := t.loaded[name]; prev != nil {
		return prev, nil
	}
	t.loaded[name] = a
	return a, nil
}

// loadAsset reads one asset and its precompressed copies.
func loadAsset(fsys fs.FS, name, ctype string) (*asset, error) {
	id, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(id)
	sri := sha512.Sum384(id)
	a := &asset{ctype: ctype, digest: base64.RawURLEncoding.EncodeToString(sri[:])}
	for _, c := range contentcoding.Codings {
		body := id
		if c != contentcoding.Identity {
			// A copy the build did not write is a coding not served.
			if body, err = fs.ReadFile(fsys, name+c.Suffix()); errors.Is(err, fs.ErrNotExist) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		a.reps = append(a.reps, representation{coding: c, body: body, etag: contentcoding.ETag(sum, c)})
		a.codings = append(a.codings, c)
	}
	return a, nil
}

// serveAsset answers GET /v1/{name}: sealpay.js for five minutes, the other
// scripts and modules likewise (their content-addressed URLs are the ones
// to use), frame.html with no-cache and its own policy.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	h.writeAsset(w, r, path.Base(r.URL.Path), "")
}

// serveAddressed answers GET /v1/c/{digest}/{name}: the asset whose
// SHA-384 is digest, cached for a year as immutable. A digest that is not
// the file's current one is not found: an old release's bytes are gone,
// and a browser must never cache other bytes under their name.
func (h *Handler) serveAddressed(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, ok := assetTypes[name]; !ok || name == "frame.html" {
		writeError(w, errNotFound)
		return
	}
	h.writeAsset(w, r, name, r.PathValue("digest"))
}

// writeAsset writes one asset in the coding the request accepts best
// (RFC 9110 §12.5.3), with that representation's ETag and length. digest,
// if not empty, must be the asset's.
func (h *Handler) writeAsset(w http.ResponseWriter, r *http.Request, name, digest string) {
	file := name
	if name == "frame.html" {
		switch r.URL.Query().Get("mode") {
		case "core":
			file = frameCore
		case "wallet":
			file = frameWallet
		}
	}
	if h.assets == nil {
		writeError(w, errNotFound)
		return
	}
	a, err := h.assets.get(file, assetTypes[name])
	if file == frameCore && errors.Is(err, fs.ErrNotExist) {
		a, err = h.assets.get(name, assetTypes[name]) // assets built before the QR-only twin
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeError(w, errNotFound)
			return
		}
		h.log.Error("edge: loading a browser asset", "asset", file, "err", err.Error())
		writeError(w, err)
		return
	}
	if digest != "" && digest != a.digest {
		writeError(w, errNotFound)
		return
	}
	if file == frameWallet {
		h.writeWalletFrame(w, r, a)
		return
	}
	c, ok := contentcoding.Negotiate(r.Header.Values("Accept-Encoding"), a.codings)
	if !ok {
		writeError(w, errNotAcceptable)
		return
	}
	rep := a.reps[slices.Index(a.codings, c)]
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Vary", "Accept-Encoding")
	switch {
	case name == "frame.html":
		hd.Set("Cache-Control", cacheFrame)
		hd.Set("Content-Security-Policy", h.frameCSP(r.URL.Query().Get("key"), r.URL.Query().Get("origin")))
		hd.Set("Referrer-Policy", "no-referrer")
	case digest != "":
		hd.Set("Cache-Control", cacheImmutable)
	default:
		hd.Set("Cache-Control", cacheShort)
	}
	if name != "frame.html" {
		// Scripts and the modules may be loaded cross-origin by the merchant's page.
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
	hd.Set("ETag", rep.etag)
	if noneMatch(r.Header.Values("If-None-Match"), rep.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", a.ctype)
	if c != contentcoding.Identity {
		hd.Set("Content-Encoding", string(c))
	}
	hd.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(rep.body)
	}
}

// noneMatch reports whether an If-None-Match field (RFC 9110 §13.1.2)
// names etag: "*", or a list of entity tags one of which is etag by weak
// comparison (W/"x" matches "x"), as caches and CDNs may weaken a strong tag.
// A malformed member matches nothing.
func noneMatch(fields []string, etag string) bool {
	for _, f := range fields {
		for _, t := range strings.Split(f, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// frameCSP is the Content-Security-Policy of frame.html for the frame
// parameters key and origin. Only origin's pages may embed the frame, and
// only if key is a merchant's publishable key and origin one of that
// merchant's origins; otherwise no page may ('none'): a frame for an
// unknown key, or for another merchant's page, is of use only to a page
// that means to misuse it.
//
// Styles come from 'self' only: the frame styles itself with constructed
// style sheets (document.adoptedStyleSheets), which style-src does not
// govern, and has no inline style to allow.
func (h *Handler) frameCSP(publishableKey, origin string) string {
	ancestors := "'none'"
	if m := h.cfg.lookupKey(publishableKey, publishableKind); m != nil && m.allowsOrigin(origin) {
		ancestors, _ = normalizeOrigin(origin)
	}
	return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
		"style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
		"frame-ancestors " + ancestors
}

// writeWalletFrame answers GET /v1/frame.html?mode=wallet: frameWallet
// with a fresh nonce in its script element and in its policy. Each answer
// is its own (no-store, no ETag): a cached copy would carry a nonce that
// the next answer's policy no longer names. It is small, and sent as it is.
func (h *Handler) writeWalletFrame(w http.ResponseWriter, r *http.Request, a *asset) {
	if _, ok := contentcoding.Negotiate(r.Header.Values("Accept-Encoding"), []contentcoding.Coding{contentcoding.Identity}); !ok {
		writeError(w, errNotAcceptable)
		return
	}
	i := slices.Index(a.codings, contentcoding.Identity)
	if i < 0 {
		writeError(w, errNotFound)
		return
	}
	var n [16]byte
	rand.Read(n[:])
	nonce := base64.StdEncoding.EncodeToString(n[:])
	body := bytes.ReplaceAll(a.reps[i].body, []byte(walletNonce), []byte(nonce))
	q := r.URL.Query()
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", h.walletFrameCSP(q.Get("key"), q.Get("origin"), nonce))
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Type", a.ctype)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// The origins Google Pay's pay.js needs, by directive: its script and the
// frames it opens come from pay.google.com; the Payment Request API in
// Chromium fetches the payment method manifest of https://google.com/pay,
// which redirects to pay.google.com (connect-src governs both since
// Chromium's Payment Handler CSP change); the button's images are on
// www.gstatic.com. docs/browser.md cites the sources.
const (
	googlePayScript  = "https://pay.google.com"
	googlePayConnect = "https://pay.google.com https://google.com/pay"
	googlePayFrame   = "https://pay.google.com"
	googlePayImages  = "https://www.gstatic.com"
)

// walletFrameCSP is the policy of the wallet frame: frameCSP's, without
// 'wasm-unsafe-eval' (this frame runs no module), and, only when the key's
// merchant has Google Pay turned on, Google's origins and the answer's
// nonce for what pay.js injects (its button's styles). A frame of a key
// without Google Pay, or for another page, gets no Google origin at all.
func (h *Handler) walletFrameCSP(publishableKey, origin, nonce string) string {
	ancestors := "'none'"
	google := false
	if m := h.cfg.lookupKey(publishableKey, publishableKind); m != nil && m.allowsOrigin(origin) {
		ancestors, _ = normalizeOrigin(origin)
		google = h.googlePayOn(m)
	}
	if !google {
		return "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
	}
	n := "'nonce-" + nonce + "'"
	return "default-src 'none'; script-src 'self' " + n + " " + googlePayScript + "; connect-src 'self' " + googlePayConnect + "; " +
		"frame-src " + googlePayFrame + "; style-src 'self' " + n + "; img-src 'self' data: " + googlePayImages + "; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors " + ancestors
}

// googlePayOn reports whether merchant m has Google Pay turned on (a
// google_pay setting and a key the edge opens its tokens with).
func (h *Handler) googlePayOn(m *Merchant) bool {
	return m.GooglePay != nil && h.wallets.gpay[m.ID] != nil
}
