# Two commands do all the set-up on a fresh machine:
#   make demo   -> the main job (topup demo on the embedded sandbox): runtime dependencies only
#   make test   -> lint, type-check and the whole test suite: adds the dev tools and chromium
#
# Stamps in the venv record what is installed, so nothing is reinstalled needlessly:
#   .venv/.runtime   `pip install -e .`            (make demo; rebuilt when pyproject.toml changes)
#   .venv/.dev       `pip install -e '.[dev]'` and scripts/setup-system, on top of .runtime
# `make test` after `make demo` adds only the dev side; `make demo` after `make test` installs
# nothing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.runtime
DEV_STAMP     := $(VENV)/.dev
# `make demo DEMO_ARGS=--once`: one round, then exit.
DEMO_ARGS ?=

.PHONY: demo test lint typecheck pytest bench catalogs clean

$(BIN)/python:
	@echo "==> creating the venv ($(VENV)) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	@echo "==> installing runtime dependencies (pip install -e .)"
	@$(PIP) install -e .
	@touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) pyproject.toml scripts/setup-system
	@echo "==> installing system packages for the browser test (scripts/setup-system)"
	@bash scripts/setup-system
	@echo "==> installing development tools (pip install -e '.[dev]')"
	@$(PIP) install -e '.[dev]'
	@touch $@

demo: $(RUNTIME_STAMP)
	@echo "==> starting the demo ($(BIN)/topup demo $(DEMO_ARGS))"
	@$(BIN)/topup demo $(DEMO_ARGS)

test: $(DEV_STAMP) lint typecheck pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check topup tests benchmarks
	$(BIN)/ruff format --check topup tests benchmarks

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

pytest: $(DEV_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# After adding or changing a message: update the zh-CN catalogs, translate the empty entries in
# topup/i18n/locales/zh_CN/LC_MESSAGES/*.po, then run it again to compile them.
catalogs: $(DEV_STAMP)
	$(BIN)/python -m topup.i18n.catalogs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
