# Hotline Desk — the two commands a new machine needs:
#   make run    install what is missing, build, open the app
#   make test   install what is missing, run every check and test

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
UI_DIR := ui
APP_BIN := target/debug/hotline-desk
CLI_BIN := target/debug/hotline
VENV := target/e2e-venv
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: help run test deps-run deps-test ui-deps ui ui-check ui-test app cli \
        fmt-check clippy cargo-test bindings e2e screenshots package package-assets package-test bench clean

help:
	@echo "make run      install what is missing, build and open Hotline Desk"
	@echo "make test     install what is missing and run every check and test"
	@echo "make package  build a .deb (release): the app, the hotline command, its man pages"
	@echo "make bench    measure the store, the app start-up and memory (docs/PERFORMANCE.md)"
	@echo "make bindings regenerate the window's TypeScript types from the Rust types"
	@echo "make screenshots  retake docs/screenshots/ (every screen, English and Spanish)"

deps-run:
	@scripts/ensure-deps.sh run

deps-test:
	@scripts/ensure-deps.sh test

# npm ci only when the lock file changed since the last install.
$(UI_DIR)/node_modules/.installed: $(UI_DIR)/package-lock.json
	cd $(UI_DIR) && npm ci --no-audit --no-fund
	touch $@

ui-deps: $(UI_DIR)/node_modules/.installed

# The app embeds ui/dist at compile time, so rebuilding it needlessly would
# recompile the app (debug and release) on every run: build it only when a
# source, a setting or the installed packages changed.
UI_SOURCES := $(shell find $(UI_DIR)/src) \
  $(addprefix $(UI_DIR)/,index.html package.json svelte.config.js tsconfig.json vite.config.ts)

$(UI_DIR)/dist/index.html: $(UI_DIR)/node_modules/.installed $(UI_SOURCES)
	cd $(UI_DIR) && npm run build
	@echo "UI bundle: $$(cat $(UI_DIR)/dist/assets/*.js | wc -c) bytes of JavaScript"

ui: $(UI_DIR)/dist/index.html

ui-check: ui-deps
	cd $(UI_DIR) && npm run check

ui-test: ui-deps
	cd $(UI_DIR) && npm test

# The app embeds ui/dist at compile time, so the UI is built first.
app: ui
	$(CARGO) build -p hotline-desk

cli:
	$(CARGO) build -p hotline-cli

# The window's TypeScript types (ui/src/lib/bindings/), generated from the Rust
# types by src-tauri/src/bindings.rs: run after changing a type that crosses to
# the window, and commit the result. `cargo test` fails while they are stale.
bindings: ui
	HOTLINE_WRITE_BINDINGS=1 $(CARGO) test -p hotline-desk --bin hotline-desk bindings

