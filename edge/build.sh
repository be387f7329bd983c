#!/usr/bin/env bash
# Builds the Sealpay edge Worker into ./build (worker.mjs, runtime.mjs,
# wasm_exec.js, app.wasm). Run from anywhere; `make worker` calls it.
set -euo pipefail
cd "$(dirname "$0")"
# Regenerates ./build from scratch (it deletes the directory first).
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o build/app.wasm ./worker
ls -l build/app.wasm
