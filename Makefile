# Sealpay — build, test and benchmark.
#
#   make test    installs what the tests need (npm packages from committed
#                lockfiles), then runs every test
#   make bench   prints the benchmark figures
#
# Set-up steps are idempotent; CI runs `make test` on a fresh clone with CI=true.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
NPM ?= npm

# npm projects whose lockfiles are committed; `make deps` runs `npm ci` in each.
NPM_PROJECTS := $(patsubst %/package-lock.json,%,$(wildcard interop/*/package-lock.json js/package-lock.json edge/package-lock.json e2e/package-lock.json))

# Debian's Chromium for the browser tests; apt needs root (or sudo).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test deps npm-deps chromium lint go-test e2e bench help

help:
	@echo "make test   install test dependencies and run every test"
	@echo "make bench  print benchmark figures"

test: deps lint go-test e2e
	@echo "make test: all suites passed"

deps: npm-deps chromium

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "installing chromium with apt"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

# npm ci only when the lockfile is newer than the installed tree.
npm-deps: $(addsuffix /node_modules/.package-lock.json,$(NPM_PROJECTS))

%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	cd $* && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Go unit tests, examples and fuzz seeds (the seed corpora run as ordinary tests).
go-test:
	$(GO) test -count=1 ./...

# Browser tests in headless Chromium (e2e/, node --test with playwright-core).
e2e:
	cd e2e && $(NPM) test

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./sdk/... | tee /tmp/sealpay-bench.txt