run: deps-run app
	@if [ -z "$${DISPLAY:-}" ] && [ -z "$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are unset)."; \
	  echo "Run it from a desktop session, or on a headless machine: xvfb-run -a make run"; \
	  exit 1; \
	fi
	@echo "Data folder: $${HOTLINE_DATA_DIR:-$$HOME/.local/share/hotline-desk (default)}"
	$(APP_BIN)

fmt-check:
	$(CARGO) fmt --all -- --check

clippy: ui
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p hotline-cli --features bench --bin hotline-bench -- -D warnings

cargo-test: ui
	$(CARGO) test --workspace

$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

# End-to-end: the real app binary over WebDriver under Xvfb, and the CLI as a
# process. Screenshots land in target/e2e-screenshots/.
e2e: app cli $(VENV)/.installed
	HOTLINE_APP_BIN=$(CURDIR)/$(APP_BIN) HOTLINE_CLI_BIN=$(CURDIR)/$(CLI_BIN) \
	  $(XVFB) $(VENV)/bin/python -m pytest -p no:cacheprovider tests/cli tests/e2e

# docs/screenshots/<screen>.<lang>.png: the accessibility walk of every screen
# (tests/e2e/screens.py) with a camera, at the window's 1280x800 under Xvfb;
# optipng shrinks them when it is installed.
SHOTS := docs/screenshots
# The test that holds the files to the list: run once they are all written.
SHOTS_LISTED := test_the_committed_screenshots_and_their_list_are_the_screens
screenshots: app cli $(VENV)/.installed
	rm -f $(SHOTS)/*.png
	HOTLINE_SCREENSHOT_DIR=$(CURDIR)/$(SHOTS) \
	  HOTLINE_APP_BIN=$(CURDIR)/$(APP_BIN) HOTLINE_CLI_BIN=$(CURDIR)/$(CLI_BIN) \
	  $(XVFB) $(VENV)/bin/python -m pytest -p no:cacheprovider -q tests/e2e/test_screens.py \
	  -k "not $(SHOTS_LISTED)"
	@if command -v optipng >/dev/null; then optipng -quiet -o2 -strip all $(SHOTS)/*.png; \
	  else echo "optipng not installed: the screenshots are not optimised"; fi
	$(VENV)/bin/python -m pytest -p no:cacheprovider -q tests/e2e/test_screens.py::$(SHOTS_LISTED)
	@du -ch $(SHOTS)/*.png | tail -1

test: deps-test fmt-check ui-check ui-test clippy cargo-test e2e package-test

# The package: `tauri build` compiles the app and the `hotline` command (with
# `hotline-assets`) in one cargo run, so the crates they share are built once
# with the same features; then, before bundling, it runs `make package-assets`
# (beforeBundleCommand in src-tauri/tauri.conf.json), and the files map there
# puts the command, its man pages and its completions in the .deb.
PACKAGE_ASSETS := target/package-assets
DEB_DIR := target/release/bundle/deb

package: deps-run ui
	rm -f $(DEB_DIR)/*.deb
	$(UI_DIR)/node_modules/.bin/tauri build --bundles deb -- -p hotline-desk -p hotline-cli
	@ls -l target/release/hotline-desk target/release/hotline $(DEB_DIR)/*.deb

# The man pages (gzipped, as Debian keeps them) and the bash, zsh and fish
# completions, generated from the clap definitions by the release build of
# `hotline-assets` that `make package` has just made.
package-assets:
	rm -rf $(PACKAGE_ASSETS)
	target/release/hotline-assets $(PACKAGE_ASSETS)
	gzip -9n $(PACKAGE_ASSETS)/man1/*.1

# The package as a coordinator gets it: installed into this machine with
# apt-get (root, or sudo without a password prompt), the installed command and
# app used on a temporary data folder, then removed; see tests/package/.
package-test: package $(VENV)/.installed
	HOTLINE_DEB="$$(ls $(DEB_DIR)/*.deb)" \
	  $(XVFB) $(VENV)/bin/python -m pytest -p no:cacheprovider tests/package

# Benchmarks (not tests: nothing fails on a timing). The store benchmark
# compares the encrypted vault with plain SQLite in the same run (feature
# `bench`, never in a release package); the app script times start-up and
# unlock over WebDriver and sums the RSS of the app's process tree.
# Figures land in target/bench/; docs/PERFORMANCE.md explains them.
BENCH_SIZES ?= 10000,100000
BENCH_RUNS ?= 5
# Each full integrity check reads the whole store (about 45 s for the slowest at 1M).
BENCH_CHECK_REPS ?= 1
# The team benchmark: enrolled laptops, and calls each (a year); 0 laptops skips it.
BENCH_TEAM_LAPTOPS ?= 50
BENCH_TEAM_CALLS ?= 600

# `make package` has built target/release/hotline beside the app.
bench: package $(VENV)/.installed
	$(CARGO) build --release -p hotline-cli --features bench --bin hotline-bench
	target/release/hotline-bench --sizes $(BENCH_SIZES) --check-reps $(BENCH_CHECK_REPS) \
	  --team-laptops $(BENCH_TEAM_LAPTOPS) --team-calls $(BENCH_TEAM_CALLS)
	HOTLINE_APP_BIN=$(CURDIR)/target/release/hotline-desk \
	  HOTLINE_CLI_BIN=$(CURDIR)/target/release/hotline \
	  $(XVFB) $(VENV)/bin/python tests/bench_app.py --runs $(BENCH_RUNS) \
	  --deb "$$(ls target/release/bundle/deb/*.deb | head -n 1)"
	@echo
	@cat target/bench/results.md
	@echo "release binary: $$(stat -c %s target/release/hotline-desk) bytes"
	@for deb in target/release/bundle/deb/*.deb; do echo "$$deb: $$(stat -c %s "$$deb") bytes"; done
	@echo "figures: target/bench/results.json, target/bench/results.md, target/bench/app.json"

clean:
	$(CARGO) clean
	rm -rf $(UI_DIR)/dist $(UI_DIR)/node_modules
