# Sésame — two commands: `make run` and `make test` (see README.md).
# Every tool comes from a package registry: crates.io, npm, Debian.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.10
BINARYEN_VERSION := 132.0.0
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
TOOLS := $(CURDIR)/.tools
export PATH := $(HOME)/.cargo/bin:$(TOOLS)/node_modules/.bin:$(PATH)

# One target folder for every command (`run`, `dev`, `test`, `bench`,
# `load`), shared across clones (CI builds in a fresh clone each time): a
# `make run` after `make test` serves without compiling Sésame again, and a
# clean build passes too, only slower. The release commands build with the
# same settings, so that each finds the others' artefacts fresh.
TARGET_DIR ?= $(HOME)/.cache/sesame/target
export CARGO_TARGET_DIR := $(TARGET_DIR)
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
E2E_PORT ?= 3100

.PHONY: run dev test toolchain test-deps unit integration integration-sqlite \
        integration-postgres e2e build-release fmt lint fuzz bench load oha baseline \
        own-target

## Start the portal on http://127.0.0.1:3000 (SQLite in data/, dev mailbox),
## from the release build, made first when missing or out of date.
run: export CARGO_INCREMENTAL := 0
run: build-release
	LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=sesame \
	  LEPTOS_SITE_ADDR="$${LEPTOS_SITE_ADDR:-127.0.0.1:3000}" "$(TARGET_DIR)/release/sesame"

## The developers' loop, with live reload (its debug bundle replaces the
## release one in target/site: the next release command builds again).
dev: toolchain own-target
	rm -f $(RELEASE_STAMP)
	cargo leptos watch

## Every test: lint, unit, integration on SQLite and PostgreSQL, Playwright.
test: export CARGO_INCREMENTAL := 0
test: toolchain test-deps
	$(MAKE) --no-print-directory lint unit integration e2e

toolchain:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)$$" \
	  || cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION)
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x $(TOOLS)/node_modules/.bin/wasm-opt ] \
	  && grep -q '"version": "$(BINARYEN_VERSION)"' $(TOOLS)/node_modules/binaryen/package.json \
	  || npm install --prefix $(TOOLS) --no-save --no-audit --no-fund binaryen@$(BINARYEN_VERSION)

