//go:build !js

package assets

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sealpay/sealpay/sdk/qr"
)

// literal finds the JS string literal assigned by JSON.parse(…) in script
// and returns the JSON text it holds.
func literal(t *testing.T, script []byte, n int) string {
	t.Helper()
	m := regexp.MustCompile(`JSON\.parse\(("(?:[^"\\]|\\.)*")\)`).FindAllSubmatch(script, -1)
	if len(m) <= n {
		t.Fatalf("no JSON.parse literal #%d in %q", n, script)
	}
	var s string
	if err := json.Unmarshal(m[n][1], &s); err != nil {
		t.Fatalf("literal %s is not a JSON string: %v", m[n][1], err)
	}
	return s
}

// fakeFiles are stand-ins for the committed scripts and built modules.
func fakeFiles() map[string][]byte {
	direct := []byte(`var p=JSON.parse("@@sealpay:module-pins@@");`)
	frame := []byte(`var p=JSON.parse("@@sealpay:module-pins@@"),r=JSON.parse("@@sealpay:qr-roots@@");`)
	return map[string][]byte{
		WasmExec:      []byte("globalThis.Go = class {};"),
		CardModule:    []byte("\x00asm\x01\x00\x00\x00card"),
		QRModule:      []byte("\x00asm\x01\x00\x00\x00qr"),
		"direct.js":   direct,
		"frame.js":    frame,
		"sealpay.js":  []byte(`load("direct.js","` + SRI(direct) + `");`),
		"frame.html":  []byte("<!--sealpay:preload-->\n" + `<script src="frame.js" integrity="` + SRI(frame) + `" crossorigin="anonymous" defer></script>`),
		"qrdecode.js": []byte("qr"),
	}
}

func TestFill(t *testing.T) {
	files := fakeFiles()
	oldDirect := SRI(files["direct.js"])
	roots := []byte(`[{"kty":"OKP","crv":"Ed25519","x":"abc"}]`)
	if err := fill(files, roots); err != nil {
		t.Fatal(err)
	}
	var direct, frame map[string]string
	if err := json.Unmarshal([]byte(literal(t, files["direct.js"], 0)), &direct); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(literal(t, files["frame.js"], 0)), &frame); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{WasmExec: SRI(files[WasmExec]), CardModule: SRI(files[CardModule])}
	if !equalMaps(direct, want) {
		t.Errorf("direct.js pins %v, want %v (no QR module: the page never loads it)", direct, want)
	}
	want[QRModule] = SRI(files[QRModule])
	if !equalMaps(frame, want) {
		t.Errorf("frame.js pins %v, want %v", frame, want)
	}
	if got := literal(t, files["frame.js"], 1); got != string(roots) {
		t.Errorf("frame.js roots = %s, want %s", got, roots)
	}
	if !bytes.Contains(files["sealpay.js"], []byte(SRI(files["direct.js"]))) || bytes.Contains(files["sealpay.js"], []byte(oldDirect)) {
		t.Errorf("sealpay.js = %s, want it to pin the filled direct.js", files["sealpay.js"])
	}
	if want := `integrity="` + SRI(files["frame.js"]) + `"`; !bytes.Contains(files["frame.html"], []byte(want)) {
		t.Errorf("frame.html = %s, want %s", files["frame.html"], want)
	}
	// Both frames load frame.js by its content address and preload
	// wasm_exec.js and their own module, with the hashes frame.js pins.
	link := func(name, as string) string {
		sum := sha512.Sum384(files[name])
		integrity := ""
		if as == "script" {
			integrity = ` integrity="` + SRI(files[name]) + `"`
		}
		return `<link rel="preload" href="c/` + base64.RawURLEncoding.EncodeToString(sum[:]) + "/" + name + `" as="` + as + `"` + integrity + ` crossorigin="anonymous">`
	}
	for _, tc := range []struct{ file, module, other string }{{"frame.html", CardModule, QRModule}, {FrameCore, QRModule, CardModule}} {
		html := string(files[tc.file])
		sum := sha512.Sum384(files["frame.js"])
		for _, want := range []string{`src="c/` + base64.RawURLEncoding.EncodeToString(sum[:]) + `/frame.js"`, link(WasmExec, "script"), link(tc.module, "fetch")} {
			if !strings.Contains(html, want) {
				t.Errorf("%s = %s, want it to hold %s", tc.file, html, want)
			}
		}
		if strings.Contains(html, tc.other) || strings.Contains(html, preloadMarker) {
			t.Errorf("%s = %s, want no %s and no marker left", tc.file, html, tc.other)
		}
		if strings.Contains(html, WalletNonce) {
			t.Errorf("%s = %s, want no nonce placeholder (only the wallet frame has one)", tc.file, html)
		}
	}
	// The wallet frame loads frame.js as the others do, preloads nothing
	// (it runs no module), and its script element has the nonce placeholder.
	wallet := string(files[FrameWallet])
	sum := sha512.Sum384(files["frame.js"])
	if want := `<script nonce="` + WalletNonce + `" src="c/` + base64.RawURLEncoding.EncodeToString(sum[:]) + `/frame.js" integrity="` + SRI(files["frame.js"]) + `"`; !strings.Contains(wallet, want) {
		t.Errorf("%s = %s, want it to hold %s", FrameWallet, wallet, want)
	}
	if strings.Contains(wallet, "preload") || strings.Contains(wallet, preloadMarker) || strings.Count(wallet, WalletNonce) != 1 {
		t.Errorf("%s = %s, want no preload, no marker and one nonce placeholder", FrameWallet, wallet)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFillRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string][]byte)
	}{
		{"direct.js without placeholder (filled already)", func(f map[string][]byte) { f["direct.js"] = []byte("var p={}") }},
		{"frame.js with two pin placeholders", func(f map[string][]byte) {
			f["frame.js"] = append(f["frame.js"], `JSON.parse("@@sealpay:module-pins@@")`...)
		}},
		{"frame.js without roots placeholder", func(f map[string][]byte) {
			f["frame.js"] = bytes.Replace(f["frame.js"], []byte("@@sealpay:qr-roots@@"), []byte("[]"), 1)
		}},
		{"sealpay.js pins another direct.js", func(f map[string][]byte) {
			f["sealpay.js"] = []byte(`load("direct.js","` + SRI([]byte("stale")) + `");`)
		}},
		{"frame.html without its preload marker", func(f map[string][]byte) {
			f["frame.html"] = bytes.Replace(f["frame.html"], []byte(preloadMarker), nil, 1)
		}},
		{"frame.html loading frame.js twice", func(f map[string][]byte) {
			f["frame.html"] = append(f["frame.html"], `<script src="frame.js"></script>`...)
		}},
		{"frame.html pins two scripts", func(f map[string][]byte) {
			f["frame.html"] = append(f["frame.html"], `<script src="x.js" integrity="`+SRI([]byte("x"))+`"></script>`...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := fakeFiles()
			tc.mutate(files)
			if err := fill(files, []byte("[]")); !errors.Is(err, ErrAssets) {
				t.Fatalf("fill = %v, want ErrAssets", err)
			}
		})
	}
}

