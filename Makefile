# fansite — `make run` to browse the demo catalog, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
MANAGE := $(PY) manage.py

# The first Python >= 3.12: on PATH first, then pyenv's versions (even when pyenv is not on PATH).
define find_python
for c in python3.13 python3.12 python3 \
	$$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	if command -v "$$c" >/dev/null 2>&1 && \
	   "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		command -v "$$c"; break; \
	fi; \
done
endef

.PHONY: help install migrate demo run serve backup restore test lint format check migrations-check typecheck static demo clean lock bench bench-data browser screenshots icons messages gettext

help:
	@echo "make run    set up (virtualenv, locked install, migrations, demo catalog) and serve on :$(PORT)"
	@echo "make test   set up, then lint, checks and the whole test suite (with Chromium's tests/e2e)"
	@echo "make screenshots   the README's pictures, from the real server on the demo catalog"
	@echo "make lint | format | check | migrations-check | typecheck | lock | clean"

$(VENV)/.installed: requirements-dev.lock
	@base="$$($(find_python))"; \
	if [ -z "$$base" ]; then \
		echo "fansite needs Python 3.12 or newer and found none on PATH or under pyenv." >&2; \
		echo "Install one (e.g. 'pyenv install 3.13', or your system's python3.13 package) and run make again." >&2; \
		exit 1; \
	fi; \
	echo "==> Python: $$base ($$($$base --version))"; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		rm -rf $(VENV); "$$base" -m venv $(VENV) || exit 1; \
	fi
	@echo "==> Installing locked dependencies into $(VENV)"
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

migrate: install
	@echo "==> Migrating the database"
	@$(MANAGE) migrate --no-input -v 0

demo: migrate
	@echo "==> Loading the demo catalog (only into an empty database)"
	@$(MANAGE) load_catalog --if-empty

static: install
	@echo "==> Collecting static files"
	@$(MANAGE) collectstatic --no-input -v 0

# Korean and Japanese: locale/*/LC_MESSAGES/django.po are the sources; the .mo files are built here.
messages: install gettext
	@echo "==> Compiling translations"
	@$(MANAGE) compilemessages --ignore=$(VENV) -v 0

# GNU gettext's msgfmt compiles the catalogs (and xgettext checks them in the tests).
gettext:
	@command -v msgfmt >/dev/null && command -v xgettext >/dev/null || { \
		if [ "$$(id -u)" != 0 ]; then \
			echo "Translations need GNU gettext, installed with apt-get, which needs root:" >&2; \
			echo "run 'sudo apt-get install gettext' (or make as root), then make again." >&2; \
			exit 1; \
		fi; \
		apt-get update -q && apt-get install -y -q gettext; }

# No collectstatic: the development server serves static files from their sources (WhiteNoise's
# finders under DEBUG), so the first run doesn't wait on compressing the API docs' assets.
run: demo messages
	@echo ""
	@echo "fansite is starting on http://localhost:$(PORT)/"
	@echo "(open it as localhost, not 127.0.0.1: browsers refuse passkeys on an IP address)"
	@echo "To curate the catalog, make a curator account:  $(MANAGE) createsuperuser"
	@echo "then sign in at http://localhost:$(PORT)/admin/"
	@echo ""
	@$(MANAGE) runserver localhost:$(PORT)

# Production-style serving: gunicorn + WhiteNoise for the pages on PORT, and uvicorn (ASGI) for
# the live event streams (/live/…) on LIVE_PORT: the load balancer sends /live/ there (README).
# Set DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL first (see README);
# WEB_CONCURRENCY sets gunicorn's workers, LIVE_CONCURRENCY uvicorn's.
LIVE_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
serve: install messages
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) collectstatic --no-input -v 0
	@echo "Pages on :$(PORT) (gunicorn), live event streams /live/ on :$(LIVE_PORT) (uvicorn)"
	@trap 'kill 0' INT TERM; \
	$(VENV)/bin/uvicorn fansite.asgi:application --host 0.0.0.0 --port $(LIVE_PORT) \
		--workers $${LIVE_CONCURRENCY:-1} --no-proxy-headers --no-access-log \
		--timeout-graceful-shutdown 5 & \
	$(VENV)/bin/gunicorn fansite.wsgi --bind 0.0.0.0:$(PORT) \
		--workers $${WEB_CONCURRENCY:-$$(( $$(nproc) * 2 + 1 ))} --max-requests 2000 \
		--max-requests-jitter 200 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" & \
	wait -n; kill 0