test-deps:
	@[ -x /usr/bin/chromium ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	@[ end2end/node_modules/.package-lock.json -nt end2end/package-lock.json ] \
	  || (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)

## Cargo judges a source by its date, and the target folder is shared
## across clones: what another clone compiled there last can be newer than
## this checkout's edits and pass for their build. The folder keeps the
## path of the checkout whose commands compiled there last; for another
## one, src/lib.rs and build.rs are touched, so cargo compiles this
## checkout's sources (build-release has its own check, the stamp below;
## the release commands do not share build units with these). Two clones
## compiling at the same time are not guarded: one build at a time.
TARGET_OWNER := $(TARGET_DIR)/.checkout
own-target:
	@mkdir -p "$(TARGET_DIR)"
	@[ "$$(cat "$(TARGET_OWNER)" 2>/dev/null)" = "$(CURDIR)" ] \
	  || { touch src/lib.rs build.rs; echo "$(CURDIR)" > "$(TARGET_OWNER)"; }

unit: own-target
	cargo test --features ssr --lib
	cargo test --features ssr --test fuzz

## The parsers of user input under many random inputs (bounded: FUZZ_CASES each).
FUZZ_CASES ?= 50000
fuzz: own-target
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --release --features ssr --test fuzz

integration: integration-sqlite integration-postgres

integration-sqlite: own-target
	TEST_DATABASE=sqlite cargo test --features ssr --test integration

integration-postgres: own-target
	@pg_isready -q -d "$(TEST_POSTGRES_URL)" \
	  || { echo "PostgreSQL is unreachable at $(TEST_POSTGRES_URL): the PostgreSQL suite cannot run." >&2; exit 1; }
	@psql -q -At "$(TEST_POSTGRES_URL)" -c "SELECT datname FROM pg_database WHERE datname LIKE 'sesame_test_%'" \
	  | while read -r db; do psql -q "$(TEST_POSTGRES_URL)" -c "DROP DATABASE IF EXISTS \"$$db\""; done
	TEST_DATABASE=postgres TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" cargo test --features ssr --test integration

## The release build: the server and the browser's bundle (`--split`: each
## page's code is its own Wasm chunk, loaded when needed). Done again only
## when a source changed since, or when the shared target folder's server
## is not the one this checkout built (another clone built there): the
## stamp holds its checksum. cargo-leptos alone would redo the bundle's
## last steps (wasm-bindgen, wasm-opt on every chunk) at each call, about
## 150 s here. After another clone's build, src/lib.rs and build.rs are
## touched: cargo judges a source by its date, and the other build, newer
## than this checkout's last edits, would otherwise pass for this one's
## (seen: a change to start.js, made before another clone built, was not
## built; and after `make baseline`, build.rs was not run again, so the
## bundle carried the older commit's translations: a sentence added since
## showed as its catalogue key, `layout.loading_data`).
RELEASE_STAMP := target/site/.release-build
## The two scripts every page runs as it starts, wasm-bindgen's glue and the
## chunk loader, begin with a compile hint (Explicit JavaScript Compile
## Hints, per file; Chromium 136 and later, other browsers ignore it).
## Chromium then compiles their functions on the thread that streams them
## in, not one by one on the main thread at their first call, in the middle
## of the hydration's long task (BENCHMARKS.md, part 15, sixth pass: the
## longest task a quarter shorter at 4x). Added after each cargo-leptos
## build (which empties target/site); never twice.
COMPILE_HINT := //\# allFunctionsCalledOnLoad
COMPILED_AT_LOAD = target/site/pkg/sesame.*.js target/site/pkg/__wasm_split.*.js
## What the release is built from, listed once (dot-files, such as an
## editor's swap file, left out). A file deleted (or renamed) since the last
## build changes no input's date: the list, rewritten only when it changes,
## stands for the ones that are gone. Outside target/site, which each
## build empties.
RELEASE_NAMES := target/.release-inputs
$(shell mkdir -p target; { find src style public locales migrations -type f -not -name '.*'; \
  printf '%s\n' Cargo.toml Cargo.lock build.rs; } 2>/dev/null | LC_ALL=C sort > $(RELEASE_NAMES).new; \
  cmp -s $(RELEASE_NAMES).new $(RELEASE_NAMES) && rm -f $(RELEASE_NAMES).new || mv $(RELEASE_NAMES).new $(RELEASE_NAMES))
RELEASE_INPUTS := $(shell cat $(RELEASE_NAMES))
## The release build; its tools first (cargo-leptos would otherwise fetch
## wasm-opt from GitHub, which a build here may not reach).
build-release: toolchain
	@sha256sum --status -c $(RELEASE_STAMP) 2>/dev/null || { rm -f $(RELEASE_STAMP); touch src/lib.rs build.rs; }
	@$(MAKE) --no-print-directory $(RELEASE_STAMP)

$(RELEASE_STAMP): $(RELEASE_INPUTS) $(RELEASE_NAMES)
	cargo leptos build --release --split
	@for script in $(COMPILED_AT_LOAD); do \
	  [ "$$(head -n 1 "$$script")" = '$(COMPILE_HINT)' ] || sed -i '1i $(COMPILE_HINT)' "$$script"; \
	done
	sha256sum "$(TARGET_DIR)/release/sesame" "$(TARGET_DIR)/release/hash.txt" > $@

## The Playwright suite; `make e2e SPEC=tests/login.spec.ts` runs one spec.
SPEC ?=
e2e: build-release
	rm -rf target/e2e && mkdir -p target/e2e
	cd end2end && E2E_PORT=$(E2E_PORT) \
	  SESAME_BIN="$(TARGET_DIR)/release/sesame" \
	  npx playwright test $(SPEC)

fmt:
	cargo fmt --all

lint: own-target
	cargo fmt --all -- --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

# The release examples see the LEPTOS_OUTPUT_NAME cargo-leptos builds with:
# Leptos reads it at compile time, so a different value would make the two
# builds discard each other's release artefacts.
RELEASE_EXAMPLE := LEPTOS_OUTPUT_NAME=sesame SESAME_BIN="$(TARGET_DIR)/release/sesame" \
  cargo run --release --features ssr --example

## Figures for BENCHMARKS.md: the release server on SQLite (BENCH_ARGS=--postgres
## for PostgreSQL), driven by oha (installed from crates.io).
BENCH_ARGS ?=
bench: export CARGO_INCREMENTAL := 0
bench: test-deps build-release oha
	$(RELEASE_EXAMPLE) bench -- $(BENCH_ARGS)

## An older commit's release build for `make bench BENCH_BASELINE=target/baseline`,
## which compares the page rates of both in one run (BASELINE: the commit before
## part 8, the single-page application). Built with that commit's own Makefile in
## the shared target folder: its binary stays there until the next build-release.
BASELINE ?= 30dab06
baseline: export CARGO_INCREMENTAL := 0
baseline: toolchain
	rm -rf target/baseline && git worktree prune
	git worktree add --detach target/baseline/src $(BASELINE)
	$(MAKE) -C target/baseline/src --no-print-directory build-release
	cp $(TARGET_DIR)/release/sesame $(TARGET_DIR)/release/hash.txt target/baseline/
	cp -r target/baseline/src/target/site target/baseline/site
	git worktree remove --force target/baseline/src

## The load targets of issue 6 on SQLite, then PostgreSQL: equal answer times
## for existing and unknown addresses, 1,000 signups in a burst, 200 logins in
## flight. Prints figures and fails when a target is missed.
load: export CARGO_INCREMENTAL := 0
load: build-release oha
	$(RELEASE_EXAMPLE) load
	@pg_isready -q -d "$(TEST_POSTGRES_URL)" \
	  || { echo "PostgreSQL is unreachable at $(TEST_POSTGRES_URL)." >&2; exit 1; }
	BENCH_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(RELEASE_EXAMPLE) load -- --postgres

oha:
	@command -v oha >/dev/null || cargo install oha --locked || cargo install oha