func TestCheckRoots(t *testing.T) {
	root, err := qr.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	jwk := root.PublicJWK()
	var compact bytes.Buffer
	if err := json.Compact(&compact, jwk); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		roots string
		want  string // compact JSON, or "" for an error
	}{
		{"none", "", "[]"},
		{"blank", " \n", "[]"},
		{"empty array", "[ ]", "[]"},
		{"one root, indented", "[\n  " + string(jwk) + "\n]", "[" + compact.String() + "]"},
		{"not JSON", "roots", ""},
		{"an object, not an array", string(jwk), ""},
		{"not a key", `[{"kty":"OKP"}]`, ""},
		{"low-order key", `[{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkRoots([]byte(tc.roots))
			if tc.want == "" {
				if err == nil {
					t.Fatalf("checkRoots = %s, want an error", got)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("checkRoots = %s, %v, want %s", got, err, tc.want)
			}
		})
	}
}

// TestBuild builds the real assets twice, for two deployments with their
// own roots: everything but frame.js and frame.html is byte-identical, and
// every pin matches the file it pins.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both modules")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	pkg := t.TempDir()
	for i := 0; i < 2; i++ {
		rk, err := qr.GenerateRootKey()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		opts := Options{Root: root, Dir: dir, QRRoots: []byte("[" + string(rk.PublicJWK()) + "]")}
		if i == 0 {
			opts.Package = pkg
		}
		if err := Build(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	read := func(dir, name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, name := range append([]string{CardModule, QRModule, WasmExec}, scripts...) {
		same := bytes.Equal(read(dirs[0], name), read(dirs[1], name))
		if want := !strings.HasPrefix(name, "frame."); same != want {
			t.Errorf("%s the same for both deployments: %v, want %v", name, same, want)
		}
	}
	dir := dirs[0]
	var sri map[string]string
	if err := json.Unmarshal(read(dir, "sri.json"), &sri); err != nil {
		t.Fatal(err)
	}
	for _, name := range append([]string{CardModule, QRModule, WasmExec}, scripts...) {
		if got, want := sri[name], SRI(read(dir, name)); got != want {
			t.Errorf("sri.json[%s] = %s, want %s", name, got, want)
		}
	}
	for _, pin := range []struct{ in, file string }{
		{"direct.js", WasmExec}, {"direct.js", CardModule},
		{"frame.js", WasmExec}, {"frame.js", CardModule}, {"frame.js", QRModule},
		{"sealpay.js", "direct.js"}, {"frame.html", "frame.js"},
	} {
		if !bytes.Contains(read(dir, pin.in), []byte(sri[pin.file])) {
			t.Errorf("%s does not pin %s's hash", pin.in, pin.file)
		}
	}
	if bytes.Contains(read(dir, "direct.js"), []byte(sri[QRModule])) {
		t.Error("direct.js pins the QR module, which the page never loads")
	}

	// The npm package's copy: its entries pin the card module, the rest is
	// as committed, and its sri.json matches.
	var pkgSRI map[string]string
	if err := json.Unmarshal(read(pkg, "sri.json"), &pkgSRI); err != nil {
		t.Fatal(err)
	}
	for name, h := range pkgSRI {
		if got := SRI(read(pkg, name)); got != h {
			t.Errorf("package sri.json[%s] = %s, want %s", name, h, got)
		}
		committed := read(filepath.Join(root, "js", "dist"), name)
		if filled := name == "esm/pure.mjs" || name == "cjs/pure.cjs"; filled == bytes.Equal(committed, read(pkg, name)) {
			t.Errorf("package %s differs from the committed file: %v, want %v", name, !filled, filled)
		}
	}
	for _, name := range []string{"esm/pure.mjs", "cjs/pure.cjs"} {
		if b := read(pkg, name); !bytes.Contains(b, []byte(sri[CardModule])) || !bytes.Contains(b, []byte(sri[WasmExec])) {
			t.Errorf("package %s does not pin the card module and wasm_exec.js", name)
		}
	}
	if len(pkgSRI) < 10 {
		t.Errorf("package has %d files, want the whole dist/", len(pkgSRI))
	}
}
