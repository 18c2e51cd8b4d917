# Follow-up: `make run` starts the app (web + worker + beat), `make test` runs the tests.
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

# Web on http://127.0.0.1:8000, a Celery worker and Celery beat, under one process
# manager: Ctrl-C stops all three.
run: migrate
	$(VENV)/bin/honcho start

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

superuser: migrate
	$(PY) manage.py createsuperuser

demo: migrate
	$(PY) manage.py seed_demo

clean:
	rm -rf $(VENV) data staticfiles .pytest_cache
