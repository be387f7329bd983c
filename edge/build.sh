#!/usr/bin/env bash
# Builds the Sealpay edge Worker into ./build (or the directory given as the
# first argument). Run from anywhere; `make worker` calls it.
#
#   worker.mjs, pool.mjs, assets.mjs, d1.mjs, metrics.mjs  our entry (from ./workerjs)
#   wasm_exec.js                              from the Go toolchain that builds app.wasm, unmodified
#   app.wasm                                  the edge (./worker)
#   assets/v1/                                the browser assets and their .br and .gz copies,
#                                             uploaded as Workers static assets (wrangler.toml
#                                             [assets]) and served by the entry at GET /v1/{name}
#                                             and GET /v1/c/{digest}/{name}
#   assets.json                               wasm/assets' manifest: digests, ETags, lengths
#   sri.json                                  their SRI hashes: publish sealpay.js's for the snippet
#
# The browser assets are those wasm/assets builds (both WebAssembly modules,
# wasm_exec.js, the committed scripts of js/dist/browser with their pins):
#   SEALPAY_ASSETS=DIR      copy a directory built already, e.g. the assets_dir of
#                           a native edge (`node js/scripts/build-wasm.mjs DIR
#                           --qr-roots roots.json`), so both serve the same bytes;
#   SEALPAY_QR_ROOTS=FILE   otherwise they are built here, the frame pinning the
#                           QR registry roots in FILE (a JSON array of public JWKs;
#                           without it verifyQR has no roots and fails).
# Go build flags for app.wasm come from GOFLAGS (the tests build with
# -tags=sealpay_crashtest).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-build}"
assets_in="${SEALPAY_ASSETS:-}"
roots="${SEALPAY_QR_ROOTS:-}"
# Relative paths are the caller's, not this directory's.
if [ -n "$assets_in" ] && [ "${assets_in:0:1}" != / ]; then assets_in="$OLDPWD/$assets_in"; fi
if [ -n "$roots" ] && [ "${roots:0:1}" != / ]; then roots="$OLDPWD/$roots"; fi

rm -rf "$out"
mkdir -p "$out/assets/v1"
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/"
cp workerjs/worker.mjs workerjs/pool.mjs workerjs/assets.mjs workerjs/d1.mjs workerjs/metrics.mjs "$out/"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/app.wasm" ./worker

# The files the edge serves; edge/assets.go and workerjs/assets.mjs list
# the same names. frame-core.html and frame-wallet.html are frame.html for
# mode=core and mode=wallet. Each comes
# with its brotli and gzip copies, which wasm/assets writes beside it.
names="sealpay.js frame.html frame-core.html frame-wallet.html frame.js direct.js qrdecode.js extra.js wallet.js sealpay.wasm sealpay-qr.wasm wasm_exec.js"
if [ -z "$assets_in" ]; then
	if [ -z "$roots" ]; then
		echo "build.sh: WARNING: neither SEALPAY_ASSETS nor SEALPAY_QR_ROOTS is set: the frame pins no QR registry root, so verifyQR in the browser fails until you rebuild with SEALPAY_QR_ROOTS=roots.json" >&2
	fi
	assets_in="$out/browser"
	# A host build of the tool (GOOS and GOARCH must not leak in); it builds
	# the modules with its own fixed flags.
	env -u GOOS -u GOARCH go run ../wasm/assets/buildassets -root .. -out "$assets_in" ${roots:+-qr-roots "$roots"}
fi
for name in $names; do
	for file in "$name" "$name.br" "$name.gz"; do
		if [ ! -f "$assets_in/$file" ]; then
			echo "build.sh: $assets_in/$file is missing (build the assets with js/scripts/build-wasm.mjs or wasm/assets/buildassets)" >&2
			exit 1
		fi
		cp "$assets_in/$file" "$out/assets/v1/"
	done
done
# The entry's table of the files, their ETags and lengths.
if [ ! -f "$assets_in/manifest.json" ]; then
	echo "build.sh: $assets_in/manifest.json is missing (rebuild the assets with wasm/assets)" >&2
	exit 1
fi
cp "$assets_in/manifest.json" "$out/assets.json"
if [ -f "$assets_in/sri.json" ]; then cp "$assets_in/sri.json" "$out/"; fi
if [ "$assets_in" = "$out/browser" ]; then rm -rf "$assets_in"; fi

ls -l "$out/app.wasm"
