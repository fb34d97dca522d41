# Klantreis — two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run serve test test-fast bench bench-parts lint install install-dev clean-db messages catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The translations, compiled for gettext (journeys/language.py); the .mo files are not kept in git.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/klantreis.po))
locales/%/LC_MESSAGES/klantreis.mo: locales/%/LC_MESSAGES/klantreis.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -D klantreis -l $* -i $< -o $@
catalogs: $(CATALOGS)

## messages: re-extract the messages from the code and merge them into every language's catalog
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o locales/klantreis.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i locales/klantreis.pot -d locales -D klantreis

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed catalogs
install-dev: $(VENV)/.installed-dev catalogs

## run: set up, migrate, seed demo data on first start (unless KLANTREIS_NO_DEMO=1), serve on :8501
run: install
	$(BIN)/klantreis migrate
	@if [ -z "$$KLANTREIS_NO_DEMO" ]; then $(BIN)/klantreis demo --if-empty; fi
	$(MAKE) --no-print-directory serve

serve: install
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

## test: the whole suite (PostgreSQL variants need KLANTREIS_TEST_POSTGRES_URL; browser tests need chromium)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: everything but the browser (e2e) and scale tests, in a few minutes; for the edit-test loop
test-fast: install-dev
	$(BIN)/python -m pytest -m "not e2e and not scale" -n auto --dist loadscope $(PYTEST_ARGS)

## bench: 10k, 100k and 1M contacts, every figure beside a floor from the same run -> bench/results.json
bench: install-dev
	$(BIN)/python bench/bench_scale.py $(BENCH_ARGS)

## bench-parts: the focused benchmarks (demo seeding, import, scoring, dashboard computations, auto-assignment)
bench-parts: install-dev
	$(BIN)/python bench/bench_demo.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/bench_assign.py

lint: install-dev
	$(BIN)/ruff check .

# The app's default SQLite database (data.db.DEFAULT_SQLITE_PATH) and its journal files.
LOCAL_DB_FILES := data/klantreis.db data/klantreis.db-wal data/klantreis.db-shm

## clean-db: delete the local SQLite database (data/klantreis.db, -wal, -shm); the next `make run` starts afresh
clean-db:
	@echo "Removing the local SQLite database: $(LOCAL_DB_FILES) (a KLANTREIS_DATABASE_URL database is not touched)"
	@for f in $(LOCAL_DB_FILES); do \
		if git ls-files --error-unmatch "$$f" >/dev/null 2>&1; then echo "  kept $$f: it is tracked by git"; \
		else rm -f "$$f"; fi; \
	done
