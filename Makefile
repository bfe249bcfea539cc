# `make test` and `make demo` are the only set-up a fresh machine needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: test lint demo bench clean system-packages

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

system-packages:
	@scripts/ensure-system-packages

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

test: $(VENV)/.installed system-packages lint
	$(VENV)/bin/pytest

demo: $(VENV)/.installed system-packages
	$(PY) -m devstack.demo --port $(PORT)

bench: $(VENV)/.installed system-packages
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .demo staticfiles
