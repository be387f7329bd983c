#!/usr/bin/env bash
# Builds the Sealpay edge Worker into ./build (or the directory given as the
# first argument): worker.mjs and pool.mjs (our entry, from ./workerjs),
# wasm_exec.js (from the Go toolchain that builds app.wasm, unmodified) and
# app.wasm (./worker). Run from anywhere; `make worker` calls it. Go build
# flags come from GOFLAGS (the tests build with -tags=sealpay_crashtest).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-build}"
rm -rf "$out"
mkdir -p "$out"
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$out/"
cp workerjs/worker.mjs workerjs/pool.mjs "$out/"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/app.wasm" ./worker
ls -l "$out/app.wasm"
