# Two commands on a fresh machine (Python >= 3.11 with venv, gcc for durable-rules):
#   make demo   -- install into .venv and assess the bundled example enterprise
#   make test   -- install into .venv (with test extras) and run the whole test suite
# HYPOTHESIS_PROFILE=deep make test runs the property tests with many more examples.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PACKS  := -e plugins/chemical -e plugins/mining -e plugins/construction

.PHONY: demo test bench bench-full install clean

$(VENV)/.installed: pyproject.toml plugins/chemical/pyproject.toml plugins/mining/pyproject.toml plugins/construction/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,postgresql]" $(PACKS)
	@# durable-rules (C core, unmaintained since 2020) is optional: without it the
	@# pure-Python reference engine takes over, so a failed build does not stop the install.
	$(PY) -m pip install --quiet "durable-rules==2.0.28" || echo "dualprev: durable-rules could not be built; the reference engine will be used"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/dualprev demo

# The store's PostgreSQL tests need a server: without DUALPREV_TEST_POSTGRES, and with Debian's
# postgresql package installed, a throwaway cluster is started for the run (.ci/postgres.sh).
test: $(VENV)/.installed
	@if [ -z "$$DUALPREV_TEST_POSTGRES" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  bash -c 'source .ci/postgres.sh && trap stop_test_postgres EXIT && $(PY) -m pytest -n 2 $(PYTEST_ARGS)'; \
	else \
	  $(PY) -m pytest -n 2 $(PYTEST_ARGS); \
	fi

# bench: every performance figure against its target (PASS/MISS), a few minutes; bench-full adds
# 1M monitoring readings and bench_rules.py's full mode (see bench/README.md)
bench: $(VENV)/.installed
	$(PY) bench/run.py
	$(PY) bench/bench_store.py --quick
	$(PY) bench/bench_region.py --quick

bench-full: $(VENV)/.installed
	$(PY) bench/run.py --full

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
