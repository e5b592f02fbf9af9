# The two commands the README opens with: `make demo` and `make test`.
# Everything they need is installed here, from PyPI and Debian's packages, so a fresh
# clone on a fresh machine works with nothing done by hand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
PYTEST_ARGS ?= --durations=20 -o console_output_style=times
# Front-end assets: GOV.UK Frontend and MOJ Frontend from the npm registry, pinned by
# package-lock.json, compiled into static files that Django serves itself (no CDN).
NPM ?= npm
WEB := src/shinealight/web
FRONTEND := $(WEB)/static/shinealight/frontend
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | sha256sum | cut -c1-12)

.PHONY: demo test test-postgres test-sqlite check lint typecheck install assets chromium clean

demo: install
	$(BIN)/shinealight demo

test: install chromium
	BIN=$(BIN) scripts/security-scan
	@echo "== test suite on PostgreSQL 15 (throwaway cluster) =="
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)
	@echo "== the database-backed tests again, on embedded SQLite =="
	# tests/core never touches a database (it is framework-free), and the HTTP, browser and
	# schema checks do not depend on the engine (tests/conftest.py, ONE_DATABASE): they
	# run once, above.
	env -u DATABASE_URL $(BIN)/pytest --ignore=tests/core -m "not one_database" $(PYTEST_ARGS)

check: lint typecheck test

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

install: $(STAMP) assets

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 2; }
	scripts/system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

assets: $(FRONTEND)/app.css

$(NODE_STAMP): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; } \
	  || { echo "need Node.js and npm to build the front-end assets"; exit 2; }
	$(NPM) ci --no-audit --no-fund --ignore-scripts
	rm -f node_modules/.installed-*
	touch $(NODE_STAMP)

# Only what the pages use is copied: the compiled stylesheet, the two JavaScript bundles,
# MOJ's icons and Leaflet. Never GOV.UK's crown images or the GDS Transport fonts (GOV.UK only).
$(FRONTEND)/app.css: $(NODE_STAMP) $(wildcard $(WEB)/assets/*.scss)
	rm -rf $(FRONTEND).tmp && mkdir -p $(FRONTEND).tmp/images
	node_modules/.bin/sass --no-source-map --quiet-deps --style=compressed \
	  --load-path=. --load-path=node_modules $(WEB)/assets/app.scss $(FRONTEND).tmp/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(FRONTEND).tmp/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js $(FRONTEND).tmp/
	cp node_modules/@ministryofjustice/frontend/moj/assets/images/icon-*.svg $(FRONTEND).tmp/images/
	cp node_modules/cytoscape/dist/cytoscape.min.js $(FRONTEND).tmp/
	mkdir -p $(FRONTEND).tmp/leaflet/images
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(FRONTEND).tmp/leaflet/
	cp node_modules/leaflet/dist/images/*.png $(FRONTEND).tmp/leaflet/images/
	rm -rf $(FRONTEND) && mv $(FRONTEND).tmp $(FRONTEND)

# The browser tests drive Debian's Chromium. CI runs as root on a fresh machine, so install
# it there; elsewhere the browser tests skip and say why.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Chromium from Debian's packages for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	  || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	  || echo "could not install Chromium: the browser tests will be skipped"; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules $(FRONTEND) test-artefacts
