package edgetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sealpay/sealpay/edge/contentcoding"
	"github.com/sealpay/sealpay/edge/precompressed"
	"github.com/sealpay/sealpay/wasm/assets"
)

// assetBuilds holds each fixture's asset build, done at most once.
var assetBuilds sync.Map // *Fixture -> func() error

// Assets returns the fixture's browser assets directory, building it on
// first use with wasm/assets (both WebAssembly modules, wasm_exec.js and
// the committed scripts of js/dist/browser, frame.js pinning the
// fixture's QR root), as an operator builds them. The configuration's
// assets_dir names it, so a native edge serves it; a Worker build copies
// it (edge/build.sh's SEALPAY_ASSETS). Build it before starting a Worker.
func (fx *Fixture) Assets(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(fx.Dir, "assets")
	build, _ := assetBuilds.LoadOrStore(fx, sync.OnceValue(func() error {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		jwk, err := os.ReadFile(filepath.Join(fx.Dir, "root.pub.jwk"))
		if err != nil {
			return err
		}
		roots := append(append([]byte("["), jwk...), ']')
		return assets.Build(context.Background(), assets.Options{Root: root, Dir: dir, QRRoots: roots})
	}))
	if err := build.(func() error)(); err != nil {
		t.Fatalf("building the browser assets: %v", err)
	}
	return dir
}

// moduleRoot finds the checkout's root: the nearest directory above the
// working directory (a package's, under go test) that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("edgetest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// pins lists who pins whom by Subresource Integrity hash (docs/browser.md):
// the snippet pins direct.js and extra.js, extra.js pins qrdecode.js
// (only its scanQR decodes), frame.html pins frame.js,
// frame.js pins wallet.js (the wallet frame's Google Pay code),
// and the scripts that load WebAssembly pin wasm_exec.js and the modules.
// The merchant's page pins sealpay.js with sri.json's hash.
var pins = []struct{ file, in string }{
	{"direct.js", "sealpay.js"},
	{"extra.js", "sealpay.js"},
	{"qrdecode.js", "extra.js"},
	{"frame.js", "frame.html"},
	{"wallet.js", "frame.js"},
	{"wasm_exec.js", "direct.js"},
	{"sealpay.wasm", "direct.js"},
	{"wasm_exec.js", "frame.js"},
	{"sealpay.wasm", "frame.js"},
	{"sealpay-qr.wasm", "frame.js"},
}

// Cache policies of docs/edge-api.md's Browser assets.
const (
	cacheShort     = "public, max-age=300, must-revalidate"
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheFrame     = "no-cache"
)

// codings are the representations of every asset: what a request accepts,
// the Content-Encoding it gets, and the file suffix of the built copy.
var codings = []struct {
	accept   string // "" sends no Accept-Encoding
	encoding contentcoding.Coding
	choice   bool // the client accepts several of the edge's codings
}{
	{"", contentcoding.Brotli, false},
	{"br", contentcoding.Brotli, false},
	{"gzip, deflate, br, zstd", contentcoding.Brotli, true},
	{"gzip", contentcoding.Gzip, false},
	{"br;q=0.5, gzip", contentcoding.Gzip, true},
	{"identity", contentcoding.Identity, false},
	{"zstd, compress", contentcoding.Identity, false},
	{"br;q=0, gzip;q=0", contentcoding.Identity, false},
}

