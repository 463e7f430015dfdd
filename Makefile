# Two commands for a fresh machine: `make run` (app with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup assets demo lint ci-test clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json
	cd frontend && npm install --no-audit --no-fund --loglevel=error
	touch $@

static/nhsuk/nhsuk.css: frontend/node_modules/.installed frontend/app.scss frontend/_pathway.scss frontend/build.mjs
	cd frontend && node build.mjs

assets: static/nhsuk/nhsuk.css

setup: $(VENV)/.installed assets
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_units

demo: setup
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_pop --if-empty
	$(PY) manage.py seed_aims --if-empty
	$(PY) manage.py compute_kpis
	$(PY) manage.py seed_training --seed 2026

# The local demo (synthetic data only) runs without two-factor sign-in so the demo logins work at once;
# OTP_REQUIRED=true make run shows the two-factor set-up. Production always requires it (the default).
run: demo
	@$(PY) manage.py demo_logins
	@echo "Two-factor sign-in is off for this local demo (OTP_REQUIRED=false); it is on by default elsewhere."
	OTP_REQUIRED=$${OTP_REQUIRED:-false} $(PY) manage.py runserver $(HOST)

test: $(VENV)/.installed assets
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) frontend/node_modules static/nhsuk static/vendor staticfiles db.sqlite3
