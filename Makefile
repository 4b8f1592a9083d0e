# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= reports/demo

.PHONY: demo dashboard test test-packets bench lint clean web

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/leonet demo --out $(OUT)

test: $(VENV)/.installed-test web
	$(BIN)/ruff check .
	cd web && npm run lint && npm test
	$(BIN)/python -m pytest -m "not packets and not fuzz and not cluster"

$(VENV)/.installed-packets: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,packets]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

# Packet-level runs in ns-3 (the packets extra): slow to start (cppyy), so a suite of its own.
test-packets: $(VENV)/.installed-packets
	$(BIN)/python -m pytest -m packets -p no:cacheprovider

# The dashboard's front-end (web/), built into the package folder `leonet dashboard` serves;
# rebuilt only when its sources or the lockfile change (npm ci writes the hidden lockfile).
STATIC := src/leonet/server/dashboard/static/index.html
WEB_SOURCES := $(wildcard web/*.json web/*.html web/*.ts web/*.js web/src/*.ts web/src/*.css \
	web/src/*/*.ts web/src/*/*.css)
web: $(STATIC)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

$(STATIC): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

# The demo's report on a globe, in the browser: serves until interrupted (Ctrl-C).
dashboard: $(VENV)/.installed $(STATIC)
	$(BIN)/leonet dashboard $(if $(wildcard $(OUT)/results.json),$(OUT))

bench: $(VENV)/.installed-test
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
