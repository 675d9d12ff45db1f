# blastshield — `make demo` and `make test` work on a fresh machine (they create .venv).
# Prefer the distribution's interpreter: it is built with PGO/LTO, while a locally compiled
# pyenv Python without --enable-optimizations starts and runs 2-3x slower (docs/performance.md).
PYTHON ?= $(shell test -x /usr/bin/python3 && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null \
            && echo /usr/bin/python3 || echo python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS ?= dev,otel,postgres,mcp,langchain,openai-agents

.PHONY: demo test lint typecheck unit bench clean compile

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	@touch $(STAMP)

# Byte-compile like an installed package would be (the environment may set
# PYTHONDONTWRITEBYTECODE, which would make every hook process recompile the sources).
compile: $(STAMP)
	@$(PY) -m compileall -q src >/dev/null

demo: compile
	@$(PY) -m blastshield demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench examples

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: compile
	$(VENV)/bin/pytest -q -n 2 --dist loadgroup

test: lint typecheck unit

bench: compile
	@for script in bench/[a-z]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist src/*.egg-info
