# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails, invitations and the demo's printout point at the server `make run` starts.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format venv deps dev-deps messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## Run the embedded system: SQLite, in-memory channel layer, one daphne on http://$(HOST):$(PORT)
run: deps
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo
	@echo "Mở http://$(HOST):$(PORT)/  (Ctrl+C để dừng)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) asgi:application

## Run the whole test suite (browser tests use Debian's /usr/bin/chromium)
test: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Rebuild the compiled translations after editing locale/*/LC_MESSAGES/django.po
messages: dev-deps
	$(BIN)/python manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media .pytest_cache
