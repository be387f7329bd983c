package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/sealpay/sealpay/sdk/errcode"
)

// assetTypes lists the browser assets the edge serves and their types.
var assetTypes = map[string]string{
	"sealpay.js":      "text/javascript; charset=utf-8",
	"frame.html":      "text/html; charset=utf-8",
	"frame.js":        "text/javascript; charset=utf-8",
	"direct.js":       "text/javascript; charset=utf-8", // direct-mode sealing, loaded by sealpay.js on first seal
	"qrdecode.js":     "text/javascript; charset=utf-8", // the jsQR fallback of scanQR, loaded on first use
	"sealpay.wasm":    "application/wasm",               // the card module: seal, checkCard
	"sealpay-qr.wasm": "application/wasm",               // the QR module: verifyQR, loaded by the frame on first use
	"wasm_exec.js":    "text/javascript; charset=utf-8",
}

// errNotFound is the answer for unknown routes, assets and tokens.
var errNotFound = errcode.New(errcode.NotFound, "edge: not found")

// serveAsset serves one browser asset from the Options' FS.
//
// Requests that name a version (?v=...) are cached for a year as immutable;
// others for five minutes, revalidated with an ETag. The frame gets its own
// Content-Security-Policy: it alone runs WebAssembly ('wasm-unsafe-eval'),
// and frame-ancestors lets only the page whose origin is in ?origin= embed
// it, if that is an origin of the merchant whose publishable key is in
// ?key= (see frameCSP).
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	ctype, ok := assetTypes[name]
	if !ok || h.assets == nil {
		writeError(w, errNotFound)
		return
	}
	b, err := fs.ReadFile(h.assets, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeError(w, errNotFound)
		} else {
			writeError(w, err)
		}
		return
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("ETag", etag)
	if r.URL.Query().Get("v") != "" && name != "frame.html" {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "public, max-age=300, must-revalidate")
	}
	if name == "frame.html" {
		hd.Set("Content-Security-Policy", h.frameCSP(r.URL.Query().Get("key"), r.URL.Query().Get("origin")))
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-cache")
		hd.Add("Vary", "Accept-Encoding")
	} else {
		// Scripts and the module may be loaded cross-origin by the merchant's page.
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
	if noneMatch(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Write(b)
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
