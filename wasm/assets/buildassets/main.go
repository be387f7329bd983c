//go:build !js

// Command buildassets builds the browser assets a Sealpay edge serves into
// a directory, with [assets.Build]: both WebAssembly modules, wasm_exec.js
// and the committed scripts with their pins filled in, plus sri.json.
// js/scripts/build-wasm.mjs runs it:
//
//	go run ./wasm/assets/buildassets -out DIR [-qr-roots roots.json] [-package PKGDIR]
//
// roots.json is a JSON array of the QR registry roots' public JWKs.
// PKGDIR receives the npm package's dist/ with its direct-mode entries
// pinning the modules just built (see [assets.Options]).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/sealpay/sealpay/wasm/assets"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	rootsFile := flag.String("qr-roots", "", "file with a JSON array of QR registry root public JWKs")
	root := flag.String("root", ".", "the checkout's root directory")
	pkg := flag.String("package", "", "also write the npm package's dist/ into this directory, its entries pinning the modules")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	var roots []byte
	if *rootsFile != "" {
		b, err := os.ReadFile(*rootsFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "buildassets:", err)
			os.Exit(1)
		}
		roots = b
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := assets.Build(ctx, assets.Options{Root: *root, Dir: *out, QRRoots: roots, Go: os.Getenv("GO"), Package: *pkg}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