# Backups: a JSON dump of everything (any database), or pg_dump's format on PostgreSQL.
BACKUP ?= backups/fansite-$(shell date +%Y%m%d-%H%M%S).json
backup: install
	@mkdir -p $(dir $(BACKUP))
	@$(MANAGE) dumpdata --natural-foreign --natural-primary --exclude contenttypes \
		--exclude auth.permission --exclude sessions --exclude admin.logentry \
		--indent 0 -o $(BACKUP)
	@echo "Backed up to $(BACKUP). Uploaded media lives in MEDIA_ROOT: back that folder up too."

restore: install
	@test -n "$(FROM)" || { echo "Usage: make restore FROM=backups/fansite-….json (into an empty, migrated database)"; exit 1; }
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) loaddata $(FROM)
	@echo "Restored from $(FROM)."

lint: install
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: install
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

check: install
	@echo "==> manage.py check"
	@$(MANAGE) check --fail-level WARNING

migrations-check: install
	@echo "==> makemigrations --check"
	@$(MANAGE) makemigrations --check --dry-run

# mypy with the Django and DRF stubs over every Python file (pyproject.toml's [tool.mypy]).
typecheck: install
	@echo "==> mypy"
	@$(VENV)/bin/mypy

test: lint check migrations-check typecheck messages browser
	@echo "==> pytest"
	@$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests (tests/e2e) drive Debian's Chromium; Playwright never downloads a browser here.
# Noto CJK draws the Hangul and kanji (the Korean and Japanese pages are screenshot-tested).
browser:
	@command -v chromium >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" != 0 ]; then \
			echo "The browser tests need Chromium and the Noto CJK fonts, installed with apt-get, which needs root:" >&2; \
			echo "run 'sudo apt-get install chromium fonts-noto-cjk' (or make as root), then make again." >&2; \
			exit 1; \
		fi; \
		apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; }

# The README's pictures in docs/screenshots/: the real server on the demo catalog, in Chromium.
screenshots: install static messages browser
	@$(PY) tests/e2e/screenshots.py

# The favicon, the home-screen icons and the share picture in static/img/, drawn from icon.svg.
icons: install browser
	@$(PY) tests/e2e/icons.py

# Regenerate the lock files after editing pyproject.toml (needs uv; installed on demand).
lock: install
	@$(PY) -m pip install --quiet uv
	@$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 --universal --generate-hashes -q -o requirements.lock
	@$(VENV)/bin/uv pip compile pyproject.toml --group dev --python-version 3.12 --universal --generate-hashes -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles

# Performance at fandom scale, written to docs/performance.md: a dedicated PostgreSQL database
# (dropped and created), generated data, gunicorn under wrk. BENCH_SCALE=small: 1/100 of the rows.
BENCH_SCALE        ?= full
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/fansite_bench
BENCH_REDIS_URL    ?= redis://127.0.0.1:6379/15
BENCH_ARGS         ?=

bench-data: install
	@DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/generate.py --create-database --scale $(BENCH_SCALE)

bench: install messages
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" != 0 ]; then \
			echo "make bench needs wrk and installs it with apt-get, which needs root:" >&2; \
			echo "run 'sudo apt-get install wrk' (or make bench as root), then make bench again." >&2; \
			exit 1; \
		fi; \
		apt-get update && apt-get install -y wrk; }
	@$(MAKE) --no-print-directory bench-data static
	@$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) --redis-url $(BENCH_REDIS_URL) \
		--scale $(BENCH_SCALE) $(BENCH_ARGS)
