# Follow-up: `make run` starts the app (web + worker + beat + the inbound mail server),
# `make test` runs the tests.
# Both create .venv with a suitable Python on first use.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate superuser demo clean

$(PY):
	@PYTHON=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$PYTHON"; \
	"$$PYTHON" -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --no-input

# Web on http://127.0.0.1:8000, a Celery worker, Celery beat and the forwarding-address
# SMTP server (127.0.0.1:2525), under one process manager: Ctrl-C stops them all.
run: migrate
	$(VENV)/bin/honcho start

# The accessibility and HTML checks' tools (axe-core, vnu-jar), pinned by
# tests/site/package-lock.json; skipped, with a note, where npm is not installed.
NODE_TOOLS := tests/site/node_modules/.package-lock.json

$(NODE_TOOLS): tests/site/package.json tests/site/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --prefix tests/site; \
	else \
		echo "npm not found: the axe-core and HTML-validity tests will be skipped"; \
	fi

test: install
	@$(MAKE) --no-print-directory $(NODE_TOOLS) || true
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

superuser: migrate
	$(PY) manage.py createsuperuser

demo: migrate
	$(PY) manage.py seed_demo

clean:
	rm -rf $(VENV) data staticfiles .pytest_cache
