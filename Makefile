# Sealpay — build, test and benchmark.
#
#   make test    installs what the tests need (Chromium with apt, npm packages
#                with `npm ci` from committed lockfiles), then runs every test
#   make bench   prints the benchmark figures
#   make worker  builds the Cloudflare Worker into edge/build/, with the browser
#                assets (SEALPAY_QR_ROOTS=roots.json, or SEALPAY_ASSETS=DIR to copy
#                a built directory; see edge/build.sh)
#
# Set-up steps are idempotent; CI runs `make test` on a fresh clone with CI=true.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
NPM ?= npm
GOROOT := $(shell $(GO) env GOROOT)

# npm projects with committed lockfiles; `make deps` runs `npm ci` in each.
NPM_PROJECTS := $(patsubst %/package-lock.json,%,$(wildcard interop/*/package-lock.json js/package-lock.json js/react/package-lock.json js/vue/package-lock.json examples/*/package-lock.json edge/package-lock.json e2e/package-lock.json openapi/package-lock.json))

# Debian's Chromium for the browser tests; apt needs root (or sudo).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help test deps npm-deps chromium lint openapi-lint go-test wasm-test js-test js-wrappers examples e2e bench worker

help:
	@echo "make test    install test dependencies and run every test"
	@echo "make bench   print benchmark figures"
	@echo "make worker  build the Cloudflare Worker and its browser assets (edge/build/)"

test: deps lint openapi-lint go-test wasm-test js-test js-wrappers examples e2e
	@echo "make test: all suites passed"

deps: npm-deps chromium

# npm ci only when the lockfile is newer than the installed tree.
npm-deps: $(addsuffix /node_modules/.package-lock.json,$(NPM_PROJECTS))

%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	cd $* && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing chromium with apt"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/... ./edge/worker/...

# docs/openapi.yaml, linted by Redocly CLI (openapi/redocly.yaml; accepted
# findings in openapi/.redocly.lint-ignore.yaml). The contract test that
# checks the document against the live native server is in go-test
# (edge/openapi_native_test.go).
openapi-lint:
	cd openapi && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(NPM) run --silent lint

# Go unit tests, examples, fuzz seeds (the seed corpora run as ordinary
# tests), npm interop, the edge suite natively and under wrangler/workerd.
go-test:
	$(GO) test -count=1 ./...

# The syscall/js bindings of the browser module, run under Node.
wasm-test:
	PATH="$$PATH:$(GOROOT)/lib/wasm" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/...

# @sealpay/js: type tests, loader tests, npm pack, committed dist up to date.
js-test:
	node js/scripts/build-wasm.mjs
	cd js && $(NPM) test

# @sealpay/react and @sealpay/vue (js/react, js/vue): build, type tests of
# a consumer file, jsdom and server-rendering tests, size budget.
js-wrappers: npm-deps
	cd js/react && $(NPM) test
	cd js/vue && $(NPM) test

# The React and Vue checkouts (examples/*-checkout), built with Vite from
# their lockfiles (React also as a development build, where StrictMode
# double-mounts); e2e/frameworks.test.mjs runs them against the demo.
examples: npm-deps
	cd js/react && $(NPM) run build
	cd js/vue && $(NPM) run build
	cd examples/react-checkout && $(NPM) run build && $(NPM) run build:dev
	cd examples/vue-checkout && $(NPM) run build

# Browser tests in headless Chromium (e2e/, node --test with playwright-core).
e2e: examples
	cd e2e && $(NPM) test

worker:
	bash edge/build.sh

# Every figure, with the machine it ran on, and one table of medians
# (scripts/bench.sh; BENCHMARKS.md records a run). wrk is optional.
# Lighthouse (e2e/lighthouse) is for the first-load figures of make bench only.
bench: deps e2e/lighthouse/node_modules/.package-lock.json
	@command -v wrk >/dev/null || { $(SUDO) apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed; the Go load generator runs alone"; }
	bash scripts/bench.sh
