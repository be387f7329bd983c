//go:build !js

// Package assets builds the browser assets a Sealpay edge serves: the card
// module (sealpay.wasm, from ./wasm), the QR module (sealpay-qr.wasm, from
// ./wasm/qr), wasm_exec.js from the Go toolchain that built them, and the
// committed scripts of js/dist/browser with what they pin filled in.
//
// For most uses, call [Build] with the checkout's root, an output
// directory and the registry roots to pin.
//
// # What is pinned where
//
// The modules are built with the same flags for every deployment and embed
// nothing of it, so a given source tree and toolchain give byte-identical
// modules. Their Subresource Integrity hashes (and that of wasm_exec.js)
// go into direct.js (direct mode) and frame.js (the edge's frame), where
// the JS build left a placeholder; frame.js also gets the QR registry's
// root keys, which the frame sends with every verifyQR. sealpay.js pins
// direct.js and frame.html pins frame.js by their hashes; both are updated
// to match. sealpay.js is what the merchant's page pins, with the hash
// Build writes to sri.json.
package assets

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/sealpay/sealpay/sdk/errcode"
	"github.com/sealpay/sealpay/sdk/qr"
)

// The files [Build] writes besides the scripts.
const (
	CardModule = "sealpay.wasm"    // seal, checkCard: hosted fields and direct mode
	QRModule   = "sealpay-qr.wasm" // verifyQR: loaded by the frame on first use
	WasmExec   = "wasm_exec.js"    // the Go toolchain's, never edited
	// FrameCore is frame.html for the QR-only frame (mode=core), which
	// preloads the QR module instead of the card module.
	FrameCore = "frame-core.html"
	// FrameWallet is frame.html for the wallet buttons (mode=wallet): it
	// preloads no module (that frame runs none) and its script element
	// carries the nonce placeholder [WalletNonce], which the edge replaces
	// with each answer's CSP nonce.
	FrameWallet = "frame-wallet.html"
	// WalletNonce is the placeholder of [FrameWallet]'s nonce attribute.
	WalletNonce = "@@sealpay:nonce@@"
	// Manifest describes every file and its precompressed copies for the
	// Worker's entry (edge/workerjs/assets.mjs).
	Manifest = "manifest.json"
)

// scripts are the committed browser files Build copies from js/dist/browser.
var scripts = []string{"sealpay.js", "frame.html", "frame.js", "direct.js", "qrdecode.js", "extra.js", "wallet.js"}

// modules are the Go packages Build compiles, by output file.
var modules = map[string]string{CardModule: "./wasm", QRModule: "./wasm/qr"}

// flags are the go build flags of both modules. They are fixed, so that
// every deployment gets the same bytes: -trimpath drops local paths, -s -w
// the symbol table and DWARF, -buildid= the build ID.
var flags = []string{"-trimpath", "-ldflags=-s -w -buildid="}

// The placeholders of the committed scripts (js/scripts/build.mjs), each a
// JSON string literal in the script.
const (
	pinsPlaceholder  = `"@@sealpay:module-pins@@"`
	rootsPlaceholder = `"@@sealpay:qr-roots@@"`
)

// ErrAssets is returned by [Build] when the committed scripts do not have
// the placeholders this package fills (they are missing, stale or were
// filled already) or the QR roots are not a JSON array of root keys.
var ErrAssets = errcode.New(errcode.BadRequest, "assets: bad input")

// Options configure [Build].
type Options struct {
	// Root is the checkout's root directory (go.mod, wasm/, js/dist/browser/).
	Root string
	// Dir is the output directory; it is created if needed.
	Dir string
	// QRRoots is a JSON array of the registry roots' public JWKs that the
	// frame pins for verifyQR; empty pins none (verifyQR then fails).
	QRRoots []byte
	// Go is the go command; empty means "go" from PATH.
	Go string
	// Package, if not empty, is a directory that receives a copy of js/dist
	// (the npm package's files) whose entries, esm/pure.mjs and
	// cjs/pure.cjs, pin wasm_exec.js and the card module as built, with its
	// own sri.json: what to publish, so that direct mode works from npm
	// against an edge serving the same release. Its browser/ scripts are
	// copied as committed (an edge builds its own into Dir).
	Package string
	// CacheDir keeps the precompressed copies between builds, by the
	// SHA-256 of what they decode to (brotli at its best quality takes
	// seconds per module, and the modules are the same for every
	// deployment); empty means sealpay/compressed in the user's cache
	// directory. A copy read from it is checked to decode to its file.
	CacheDir string
}