// assetRoutes fetches every file wasm/assets built (sri.json names them)
// from the edge in every coding: the bytes must decode to the build's, so
// their SHA-384 is the SRI value the snippet, the frame and sri.json
// publish; each representation has its own ETag and length, and the
// headers are those of docs/edge-api.md — type, nosniff, Vary, the cache
// policy of the plain and the content-addressed URL, CORS for the scripts
// and modules, the frame's own policy — for GET, HEAD and conditional
// requests. Both homes must answer alike.
func assetRoutes(t *testing.T, c *client) {
	dir := c.fx.Assets(t)
	var sri map[string]string
	b, err := os.ReadFile(filepath.Join(dir, "sri.json"))
	if err == nil {
		err = json.Unmarshal(b, &sri)
	}
	if err != nil {
		t.Fatalf("reading the build's sri.json: %v", err)
	}
	names := slices.Sorted(maps.Keys(sri))
	for _, p := range pins {
		if sri[p.file] == "" || sri[p.in] == "" {
			t.Fatalf("sri.json lists %v, want %s and %s among them", names, p.file, p.in)
		}
	}

	served := map[string][]byte{}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			built, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			served[name] = checkAsset(t, c, "/v1/"+name, name, built, sri[name], cacheShort)
			if name == "frame.html" {
				// Its policy names the merchant: never cached as immutable.
				a := c.do(t, req{method: "GET", path: "/v1/c/" + assets.Digest(built) + "/frame.html"})
				if a.Status != http.StatusNotFound || a.code() != "not_found" {
					t.Errorf("GET frame.html by its digest = %d %s, want 404 not_found", a.Status, a.code())
				}
				return
			}
			checkAsset(t, c, "/v1/"+assets.Path(map[string][]byte{name: built}, name), name, built, sri[name], cacheImmutable)
			// Another file's digest, or none that exists, is not found:
			// a browser must never cache other bytes under a digest.
			for _, digest := range []string{assets.Digest([]byte("old release")), assets.Digest(built)[:20], "x"} {
				a := c.do(t, req{method: "GET", path: "/v1/c/" + digest + "/" + name, header: map[string]string{"Accept-Encoding": "identity"}})
				if a.Status != http.StatusNotFound || a.code() != "not_found" || a.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("GET %s under a wrong digest = %d %s, Cache-Control %q; want 404 not_found, no-store", name, a.Status, a.code(), a.Header.Get("Cache-Control"))
				}
			}
			for _, refuse := range []string{"identity;q=0", "*;q=0", "br;q=0, gzip;q=0, identity;q=0"} {
				a := c.do(t, req{method: "GET", path: "/v1/" + name, header: map[string]string{"Accept-Encoding": refuse}})
				if c.fx.Reencodes && a.Status == http.StatusUnsupportedMediaType {
					continue // the platform refused the edge's 406 JSON body in identity
				}
				if a.Status != http.StatusNotAcceptable || a.code() != "not_acceptable" || a.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("GET %s with Accept-Encoding %q = %d %s, Cache-Control %q; want 406 not_acceptable, no-store", name, refuse, a.Status, a.code(), a.Header.Get("Cache-Control"))
				}
			}
		})
	}

	t.Run("pins", func(t *testing.T) {
		for _, p := range pins {
			if in, file := served[p.in], served[p.file]; in != nil && file != nil && !bytes.Contains(in, []byte(assets.SRI(file))) {
				t.Errorf("%s as served does not pin %s as served (%s)", p.in, p.file, assets.SRI(file))
			}
		}
		// frame.html loads frame.js by its content address and starts the
		// downloads of wasm_exec.js and the card module with its HTML.
		frame := string(served["frame.html"])
		for _, want := range []string{
			`src="c/` + assets.Digest(served["frame.js"]) + `/frame.js"`,
			`<link rel="preload" href="c/` + assets.Digest(served["wasm_exec.js"]) + `/wasm_exec.js" as="script" integrity="` + assets.SRI(served["wasm_exec.js"]) + `" crossorigin="anonymous">`,
			`<link rel="preload" href="c/` + assets.Digest(served["sealpay.wasm"]) + `/sealpay.wasm" as="fetch" crossorigin="anonymous">`,
		} {
			if !strings.Contains(frame, want) {
				t.Errorf("frame.html as served lacks %s", want)
			}
		}
		if strings.Contains(frame, "sealpay-qr.wasm") {
			t.Error("the card frame preloads the QR module")
		}
	})

	t.Run("core frame", func(t *testing.T) {
		// mode=core, the QR-only frame, preloads the QR module and not
		// the card module; it is frame.html in every other respect.
		built, err := os.ReadFile(filepath.Join(dir, assets.FrameCore))
		if err != nil {
			t.Fatal(err)
		}
		core := checkAsset(t, c, "/v1/frame.html?mode=core&origin="+c.fx.Shop.Origin+"&key="+c.fx.Shop.PK, "frame.html", built, assets.SRI(built), cacheFrame)
		if !bytes.Contains(core, []byte(`<link rel="preload" href="c/`+assets.Digest(served["sealpay-qr.wasm"])+`/sealpay-qr.wasm" as="fetch" crossorigin="anonymous">`)) || bytes.Contains(core, []byte("sealpay.wasm")) {
			t.Error("frame.html?mode=core does not preload the QR module alone")
		}
		if a := c.do(t, req{method: "GET", path: "/v1/" + assets.FrameCore}); a.Status != http.StatusNotFound {
			t.Errorf("GET /v1/%s = %d, want 404 (served as frame.html?mode=core only)", assets.FrameCore, a.Status)
		}
	})

	t.Run("wallet frame", func(t *testing.T) {
		// mode=wallet, the wallet buttons' frame: frame.html with no
		// preload, its script element and its policy sharing a nonce
		// made for each answer; Google's origins only for a merchant
		// with Google Pay, for its own page.
		built, err := os.ReadFile(filepath.Join(dir, assets.FrameWallet))
		if err != nil {
			t.Fatal(err)
		}
		shop := c.fx.Shop
		path := "/v1/frame.html?mode=wallet&origin=" + shop.Origin + "&key=" + shop.PK
		seen := map[string]bool{}
		// Natively the edge sends identity though br and gzip are
		// accepted (their copies have no nonce); a platform that
		// re-encodes what it is given (the Worker's) is asked for identity.
		accept := "br, gzip"
		if c.fx.Reencodes {
			accept = "identity"
		}
		for i := range 2 {
			a := c.do(t, req{method: "GET", path: path, header: map[string]string{"Accept-Encoding": accept}})
			if a.Status != http.StatusOK {
				t.Fatalf("GET %s = %d %s, want 200", redactPath(path), a.Status, a.code())
			}
			csp := a.Header.Get("Content-Security-Policy")
			m := regexp.MustCompile(`'nonce-([A-Za-z0-9+/]{22}==)'`).FindStringSubmatch(csp)
			if m == nil {
				t.Fatalf("wallet frame policy = %q, want a nonce of 16 bytes", csp)
			}
			nonce := m[1]
			if seen[nonce] {
				t.Errorf("answer %d reuses the nonce of an earlier answer", i)
			}
			seen[nonce] = true
			want := "default-src 'none'; script-src 'self' 'nonce-" + nonce + "' https://pay.google.com; " +
				"connect-src 'self' https://pay.google.com https://google.com/pay; frame-src https://pay.google.com; " +
				"style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data: https://www.gstatic.com; " +
				"base-uri 'none'; form-action 'none'; frame-ancestors " + shop.Origin
			if csp != want {
				t.Errorf("wallet frame policy = %q, want %q", csp, want)
			}
			if got := string(a.Body); got != strings.Replace(string(built), assets.WalletNonce, nonce, 1) {
				t.Errorf("wallet frame body is not %s with the policy's nonce in its script element", assets.FrameWallet)
			}
			if bytes.Contains(a.Body, []byte("preload")) || bytes.Contains(a.Body, []byte(assets.WalletNonce)) {
				t.Error("the wallet frame preloads a module or keeps its nonce placeholder")
			}
			for k, v := range map[string]string{"Cache-Control": "no-store", "Content-Encoding": "", "ETag": "", "Content-Type": "text/html; charset=utf-8", "X-Content-Type-Options": "nosniff"} {
				if got := a.Header.Get(k); got != v {
					t.Errorf("wallet frame %s = %q, want %q", k, got, v)
				}
			}
		}
		// Another merchant's page, or an unknown key: no page may embed
		// it, and the policy names no Google origin.
		for _, q := range []string{"&origin=" + c.fx.Other.Origin + "&key=" + shop.PK, "&origin=" + shop.Origin + "&key=pk_UNKNOWN"} {
			a := c.do(t, req{method: "GET", path: "/v1/frame.html?mode=wallet" + q})
			want := "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
			if got := a.Header.Get("Content-Security-Policy"); a.Status != http.StatusOK || got != want {
				t.Errorf("GET wallet frame%s = %d, policy %q, want 200 and %q", redactPath(q), a.Status, got, want)
			}
		}
		// The frame fetches the merchant's wallet settings at its own
		// origin: a same-origin GET, which browsers send without Origin
		// but with Sec-Fetch-Site, which no page can set.
		for _, tc := range []struct {
			site   string
			status int
		}{{"same-origin", http.StatusOK}, {"same-site", http.StatusForbidden}, {"cross-site", http.StatusForbidden}, {"", http.StatusForbidden}} {
			h := map[string]string{}
			if tc.site != "" {
				h["Sec-Fetch-Site"] = tc.site
			}
			a := c.do(t, req{method: "GET", path: "/v1/wallets", key: shop.PK, header: h})
			if a.Status != tc.status || (tc.status == http.StatusOK) != strings.Contains(string(a.Body), `"google_pay":{`) {
				t.Errorf("GET /v1/wallets without Origin, Sec-Fetch-Site %q = %d %s, want %d", tc.site, a.Status, a.code(), tc.status)
			}
		}
		if a := c.do(t, req{method: "GET", path: "/v1/" + assets.FrameWallet}); a.Status != http.StatusNotFound {
			t.Errorf("GET /v1/%s = %d, want 404 (served as frame.html?mode=wallet only)", assets.FrameWallet, a.Status)
		}
	})

	// Only the page the frame is for may embed it, and only if it is one
	// of the key's merchant's pages.
	t.Run("frame policy", func(t *testing.T) {
		shop, other := c.fx.Shop, c.fx.Other
		for _, tc := range []struct {
			name, key, origin string
			ancestors         string
		}{
			{"shop's key, shop's origin", shop.PK, shop.Origin, shop.Origin},
			{"shop's key, shop's other origin", shop.PK, "http://localhost:3000", "http://localhost:3000"},
			{"shop's key, other merchant's origin", shop.PK, other.Origin, "'none'"},
			{"other merchant's key, shop's origin", other.PK, shop.Origin, "'none'"},
			{"other merchant's key and origin", other.PK, other.Origin, other.Origin},
			{"shop's key, no origin", shop.PK, "", "'none'"},
			{"shop's key, unknown origin", shop.PK, "https://evil.example", "'none'"},
			{"no key", "", shop.Origin, "'none'"},
			{"unknown key", "pk_UNKNOWN", shop.Origin, "'none'"},
			{"secret key", shop.SK, shop.Origin, "'none'"},
		} {
			q := url.Values{"key": {tc.key}, "channel": {"0123456789abcdef01234567"}, "mode": {"card"}}
			if tc.origin != "" {
				q.Set("origin", tc.origin)
			}
			a := c.do(t, req{method: "GET", path: "/v1/frame.html?" + q.Encode()})
			if a.Status != http.StatusOK {
				t.Errorf("%s: GET /v1/frame.html = %d %s, want 200", tc.name, a.Status, a.code())
				continue
			}
			want := "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
				"style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
				"frame-ancestors " + tc.ancestors
			if got := a.Header.Get("Content-Security-Policy"); got != want {
				t.Errorf("%s: frame.html Content-Security-Policy = %q, want %q", tc.name, got, want)
			}
		}
	})

	t.Run("not assets", func(t *testing.T) {
		for _, r := range []req{
			{method: "POST", path: "/v1/sealpay.js", body: []byte("{}")},
			{method: "DELETE", path: "/v1/sealpay.wasm"},
			{method: "GET", path: "/v1/sri.json"},
			{method: "GET", path: "/v1/sealpay.js/"},
			{method: "GET", path: "/v1/nope.wasm"},
			{method: "GET", path: "/sealpay.js"},
			{method: "GET", path: "/v1/x/sealpay.js"},
		} {
			if a := c.do(t, r); a.Status != http.StatusNotFound || a.code() != "not_found" {
				t.Errorf("%s %s = %d %s, want 404 not_found", r.method, r.path, a.Status, a.code())
			}
		}
		// An escaped name is the same file to the router.
		a := c.do(t, req{method: "GET", path: "/v1/sealpay%2Ejs", header: map[string]string{"Accept-Encoding": "identity"}})
		if a.Status != http.StatusOK || !bytes.Equal(a.Body, served["sealpay.js"]) {
			t.Errorf("GET /v1/sealpay%%2Ejs = %d with %d bytes, want 200 with sealpay.js", a.Status, len(a.Body))
		}
	})
}

