# Diligence: `make run` and `make test` do all the set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in mail and the API's invite_url follow the address served, unless SITE_URL is set
# (a host of 0.0.0.0 or :: binds every interface; the links then name this machine's loopback).
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
RUN_SITE_URL := $(or $(SITE_URL),http://$(LINK_HOST):$(PORT))
# Scheduled work: auto (celery worker and beat on Redis when REDIS_URL is set or redis-server
# is installed, else the embedded scheduler), celery, or embedded. See bin/run-local.sh.
SCHEDULER ?= auto
LOCAL_REDIS_URL ?= redis://127.0.0.1:6379/0
# What serving needs, and what only the tests need (PDF text tools, the browser).
APT_RUN := python3-venv libharfbuzz-subset0 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
APT_TEST := poppler-utils chromium
STAMP_RUN := $(VENV)/.installed-run-$(shell cat requirements.txt | sha256sum | cut -c1-12)
STAMP_DEV := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
PIP_QUIET := -qq --disable-pip-version-check --no-input
export PIP_ROOT_USER_ACTION := ignore

.PHONY: help run test test-fast lint bench fuzz load demo services system-deps system-deps-test venv venv-dev

help:
	@echo "make run    install, migrate, load the demo, serve at http://$(HOST):$(PORT)"
	@echo "make test   the whole suite on PostgreSQL, Redis and a real Celery worker"
	@echo "make test-fast  the inner loop: no workers, browser or fuzzing, lighter hypothesis"
	@echo "make lint   ruff and the deployment checks"
	@echo "make bench  the benchmarks in bench/ (figures in bench/results/)"
	@echo "make fuzz   a longer schemathesis run;  make load  the load test"

# As root, install the missing apt packages; as a normal user, print the line to run.
define apt_ensure
@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-deps:
	$(call apt_ensure,$(APT_RUN))

system-deps-test:
	$(call apt_ensure,$(APT_TEST))

# Two stamps: `make run` installs requirements.txt only; the test tools come with the
# targets that use them (requirements-dev.txt).
$(STAMP_RUN): requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "Installing requirements.txt into $(VENV)"
	@$(PIP) install $(PIP_QUIET) --upgrade pip
	@$(PIP) install $(PIP_QUIET) -r requirements.txt
	@rm -f $(VENV)/.installed-run-*; touch $@

$(STAMP_DEV): $(STAMP_RUN) requirements-dev.txt
	@echo "Installing requirements-dev.txt into $(VENV)"
	@$(PIP) install $(PIP_QUIET) -r requirements-dev.txt
	@rm -f $(VENV)/.installed-dev-*; touch $@

venv: system-deps $(STAMP_RUN)

venv-dev: system-deps system-deps-test $(STAMP_DEV)

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

# Local serving: no TLS on 127.0.0.1, so cookies are not marked Secure and HSTS is off. Mail
# is printed, with invitation tokens and one-time links redacted.
RUN_ENV = SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} SECURE_COOKIES=false SECURE_HSTS_SECONDS=0 \
	SITE_URL=$(RUN_SITE_URL) ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost,$(LINK_HOST)} \
	EMAIL_BACKEND=$${EMAIL_BACKEND:-questionnaires.core.mail.RedactingConsoleBackend}

demo: venv var/secret_key
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	@$(RUN_ENV) $(PY) manage.py demo

run: venv var/secret_key
	@$(RUN_ENV) PY=$(PY) VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) SCHEDULER=$(SCHEDULER) \
	  LOCAL_REDIS_URL=$(LOCAL_REDIS_URL) bin/run-local.sh

test: venv-dev services
	@mkdir -p test-output
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

# The inner loop: everything but real workers (services), Chromium (browser), fuzzing (slow,
# and the schemathesis module) and the whole first run in a fresh process (deploy), with a
# fifth of the hypothesis examples. `make test` (and CI) still runs all of it at full strength.
FAST_ARGS := -m "not slow and not browser and not services and not deploy" \
	--ignore=tests/security/test_schema_fuzz.py --hypothesis-profile=fast

test-fast: venv-dev services
	$(PY) -m pytest $(FAST_ARGS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

lint: venv-dev
	$(VENV)/bin/ruff check .
	SECRET_KEY=lint-only-$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))") \
	  DEBUG=false SECURE_SSL_REDIRECT=true ALLOWED_HOSTS=diligence.example.com \
	  SITE_URL=https://diligence.example.com DATABASE_URL=sqlite:////tmp/diligence-lint.sqlite3 \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: venv-dev services
	@mkdir -p bench/results
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

fuzz: venv-dev services
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest tests/security -m slow $(PYTEST_ARGS)

load: venv-dev services
	$(PY) bench/load.py
