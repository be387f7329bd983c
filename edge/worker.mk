# Makefile fragment for the Sealpay edge Worker. Include it from the
# top-level Makefile (include edge/worker.mk) or run make -f edge/worker.mk.
#
#   make worker         build edge/build/ (our entry, app.wasm, the browser assets;
#                       SEALPAY_QR_ROOTS / SEALPAY_ASSETS, see build.sh)
#   make worker-dev     run it locally with wrangler dev (offline, D1 local)
#   make worker-size    print the upload size with wrangler deploy --dry-run
#   make worker-bench   print the Worker figures: upload size, load average,
#                       and per-request CPU and wall time under wrangler dev
#                       (median of WORKER_BENCH_COUNT runs) for our entry, a
#                       JS-only replay of its D1 calls and a JS-only floor

EDGE_DIR ?= edge
WRANGLER_ENV := PATH="$(CURDIR)/$(EDGE_DIR)/node_modules/node/bin:$$PATH" \
	CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false \
	WRANGLER_SEND_ERROR_REPORTS=false DO_NOT_TRACK=1
WRANGLER := $(CURDIR)/$(EDGE_DIR)/node_modules/.bin/wrangler
WORKER_BENCH_COUNT ?= 3
WORKER_BENCH_N ?= 100

.PHONY: worker worker-dev worker-size worker-bench

worker:
	bash $(EDGE_DIR)/build.sh

worker-dev: worker
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) d1 migrations apply DB --local
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) dev --ip 127.0.0.1 --port 8787

worker-size: worker
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) deploy --dry-run --outdir build/dry-run

# The median of each benchmark metric over the runs (POSIX awk).
define WORKER_MEDIANS
/^Benchmark/ {
	name = $$1; sub(/-[0-9]+$$/, "", name); sub(/^BenchmarkWorkerRequestCPU\//, "", name)
	for (i = 5; i < NF; i += 2) {
		k = name " " $$(i + 1)
		if (!(k in n)) order[++m] = k
		v[k, ++n[k]] = $$i + 0
	}
}
END {
	for (j = 1; j <= m; j++) {
		k = order[j]; c = n[k]
		for (a = 2; a <= c; a++)
			for (b = a; b > 1 && v[k, b - 1] > v[k, b]; b--) { t = v[k, b]; v[k, b] = v[k, b - 1]; v[k, b - 1] = t }
		med = c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2
		split(k, f, " ")
		printf "%-14s %-28s %8.2f   (median of %d)\n", f[1], f[2], med, c
	}
}
endef
export WORKER_MEDIANS

# (The benchmark rebuilds edge/build, so its output goes to a temporary file.)
worker-bench: worker-size
	@echo "load average: $$(cut -d' ' -f1-3 /proc/loadavg)"
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && \
	go test -count=$(WORKER_BENCH_COUNT) -run '^$$' -bench WorkerRequestCPU -benchtime $(WORKER_BENCH_N)x ./$(EDGE_DIR)/ | tee "$$out" && \
	echo "load average: $$(cut -d' ' -f1-3 /proc/loadavg)" && \
	awk "$$WORKER_MEDIANS" "$$out"