// checkAsset fetches one asset at path in every coding and checks each
// representation against the built bytes and their SRI hash, its headers
// (cache is the Cache-Control wanted), HEAD and conditional requests. It
// returns the identity bytes as served.
func checkAsset(t *testing.T, c *client, path, name string, built []byte, sri, cache string) []byte {
	t.Helper()
	sum := sha256.Sum256(built)
	var identity []byte
	for _, cd := range codings {
		h := map[string]string{}
		if cd.accept != "" {
			h["Accept-Encoding"] = cd.accept
		}
		what := fmt.Sprintf("GET %s (Accept-Encoding %q)", redactPath(path), cd.accept)
		etag := contentcoding.ETag(sum, cd.encoding)
		a := c.do(t, req{method: "GET", path: path, header: h})
		if a.Status != http.StatusOK {
			t.Errorf("%s = %d %s, want 200", what, a.Status, a.code())
			continue
		}
		encoding := cd.encoding
		got := contentcoding.Coding(a.Header.Get("Content-Encoding"))
		if got == "" {
			got = contentcoding.Identity
		}
		if got != encoding && c.fx.Reencodes && cd.choice {
			// The platform chose among the codings the client accepts.
			encoding = got
			etag = contentcoding.ETag(sum, encoding)
		}
		if got != encoding {
			t.Errorf("%s: Content-Encoding %q, want %s", what, got, encoding)
		}
		if cl := a.Header.Get("Content-Length"); cl != strconv.Itoa(len(a.Body)) && (cl != "" || !c.fx.Reencodes) {
			t.Errorf("%s: Content-Length %s for %d bytes", what, cl, len(a.Body))
		}
		if encoding != cd.encoding {
			// Its ETag names the edge's choice, which the platform re-encoded.
			dec, err := precompressed.Decompress(encoding, a.Body, int64(len(built)))
			if err != nil || !bytes.Equal(dec, built) {
				t.Errorf("%s: %d bytes in %s decoding to %d (%v), want the build's %d bytes", what, len(a.Body), encoding, len(dec), err, len(built))
			}
			continue
		}
		dec, err := precompressed.Decompress(cd.encoding, a.Body, int64(len(built)))
		if err != nil || assets.SRI(dec) != sri || !bytes.Equal(dec, built) {
			t.Errorf("%s: %d bytes decoding to %d with %s (%v), want the build's %d bytes with %s", what, len(a.Body), len(dec), assets.SRI(dec), err, len(built), sri)
		}
		if cd.encoding != contentcoding.Identity && len(a.Body) >= len(built) && len(built) > 1024 {
			t.Errorf("%s: %d bytes in %s for %d, want fewer", what, len(a.Body), cd.encoding, len(built))
		}
		if cd.encoding == contentcoding.Identity {
			identity = a.Body
		}
		checkAssetHeaders(t, what, a.Header, name, etag, cache, "")

		hd := c.do(t, req{method: "HEAD", path: path, header: h})
		if cl := hd.Header.Get("Content-Length"); hd.Status != http.StatusOK || len(hd.Body) != 0 || (cl != strconv.Itoa(len(a.Body)) && !c.fx.Reencodes) {
			t.Errorf("HEAD %s = %d with %d bytes and Content-Length %s, want 200 with none and %d", redactPath(path), hd.Status, len(hd.Body), hd.Header.Get("Content-Length"), len(a.Body))
		}
		checkAssetHeaders(t, "HEAD: "+what, hd.Header, name, etag, cache, "")

		// A revalidation with this representation's tag is a 304, with
		// no body and (as net/http does) no Content-Type.
		h["If-None-Match"] = etag
		nm := c.do(t, req{method: "GET", path: path, header: h})
		if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("%s with its ETag = %d with %d bytes, want 304 with none", what, nm.Status, len(nm.Body))
		}
		checkAssetHeaders(t, what+" (304)", nm.Header, name, etag, cache, "-Content-Type")
		// RFC 9110 §13.1.2: If-None-Match compares weakly, takes a list,
		// and "*" matches any current file. A CDN may weaken the tag.
		for _, match := range []string{"W/" + etag, `"0123456789abcdef0123456789abcdef", ` + etag, "*"} {
			h["If-None-Match"] = match
			if a := c.do(t, req{method: "GET", path: path, header: h}); a.Status != http.StatusNotModified || len(a.Body) != 0 {
				t.Errorf("%s with If-None-Match of %d tag(s) = %d with %d bytes, want 304 with none", what, strings.Count(match, `"`)/2, a.Status, len(a.Body))
			}
		}
		// Other representations' tags, near misses and malformed tags
		// get the whole representation.
		others := []string{`"0123456789abcdef0123456789abcdef"`, `W/"0123456789abcdef0123456789abcdef"`, strings.Trim(etag, `"`), "w/" + etag}
		for _, o := range contentcoding.Codings {
			if o != cd.encoding {
				others = append(others, contentcoding.ETag(sum, o))
			}
		}
		for _, match := range others {
			h["If-None-Match"] = match
			if b := c.do(t, req{method: "GET", path: path, header: h}); b.Status != http.StatusOK || !bytes.Equal(b.Body, a.Body) {
				t.Errorf("%s with a non-matching If-None-Match = %d with %d bytes, want 200 with the %d of the representation", what, b.Status, len(b.Body), len(a.Body))
			}
		}
	}
	return identity
}

