# Covenant: `make run` serves the app with demo data; `make test` checks everything.
# Both install what they need first, from a fresh clone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app covenant
STATIC := covenant/static
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
ASSETS_BUILT := $(STATIC)/.built
ASSETS_WORK := build/assets
SCSS := $(wildcard covenant/assets/scss/*.scss)
JS := $(wildcard covenant/assets/js/*.mjs)
IMAGES := $(wildcard covenant/assets/images/*)

.PHONY: run test lint typecheck pytest chromium assets install bench clean db demo

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Covenant needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The front end: Sass compiles only the GOV.UK and MOJ components the pages use; esbuild bundles that and the one
# JavaScript entry (tree-shaken from the npm packages; the place autocomplete, built from its JSX source, in a
# chunk of its own that only pages with a place list fetch), gives every file a content-hashed name, copies only
# the images the CSS refers to and writes a metafile the app reads the names from; then WhiteNoise compresses
# each file with Brotli and gzip. The autocomplete's source is JSX in .js files and needs the constants its own
# build defines; its class fields are left as they are: lowering them to ES2020 would put a helper in a third
# file that every page fetches first (a browser without class fields keeps the plain list).
$(ASSETS_BUILT): Makefile $(NODE_INSTALLED) $(INSTALLED) $(SCSS) $(JS) $(IMAGES)
	rm -rf $(STATIC) $(ASSETS_WORK)
	mkdir -p $(ASSETS_WORK)/css $(ASSETS_WORK)/images
	cp node_modules/govuk-frontend/dist/govuk/assets/images/* node_modules/@ministryofjustice/frontend/moj/assets/images/* \
		$(ASSETS_WORK)/images/
	npx sass --pkg-importer=node --load-path=. --style=compressed --no-source-map --quiet-deps \
		covenant/assets/scss/covenant.scss $(ASSETS_WORK)/css/covenant.css
	npx esbuild --bundle --splitting --format=esm --minify --log-level=warning \
		--target=es2020 --supported:class-field=true --supported:class-static-field=true \
		--loader:.js=jsx --define:process.env.COMPONENT_LIBRARY='"PREACT"' --define:process.env.NODE_ENV='"production"' \
		--outdir=$(STATIC) --entry-names='[dir]/[name]-[hash]' --chunk-names='js/[name]-[hash]' \
		--asset-names='images/[name]-[hash]' --loader:.svg=copy --loader:.png=copy --metafile=$(STATIC)/metafile.json \
		js/covenant=covenant/assets/js/covenant.mjs css/covenant=$(ASSETS_WORK)/css/covenant.css \
		$(foreach image,$(IMAGES),images/$(basename $(notdir $(image)))=$(image))
	$(BIN)/python -m whitenoise.compress --quiet $(STATIC)
	touch $@

install: $(INSTALLED) $(NODE_INSTALLED)

assets: $(ASSETS_BUILT)

db: $(INSTALLED)
	COVENANT_ENV=development $(FLASK) db upgrade
	COVENANT_ENV=development $(FLASK) load-authorities
	COVENANT_ENV=development $(FLASK) load-places

demo: db
	COVENANT_ENV=development $(FLASK) seed-demo --if-empty

run: $(INSTALLED) $(ASSETS_BUILT) demo
	COVENANT_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

# The browser tests use Debian's Chromium, installed here when missing and running as root; without it they are
# skipped (and fail under CI=true).
chromium: export DEBIAN_FRONTEND = noninteractive
chromium:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		echo "Installing Chromium for the browser tests" && \
		{ apt-get install -y -qq chromium >/dev/null 2>&1 || \
			{ apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; }; } || \
		echo "Chromium is not installed at /usr/bin/chromium, so the browser tests will be skipped"

# Both cores: pytest-xdist runs the tests in PYTEST_WORKERS processes (each with its own database and, for the
# browser layer, its own server and Chromium). `make pytest PYTEST_ARGS="-m 'not browser'"` runs only the fast layer.
PYTEST_WORKERS ?= auto
pytest: $(INSTALLED) $(ASSETS_BUILT) chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck pytest

# The load test uses Debian's wrk when it can be had (installed here when running as root), otherwise a small
# Python load generator; either way the same one for both routes. Then Lighthouse measures the public pages in
# Debian's Chromium (LIGHTHOUSE_ARGS: --runs N).
bench: $(INSTALLED) $(ASSETS_BUILT) chromium
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }; } || \
		echo "wrk is not installed, so the load test uses the Python load generator"
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.lighthouse $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) node_modules $(STATIC) $(ASSETS_WORK) .pytest_cache .mypy_cache .ruff_cache
