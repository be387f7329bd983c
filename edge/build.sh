#!/usr/bin/env bash
# Builds the Sealpay edge Worker into ./build: worker.mjs and pool.mjs (our
# entry, from ./workerjs), wasm_exec.js (from the Go toolchain that builds
# app.wasm, unmodified) and app.wasm (./worker). Run from anywhere;
# `make worker` calls it.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf build
mkdir -p build
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" build/
cp workerjs/worker.mjs workerjs/pool.mjs build/
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o build/app.wasm ./worker
ls -l build/app.wasm