// transportHeaders are set by the HTTP layer of each home, not the edge.
var transportHeaders = map[string]bool{
	"Date": true, "Content-Length": true, "Content-Encoding": true, "Transfer-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Server": true,
}

// checkAssetHeaders checks an asset answer's headers: exactly the edge's,
// besides transportHeaders. except "-Content-Type" expects none.
func checkAssetHeaders(t *testing.T, what string, h http.Header, name, etag, cache, except string) {
	t.Helper()
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".html": "text/html; charset=utf-8"}
	want := map[string]string{
		"Content-Type":           types[filepath.Ext(name)],
		"X-Content-Type-Options": "nosniff",
		"Etag":                   etag,
		"Cache-Control":          cache,
		"Vary":                   "Accept-Encoding",
	}
	if name == "frame.html" {
		want["Cache-Control"] = cacheFrame
		want["Referrer-Policy"] = "no-referrer"
		want["Content-Security-Policy"] = "" // checked in "frame policy"
	} else {
		want["Access-Control-Allow-Origin"] = "*"
		want["Cross-Origin-Resource-Policy"] = "cross-origin"
	}
	if except == "-Content-Type" {
		delete(want, "Content-Type")
	}
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || (v != "" && got[0] != v) {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	for k := range h {
		if _, ok := want[k]; !ok && !transportHeaders[k] {
			t.Errorf("%s: unexpected header %s: %q", what, k, h.Values(k))
		}
	}
}
