# Two commands do all the set-up (see README.md):
#   make run    installs into .venv on first use, then `shapecheck ci` on the bundled models
#   make test   installs if needed, then ruff, mypy (strict), the test suite and
#               linear_operator's own tests under the import hooks
# Development and CI pin torch==2.13.0 (CPU) through requirements-dev.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
THIRDPARTY_STAMP := $(VENV)/.thirdparty-installed

.PHONY: run test lint typecheck pytest browser thirdparty cuda clean

$(STAMP): pyproject.toml requirements-dev.txt
	@echo "set-up: creating $(VENV) and installing shapecheck (editable) with the pins of"
	@echo "        requirements-dev.txt: torch 2.13.0 (CPU build), jaxtyping, beartype, sympy,"
	@echo "        mypy, pytest, hypothesis, ruff, matplotlib; a minute or two on first use"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements-dev.txt -e '.[dev]'
	touch $(STAMP)
	@echo "set-up: done; the first mypy run builds its cache (about a minute)"

run: $(STAMP)
	$(BIN)/shapecheck ci models

lint: $(STAMP)
	$(BIN)/ruff check shapecheck models tests

typecheck: $(STAMP)
	$(BIN)/mypy

# linear_operator is installed first: tests/test_thirdparty_registry.py runs on it.
pytest: $(STAMP) $(THIRDPARTY_STAMP) browser
	$(BIN)/pytest

# The HTML docs are tested in headless Chromium (Debian's package). As root it
# is installed when missing; elsewhere the browser test skips with a reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else echo "chromium is not installed: the browser test will skip"; fi; }

# linear_operator 0.6's own tests, plain and under jaxtyping's and shapecheck's
# import hooks (tests/thirdparty/linear_operator/README.md); exit 1 on a false
# alarm or coverage < 90%. Then once more in survey mode, where every test must
# pass and each violating function is listed once, with counts. Its packages go into the same .venv, on first use.

$(THIRDPARTY_STAMP): $(STAMP) requirements-thirdparty.txt
	@echo "set-up: installing linear_operator 0.6 and scipy (requirements-thirdparty.txt)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements-dev.txt -r requirements-thirdparty.txt
	touch $(THIRDPARTY_STAMP)

thirdparty: $(THIRDPARTY_STAMP)
	$(BIN)/python tests/thirdparty/run_linear_operator.py
	$(BIN)/python tests/thirdparty/run_linear_operator.py --survey build/thirdparty-survey.md

# The suite and the third-party job run side by side; each one's output is
# printed whole when it ends.
test: lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest thirdparty

# On a machine with a GPU: the CUDA tests alone.
cuda: $(STAMP)
	$(BIN)/pytest -m cuda -v

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
