# Makefile fragment for the Sealpay edge Worker. Include it from the
# top-level Makefile (include edge/worker.mk) or run make -f edge/worker.mk.
#
#   make worker         build edge/build/ (worker.mjs + app.wasm)
#   make worker-dev     run it locally with wrangler dev (offline, D1 local)
#   make worker-size    print the upload size with wrangler deploy --dry-run

EDGE_DIR ?= edge
WRANGLER_ENV := PATH="$(CURDIR)/$(EDGE_DIR)/node_modules/node/bin:$$PATH" \
	CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false \
	WRANGLER_SEND_ERROR_REPORTS=false DO_NOT_TRACK=1
WRANGLER := $(CURDIR)/$(EDGE_DIR)/node_modules/.bin/wrangler

.PHONY: worker worker-dev worker-size

worker:
	bash $(EDGE_DIR)/build.sh

worker-dev: worker
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) d1 migrations apply DB --local
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) dev --ip 127.0.0.1 --port 8787

worker-size: worker
	cd $(EDGE_DIR) && $(WRANGLER_ENV) $(WRANGLER) deploy --dry-run --outdir build/dry-run
