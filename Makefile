# Diligence: `make run` and `make test` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
APT_PACKAGES := python3-venv poppler-utils chromium libharfbuzz-subset0 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: help run test test-fast lint bench fuzz load demo services system-deps venv

help:
	@echo "make run    install, migrate, load the demo, serve at http://$(HOST):$(PORT)"
	@echo "make test   the whole suite on PostgreSQL, Redis and a real Celery worker"
	@echo "make test-fast  the inner loop: no workers, browser or fuzzing, lighter hypothesis"
	@echo "make lint   ruff and the deployment checks"
	@echo "make bench  the benchmarks in bench/ (figures in bench/results/)"
	@echo "make fuzz   a longer schemathesis run;  make load  the load test"

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: system-deps $(STAMP)

# Start the local PostgreSQL and Redis when they are installed but stopped.
services:
	@if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
	  pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	fi
	@if command -v redis-server >/dev/null; then \
	  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null; \
	fi

var/secret_key:
	@mkdir -p var && python3 -c "import secrets; print(secrets.token_urlsafe(50))" > $@ && chmod 600 $@

# Local serving: no TLS on 127.0.0.1, so cookies are not marked Secure and HSTS is off.
RUN_ENV = SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} SECURE_COOKIES=false SECURE_HSTS_SECONDS=0

demo: venv var/secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py demo

run: venv var/secret_key
	@if [ -n "$$DATABASE_URL$$REDIS_URL" ]; then $(MAKE) -s services; fi
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py demo
	@set -e; pids=""; \
	if [ -n "$$REDIS_URL" ]; then \
	  $(RUN_ENV) $(PY) -m celery -A diligence worker -Q celery,reports --loglevel=INFO & pids="$$pids $$!"; \
	  $(RUN_ENV) $(PY) -m celery -A diligence beat --loglevel=INFO & pids="$$pids $$!"; \
	fi; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	echo "Serving Diligence at http://$(HOST):$(PORT)"; \
	$(RUN_ENV) $(VENV)/bin/gunicorn -c python:diligence.gunicorn diligence.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 60

test: venv services
	@mkdir -p test-output
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

# The inner loop: everything but real workers (services), Chromium (browser) and fuzzing
# (slow, and the schemathesis module), with a fifth of the hypothesis examples. `make test`
# (and CI) still runs all of it at full strength.
FAST_ARGS := -m "not slow and not browser and not services" \
	--ignore=tests/security/test_schema_fuzz.py --hypothesis-profile=fast

test-fast: venv services
	$(PY) -m pytest $(FAST_ARGS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

lint: venv
	$(VENV)/bin/ruff check .
	SECRET_KEY=lint-only-$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	  DEBUG=false SECURE_SSL_REDIRECT=true ALLOWED_HOSTS=diligence.example.com \
	  SITE_URL=https://diligence.example.com DATABASE_URL=sqlite:////tmp/diligence-lint.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: venv services
	@mkdir -p bench/results
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

fuzz: venv services
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest tests/security -m slow $(PYTEST_ARGS)

load: venv services
	$(PY) bench/load.py
