# The command index. `make run` and `make test` need no root: only Python 3.11.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The tested versions of every package (make lock rewrites it); pyproject.toml has the ranges.
CONSTRAINTS := requirements/constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install lock run serve test lint format worker bench messages clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade -c $(CONSTRAINTS) pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Pin anew: resolve pyproject.toml's ranges to today's newest versions in a throwaway
## virtualenv and write them to requirements/constraints.txt (its header is kept). Then
## `make clean install lint test`, and commit the diff if all passes.
LOCK_VENV := var/lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PY) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install -q -e '.[dev]'
	{ sed -n '/^#/p' $(CONSTRAINTS); \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable \
	    | grep -v -E '^(setuptools|wheel)=='; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(LOCK_VENV)

## Install, migrate, create the demo account and map, and serve HTTP + WebSocket.
## (No per-message deflate on sockets: see the Dockerfile.)
run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Journeymap is running at http://$(HOST):$(PORT)/   (sign in as demo / journeymap)"
	@echo ""
	$(BIN)/uvicorn journeymap.asgi:application --host $(HOST) --port $(PORT) --lifespan off \
		--ws-per-message-deflate false

## The whole test suite (PostgreSQL/Redis/Chromium tests run when those are available).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## A Celery worker for exports (services mode: REDIS_URL set).
worker: install
	$(BIN)/celery -A journeymap worker --loglevel=INFO --concurrency=2

bench: install
	$(BIN)/python bench/map_load.py

## Extract and compile the vi/en message catalogs.
messages: install
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/python manage.py makemessages -d djangojs -l vi -l en --ignore=.venv --ignore=var --ignore=bench --ignore=static/vendor --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
