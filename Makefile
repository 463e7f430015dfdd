# Two commands for a fresh machine: `make run` (app with demo data) and `make test` (the whole suite).
# Neither needs Node: the built front end is committed in static/ (`make assets` rebuilds it after a change
# to frontend/). `make doctor` lists what this machine has and lacks.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# The doctor runs before the venv exists, on the machine's own Python.
SYS_PY := $(or $(shell command -v $(PYTHON) || command -v python3),python3)
# pytest-xdist: one worker per core, at most 4 (`make test XDIST=0` runs in one process).
XDIST ?= auto

.PHONY: run test setup install assets check-assets demo lint typecheck doctor lock clean

# Every target here works on a local development copy: DEBUG is off unless the environment turns it on
# (config/settings.py), so the Makefile turns it on (SQLite, the development secret, no HTTPS redirect).
# Production never runs make; with DEBUG=false the app refuses the development secret.
export DEBUG ?= true

# The virtualenv, from the hash-locked requirements (`make lock` regenerates the lock from requirements*.txt).
$(VENV)/.installed: requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not make $(VENV) with $(PYTHON). On Debian: sudo apt-get install python3.11-venv"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Rebuild the committed front end (NHS.UK frontend CSS, htmx, and axe-core for the accessibility tests)
# with Node after editing frontend/; records the build in frontend/build-stamp.json. Commit all of it.
frontend/node_modules/.installed: frontend/package.json
	cd frontend && npm install --no-audit --no-fund --loglevel=error
	touch $@

assets: frontend/node_modules/.installed
	cd frontend && node build.mjs

# Is static/ the build of frontend/? (also a test: tools/tests/test_assets.py)
check-assets:
	@$(SYS_PY) -m tools.assets

setup: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_units

demo: setup
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_demo --if-empty --network london --seed 2056 --years 2
	$(PY) manage.py seed_pop --if-empty
	$(PY) manage.py seed_pop --if-empty --network london --seed 2056
	$(PY) manage.py seed_aims --if-empty
	$(PY) manage.py seed_live_births --if-empty
	$(PY) manage.py compute_kpis
	$(PY) manage.py seed_training --seed 2026
	$(PY) manage.py seed_training --network london --seed 2056

# The local demo (synthetic data only) runs without two-factor sign-in so the demo logins work at once;
# OTP_REQUIRED=true make run shows the two-factor set-up. Production always requires it (the default).
run: demo
	@$(PY) manage.py demo_logins
	@echo "Two-factor sign-in is off for this local demo (OTP_REQUIRED=false); it is on by default elsewhere."
	OTP_REQUIRED=$${OTP_REQUIRED:-false} $(PY) manage.py runserver $(HOST)

# First, in one message, what the machine lacks for the tests (Chromium, Pango/HarfBuzz, fonts, and the
# services DATABASE_URL/REDIS_URL name); then the venv, the checks (migrations, ruff, mypy) and the suite on
# pytest-xdist workers.
test:
	@$(SYS_PY) -m tools.doctor --python $(PYTHON) --require test
	@$(MAKE) --no-print-directory install
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) -m pytest -n $(XDIST) --maxprocesses=4 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# mypy with django-stubs ([tool.mypy] in pyproject.toml); `make test` runs it too, before the suite.
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

doctor:
	@$(SYS_PY) -m tools.doctor --python $(PYTHON)

# Regenerate the hash-locked requirements after editing requirements*.txt: pip-tools in a venv of its own,
# reading PyPI only (not this machine's pip configuration or local wheel folders). Existing pins are kept
# unless the .txt asks otherwise; `make lock LOCK_ARGS=--upgrade` moves every unpinned dependency on.
LOCK_VENV := .venv-lock
LOCK_ENV ?= env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock"
PIP_COMPILE = $(LOCK_ENV) $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || \
	  { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) -c requirements.lock --output-file requirements-dev.lock requirements-dev.txt
	$(PIP_COMPILE) -c requirements-dev.lock --output-file requirements-loadtest.lock requirements-loadtest.txt

clean:
	rm -rf $(VENV) $(LOCK_VENV) frontend/node_modules staticfiles db.sqlite3