// Build compiles both modules, copies wasm_exec.js and the committed
// scripts into opts.Dir, fills in the scripts' pins and content-addressed
// URLs, writes frame.html's QR-only twin [FrameCore], writes beside every
// file its brotli (name.br) and gzip (name.gz) copies at their best
// compression, and writes sri.json with the sha384 SRI hash of every file
// served by name and [Manifest] for the Worker.
func Build(ctx context.Context, opts Options) error {
	roots, err := checkRoots(opts.QRRoots)
	if err != nil {
		return err
	}
	goCmd := opts.Go
	if goCmd == "" {
		goCmd = "go"
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("assets: go env GOROOT: %w", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", WasmExec))
	if err != nil {
		return fmt.Errorf("assets: wasm_exec.js not found in the Go toolchain (Go 1.24 or later keeps it in lib/wasm): %w", err)
	}
	files := map[string][]byte{WasmExec: wasmExec}
	for _, name := range sortedKeys(modules) {
		b, err := buildModule(ctx, goCmd, opts.Root, modules[name])
		if err != nil {
			return err
		}
		files[name] = b
	}
	for _, name := range scripts {
		b, err := os.ReadFile(filepath.Join(opts.Root, "js", "dist", "browser", name))
		if err != nil {
			return fmt.Errorf("assets: the committed script js/dist/browser/%s is missing (build it with 'cd js && npm run build'): %w", name, err)
		}
		files[name] = b
	}
	if err := fill(files, roots); err != nil {
		return err
	}
	compressed, err := compressAll(files, opts.CacheDir)
	if err != nil {
		return err
	}
	if err := write(opts.Dir, files); err != nil {
		return err
	}
	if err := writeCompressed(opts.Dir, files, compressed); err != nil {
		return err
	}
	if opts.Package != "" {
		return buildPackage(filepath.Join(opts.Root, "js", "dist"), opts.Package, files)
	}
	return nil
}

// npmEntries are the npm package's files that load the card module in
// direct mode.
var npmEntries = []string{"esm/pure.mjs", "cjs/pure.cjs"}

// buildPackage copies the npm package's dist directory into dst, filling
// the entries' module pins with those of files.
func buildPackage(dist, dst string, files map[string][]byte) error {
	pins, err := cardPins(files)
	if err != nil {
		return err
	}
	pkg := map[string][]byte{}
	err = filepath.WalkDir(dist, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dist, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "sri.json" || modules[strings.TrimPrefix(rel, "browser/")] != "" || rel == "browser/"+WasmExec {
			return nil // rewritten below; Go outputs an old build left behind
		}
		b, err := os.ReadFile(path)
		pkg[rel] = b
		return err
	})
	if err != nil {
		return err
	}
	for _, name := range npmEntries {
		if err := fillPlaceholder(pkg, name, pinsPlaceholder, pins); err != nil {
			return err
		}
	}
	return write(dst, pkg)
}

// cardPins is what direct mode pins: wasm_exec.js and the card module.
func cardPins(files map[string][]byte) ([]byte, error) {
	return json.Marshal(map[string]string{WasmExec: SRI(files[WasmExec]), CardModule: SRI(files[CardModule])})
}

// fillPlaceholder replaces the one placeholder in files[name] by a JS
// string literal holding value.
func fillPlaceholder(files map[string][]byte, name, placeholder string, value []byte) error {
	if n := bytes.Count(files[name], []byte(placeholder)); n != 1 {
		return fmt.Errorf("assets: %s has the placeholder %s %d times, want once (rebuild js/dist with 'cd js && npm run build'): %w", name, placeholder, n, ErrAssets)
	}
	// The placeholder is a JS string literal holding JSON; a JSON string is
	// a valid JS string literal.
	lit, err := json.Marshal(string(value))
	if err != nil {
		return err
	}
	files[name] = bytes.Replace(files[name], []byte(placeholder), lit, 1)
	return nil
}

// buildModule compiles one module package for js/wasm and returns its bytes.
func buildModule(ctx context.Context, goCmd, root, pkg string) ([]byte, error) {
	tmp, err := os.CreateTemp("", "sealpay-module-*.wasm")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append(append([]string{"build"}, flags...), "-o", tmp.Name(), pkg)
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = root
	// GOFLAGS and GOWASM from the environment would change the bytes.
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=", "GOWASM=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("assets: building %s failed: %v\n%s", pkg, err, stderr.String())
	}
	return os.ReadFile(tmp.Name())
}

// checkRoots returns the roots as compact JSON, after checking that each
// is a registry root public key that sdk/qr accepts.
func checkRoots(b []byte) ([]byte, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return []byte("[]"), nil
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("assets: the QR roots are not a JSON array: %w", ErrAssets)
	}
	for i, k := range keys {
		if _, err := qr.ParsePublicKey(k); err != nil {
			return nil, fmt.Errorf("assets: QR root %d: %w", i, err)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("assets: the QR roots are not JSON: %w", ErrAssets)
	}
	return buf.Bytes(), nil
}

// frameScriptPin is frame.html's <script> pin of frame.js.
var frameScriptPin = regexp.MustCompile(`integrity="sha384-[A-Za-z0-9+/]{64}"`)

// fill writes the modules' hashes into sealpay.js and frame.js, the roots
// into frame.js, and frame.js's new hash into frame.html.
func fill(files map[string][]byte, roots []byte) error {
	oldDirect := SRI(files["direct.js"])
	// Direct mode (direct.js, in the merchant's page) loads wasm_exec.js and
	// the card module; the frame loads both modules. Each pins only what it
	// loads.
	direct, err := cardPins(files)
	if err != nil {
		return err
	}
	frame, err := json.Marshal(map[string]string{
		WasmExec:   SRI(files[WasmExec]),
		CardModule: SRI(files[CardModule]),
		QRModule:   SRI(files[QRModule]),
	})
	if err != nil {
		return err
	}
	for _, r := range []struct {
		file, placeholder string
		json              []byte
	}{
		{"direct.js", pinsPlaceholder, direct},
		{"frame.js", pinsPlaceholder, frame},
		{"frame.js", rootsPlaceholder, roots},
	} {
		if err := fillPlaceholder(files, r.file, r.placeholder, r.json); err != nil {
			return err
		}
	}
	// sealpay.js pins direct.js by its hash: swap the old one for the new.
	if err := repin(files, "sealpay.js", "direct.js", oldDirect); err != nil {
		return err
	}
	html := files["frame.html"]
	if n := len(frameScriptPin.FindAll(html, -1)); n != 1 {
		return fmt.Errorf("assets: frame.html pins %d scripts, want frame.js alone: %w", n, ErrAssets)
	}
	html = frameScriptPin.ReplaceAll(html, []byte(`integrity="`+SRI(files["frame.js"])+`"`))
	// frame.html loads frame.js by its content-addressed URL, which is
	// cached for a year: relative to /v1/frame.html, c/{digest}/frame.js.
	if n := bytes.Count(html, []byte(`src="frame.js"`)); n != 1 {
		return fmt.Errorf("assets: frame.html loads frame.js %d times, want once: %w", n, ErrAssets)
	}
	html = bytes.Replace(html, []byte(`src="frame.js"`), []byte(`src="`+Path(files, "frame.js")+`"`), 1)
	if n := bytes.Count(html, []byte(preloadMarker)); n != 1 {
		return fmt.Errorf("assets: frame.html has the marker %s %d times, want once (rebuild js/dist with 'cd js && npm run build'): %w", preloadMarker, n, ErrAssets)
	}
	// The card frame starts downloading wasm_exec.js and the card module
	// with its HTML, the QR frame (mode=core) the QR module: each preloads
	// what it will load, with the hashes frame.js checks them against.
	for _, v := range []struct{ file, module string }{{"frame.html", CardModule}, {FrameCore, QRModule}} {
		links := preload(files, WasmExec, "script") + preload(files, v.module, "fetch")
		files[v.file] = bytes.Replace(html, []byte(preloadMarker), []byte(links), 1)
	}
	// The wallet frame loads Google's pay.js, which injects styles (and
	// may inject scripts) that its policy admits by nonce; frame.js reads
	// the nonce from its own script element and hands it to Google.
	wallet := bytes.Replace(html, []byte(preloadMarker), nil, 1)
	files[FrameWallet] = bytes.Replace(wallet, []byte(`<script src=`), []byte(`<script nonce="`+WalletNonce+`" src=`), 1)
	return nil
}

// preloadMarker is where frame.html gets its preload links.
const preloadMarker = "<!--sealpay:preload-->"

// preload returns a <link rel=preload> for one file by its content address.
// It is CORS with credentials "same-origin" (crossorigin="anonymous"), as
// the fetch and the script element that use it are, or the browser would
// not match them and download the file twice. A script's preload carries
// its hash; Chromium ignores integrity on as="fetch" (and warns), and the
// fetch that takes the preloaded response checks the hash itself.
func preload(files map[string][]byte, name, as string) string {
	integrity := ""
	if as == "script" {
		integrity = ` integrity="` + SRI(files[name]) + `"`
	}
	return `<link rel="preload" href="` + Path(files, name) + `" as="` + as + `"` + integrity + ` crossorigin="anonymous">`
}

// Path is the URL of files[name] relative to /v1/: c/{digest}/{name},
// digest being [Digest] of its bytes. The edge serves it as immutable.
func Path(files map[string][]byte, name string) string {
	return "c/" + Digest(files[name]) + "/" + name
}

// Digest is the content address of b: its SHA-384 in base64url without
// padding — the SRI hash's bytes, so a page can derive the URL from a pin.
func Digest(b []byte) string {
	sum := sha512.Sum384(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// repin replaces, in files[in], the hash old of file by its current hash;
// old must be there exactly once.
func repin(files map[string][]byte, in, file, old string) error {
	if n := bytes.Count(files[in], []byte(old)); n != 1 {
		return fmt.Errorf("assets: %s pins %s %d times, want once (rebuild js/dist with 'cd js && npm run build'): %w", in, file, n, ErrAssets)
	}
	files[in] = bytes.Replace(files[in], []byte(old), []byte(SRI(files[file])), 1)
	return nil
}

// write writes files (by slash-separated path) into dir, each through a
// temporary name, then sri.json.
func write(dir string, files map[string][]byte) error {
	sri := map[string]string{}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := writeFile(path, b); err != nil {
			return err
		}
		if name != FrameCore && name != FrameWallet { // served as frame.html?mode=core or mode=wallet, not by name
			sri[name] = SRI(b)
		}
	}
	b, err := json.MarshalIndent(sri, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "sri.json"), append(b, '\n'), 0o644)
}

// SRI returns the Subresource Integrity value of b: "sha384-" and the
// standard base64 of its SHA-384.
func SRI(b []byte) string {
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
