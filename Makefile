# Dasan Console. `make run` and `make test` work on a fresh machine with Python 3.11.
# With DATABASE_URL and REDIS_URL set, the same targets use PostgreSQL and Redis.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup migrate messages demo bench fuzz check-deploy clean prod reload prod-stop

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py migrate --noinput -v0

## Set up, load the demo data and serve the console with daphne on http://127.0.0.1:$(PORT)
run: setup
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Dasan Console: http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	$(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) callcenter.asgi:application

## Set up and run the whole suite (browser tests when Chromium is installed)
test: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## A long property-based run over every operation as every role (the suite runs a short one).
## FUZZ_EXAMPLES per operation (400: 33 times the suite's minute); failures are kept in .hypothesis/ and replayed first.
FUZZ_EXAMPLES ?= 400
fuzz: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest callcenter/tests/test_fuzz.py -q -p no:logging $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Re-extract translatable strings into each app's locale/ (then translate the new msgids)
messages: $(STAMP)
	$(PY) manage.py makemessages -l ko --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py makemessages -l ko -d djangojs --ignore=.venv --ignore=var --ignore=static/vendor --no-obsolete

## The console with the call simulator driving it (a moving wallboard): sign in as supervisor1.
## The simulator retries its first POST until daphne listens. DEMO_ARGS go to `manage.py simulate_calls` (e.g. DEMO_ARGS="--speed 60 --start 08:00 --duration 660").
DEMO_ARGS ?= --speed 1 --start 13:57 --duration 360 --surge events@14:00 --agents 40
demo: setup
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Dasan Console demo: http://127.0.0.1:$(PORT)/wallboard/  sign in as supervisor1 / dasan-supervisor1 (Ctrl+C stops)"
	@$(VENV)/bin/daphne -b 127.0.0.1 -p $(PORT) --access-log /dev/null callcenter.asgi:application & DAPHNE=$$!; \
	trap 'kill $$DAPHNE 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py simulate_calls --url http://127.0.0.1:$(PORT) --backfill-days 7 $(DEMO_ARGS)

## The production topology on this machine (deploy/prodctl.py): nginx on PORT (default 8080, TLS;
## TLS=0 plain HTTP) in front of PROCESSES daphne processes (default: the number of cores), DEBUG off,
## a generated secret kept in var/. Needs DATABASE_URL (PostgreSQL) and REDIS_URL. SEED_DEMO=1 loads the demo users.
PROD_PORT := $(if $(filter command line environment environment override,$(origin PORT)),$(PORT),8080)
prod: $(STAMP)
	PORT=$(PROD_PORT) $(PY) deploy/prodctl.py run

## Replace the running `make prod`'s daphne processes one at a time (start new, wait healthy, drain old)
reload:
	$(PY) deploy/prodctl.py reload

prod-stop:
	$(PY) deploy/prodctl.py stop

bench: setup
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) bench/run_all.py

check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-value-for-the-check ALLOWED_HOSTS=console.example \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache
