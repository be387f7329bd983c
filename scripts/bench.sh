#!/usr/bin/env bash
# Prints every figure Sealpay measures, with the machine it ran on, and then
# one table of medians (benchstat) over all of them. `make bench` runs it.
#
# Each part prints Go benchmark lines (name, iterations, value unit …), so
# one table (scripts/benchtable.awk) holds host micro-benchmarks, the native
# tokenize load test, the Worker under workerd and the browser figures; the
# raw lines are kept in BENCH_OUT (if set) for benchstat A/B comparisons.
# Parts that need a tool the machine lacks say so and are left out.
#
#   scripts/bench.sh            all parts
#   BENCH_COUNT=6               runs per Go micro-benchmark (default 6)
#   BENCH_PARTS="go native"     a subset: go native worker browser firstload wrappers
#   BENCH_FIRSTLOAD_RUNS=5      runs of the first-load benchmark per network
#   BENCH_NATIVE_RUNS=3         runs of the native tokenize load test
#   BENCH_NATIVE_CHECKPOINT=    database_checkpoint, only for comparing with a
#                               sealpay built before edge/sqlitedb (see docs/notes)
set -euo pipefail
cd "$(dirname "$0")/.."

count=${BENCH_COUNT:-6}
parts=${BENCH_PARTS:-go native worker browser firstload wrappers}
out=$(mktemp -d)
trap 'if [ -n "${BENCH_OUT:-}" ]; then mkdir -p "$BENCH_OUT" && cp "$out"/*.txt "$BENCH_OUT"/; fi; rm -rf "$out"' EXIT

echo "# Sealpay benchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "go:      $(go version | cut -d' ' -f3-)"
echo "node:    $(node --version)"
echo "chromium: $( (chromium --version 2>/dev/null || echo none) | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }

if part go; then
	echo "## Go micro-benchmarks (host, -count $count): card, envelope, QR, vault, bridge"
	go test -run '^$' -bench . -benchmem -count "$count" \
		./sdk/card ./sdk/envelope ./sdk/qr ./sdk/token ./sdk/risk ./sdk/bridge/... >"$out/go.txt"
	grep -c '^Benchmark' "$out/go.txt" | sed 's/^/benchmark lines: /'
	echo
fi

if part native; then
	echo "## Native tokenize: sealpay serve + SQLite on loopback (go run ./edge/bench)"
	command -v wrk >/dev/null || echo "(wrk not installed: apt-get install wrk adds the wrk run)"
	go build -o "$out/edgebench" ./edge/bench
	for i in $(seq "${BENCH_NATIVE_RUNS:-3}"); do
		"$out/edgebench" -n "${BENCH_NATIVE_N:-20000}" -c 32 -checkpoint "${BENCH_NATIVE_CHECKPOINT:-}" \
			-bench-lines "$out/native-run.txt"
		cat "$out/native-run.txt" >>"$out/native.txt" && rm "$out/native-run.txt"
	done
	echo
fi

if part worker; then
	echo "## Worker under wrangler dev / workerd: per-request CPU, upload size"
	if [ -x edge/node_modules/.bin/wrangler ]; then
		make --no-print-directory -f edge/worker.mk worker-bench WORKER_BENCH_COUNT=3 | tee "$out/worker.txt"
	else
		echo "(edge/node_modules missing: run make test or cd edge && npm ci)"
	fi
	echo
fi

if part browser; then
	echo "## Browser (headless Chromium on loopback): ready, seal vs @hpke/core, QR verify, sizes"
	if [ -x /usr/bin/chromium ] && [ -d e2e/node_modules ]; then
		node e2e/bench.mjs >"$out/browser.txt"
	else
		echo "(chromium or e2e/node_modules missing: run make test first)"
	fi
	echo
fi

if part firstload; then
	echo "## First load: the demo storefront in Chromium, network emulated (loopback, 4G, Fast 3G), cold and warm; Lighthouse"
	if [ -x /usr/bin/chromium ] && [ -d e2e/node_modules ]; then
		node e2e/bench/firstload.mjs -runs "${BENCH_FIRSTLOAD_RUNS:-5}" | tee "$out/firstload.txt" | grep -v '^Benchmark' || true
	else
		echo "(chromium or e2e/node_modules missing: run make test first)"
	fi
	echo
fi

if part wrappers; then
	echo "## Framework wrappers: @sealpay/react and @sealpay/vue, min+gzip, alone and over @sealpay/js (budget 3 KB)"
	if [ -d js/react/node_modules ] && [ -d js/vue/node_modules ]; then
		(cd js/react && npm run -s build) && (cd js/vue && npm run -s build)
		node js/scripts/wrapper-sizes.mjs | tee "$out/wrappers.txt" | grep -v '^Benchmark'
	else
		echo "(js/react or js/vue node_modules missing: run make test first)"
	fi
	echo
fi

echo "## All figures in one table (medians over the runs)"
echo
awk -f scripts/benchtable.awk "$out"/*.txt
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
