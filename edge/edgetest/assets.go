package edgetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

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
// the snippet pins direct.js and qrdecode.js, frame.html pins frame.js,
// and the scripts that load WebAssembly pin wasm_exec.js and the modules.
// The merchant's page pins sealpay.js with sri.json's hash.
var pins = []struct{ file, in string }{
	{"direct.js", "sealpay.js"},
	{"qrdecode.js", "sealpay.js"},
	{"frame.js", "frame.html"},
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

// assetRoutes fetches every file wasm/assets built (sri.json names them)
// from the edge: the bytes must be the build's, so their SHA-384 is the
// SRI value the snippet, the frame and sri.json publish, and the headers
// those of docs/edge-api.md — type, nosniff, ETag, cache policy, CORS for
// the scripts and modules, the frame's own policy — for GET, HEAD,
// versioned and conditional requests. Both homes must answer alike.
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
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range sri {
			if !yield(name) {
				return
			}
		}
	})
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
			sum := sha256.Sum256(built)
			etag := `"` + hex.EncodeToString(sum[:16]) + `"`
			path := "/v1/" + name
			a := c.do(t, req{method: "GET", path: path})
			if a.Status != http.StatusOK {
				t.Fatalf("GET %s = %d %s, want 200", path, a.Status, a.code())
			}
			if got := assets.SRI(a.Body); got != sri[name] || !bytes.Equal(a.Body, built) {
				t.Errorf("GET %s: %d bytes with %s, want the build's %d bytes with %s (sri.json)", path, len(a.Body), got, len(built), sri[name])
			}
			served[name] = a.Body
			checkAssetHeaders(t, "GET "+path, a.Header, name, etag, cacheShort, "")

			a = c.do(t, req{method: "GET", path: path + "?v=" + sri[name][7:15]})
			if a.Status != http.StatusOK || !bytes.Equal(a.Body, built) {
				t.Errorf("GET %s?v=… = %d with %d bytes, want 200 with the build's %d", path, a.Status, len(a.Body), len(built))
			}
			checkAssetHeaders(t, "GET "+path+"?v=…", a.Header, name, etag, cacheImmutable, "")

			a = c.do(t, req{method: "HEAD", path: path})
			if a.Status != http.StatusOK || len(a.Body) != 0 {
				t.Errorf("HEAD %s = %d with %d bytes, want 200 with none", path, a.Status, len(a.Body))
			}
			checkAssetHeaders(t, "HEAD "+path, a.Header, name, etag, cacheShort, "")

			a = c.do(t, req{method: "GET", path: path, header: map[string]string{"If-None-Match": etag}})
			if a.Status != http.StatusNotModified || len(a.Body) != 0 {
				t.Errorf("GET %s with its ETag = %d with %d bytes, want 304 with none", path, a.Status, len(a.Body))
			}
			// net/http sends no Content-Type with a 304; nor may the Worker.
			checkAssetHeaders(t, "GET "+path+" (304)", a.Header, name, etag, cacheShort, "-Content-Type")

			// RFC 9110 §13.1.2: If-None-Match compares weakly, takes a
			// list, and "*" matches any current file. A CDN may weaken
			// the tag it passes on.
			for _, match := range []string{"W/" + etag, `"0123456789abcdef0123456789abcdef", ` + etag, "*"} {
				a = c.do(t, req{method: "GET", path: path, header: map[string]string{"If-None-Match": match}})
				if a.Status != http.StatusNotModified || len(a.Body) != 0 {
					t.Errorf("GET %s with If-None-Match of %d tag(s) = %d with %d bytes, want 304 with none", path, strings.Count(match, `"`)/2, a.Status, len(a.Body))
				}
			}
			for _, match := range []string{`"0123456789abcdef0123456789abcdef"`, `W/"0123456789abcdef0123456789abcdef"`, strings.Trim(etag, `"`), "w/" + etag} {
				a = c.do(t, req{method: "GET", path: path, header: map[string]string{"If-None-Match": match}})
				if a.Status != http.StatusOK || !bytes.Equal(a.Body, built) {
					t.Errorf("GET %s with a non-matching If-None-Match = %d with %d bytes, want 200 with the build's %d", path, a.Status, len(a.Body), len(built))
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

	// The native server reads ?v= with Go's url.ParseQuery; the Worker's
	// entry must read it the same way.
	t.Run("versioned queries", func(t *testing.T) {
		for _, tc := range []struct{ query, want string }{
			{"v=1", cacheImmutable},
			{"x=1&v=2", cacheImmutable},
			{"%76=1", cacheImmutable},
			{"v=+", cacheImmutable},
			{"v=%00", cacheImmutable},
			{"v=%ff", cacheImmutable},
			{"v", cacheShort},
			{"v=", cacheShort},
			{"v=&v=1", cacheShort},
			{"V=1", cacheShort},
			{"v=1;x=2", cacheShort},
			{"x=1;y=2&v=3", cacheImmutable},
			{"v=%zz", cacheShort},
			{"v%=1", cacheShort},
			{"vv=1", cacheShort},
		} {
			a := c.do(t, req{method: "GET", path: "/v1/wasm_exec.js?" + tc.query})
			if got := a.Header.Get("Cache-Control"); a.Status != http.StatusOK || got != tc.want {
				t.Errorf("GET /v1/wasm_exec.js?%s = %d, Cache-Control %q; want 200, %q", tc.query, a.Status, got, tc.want)
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
		a := c.do(t, req{method: "GET", path: "/v1/sealpay%2Ejs"})
		if a.Status != http.StatusOK || !bytes.Equal(a.Body, served["sealpay.js"]) {
			t.Errorf("GET /v1/sealpay%%2Ejs = %d with %d bytes, want 200 with sealpay.js", a.Status, len(a.Body))
		}
	})
}

// transportHeaders are set by the HTTP layer of each home, not the edge.
var transportHeaders = map[string]bool{
	"Date": true, "Content-Length": true, "Content-Encoding": true, "Transfer-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Server": true, "Vary": true,
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
	if name == "frame.html" && !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
		t.Errorf("%s: Vary = %q, want Accept-Encoding", what, h.Values("Vary"))
	}
}
