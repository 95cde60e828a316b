# The README's commands. `make run` and `make test` install whatever is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` stores the dossiers' pieces without the antivirus (development only; see README):
# `make run ANTIVIRUS=on` with clamd running scans them.
ANTIVIRUS ?= off

# Debian/Ubuntu packages: venv support, WeasyPrint's Pango, fonts for the PDF, pdftotext, and
# Chromium, which draws the bilan's charts as SVG (kaleido) for the PDF.
APT_PACKAGES := python3-venv python3-dev build-essential libpango-1.0-0 libpangoft2-1.0-0 \
	libharfbuzz0b fonts-open-sans fonts-liberation2 poppler-utils chromium
# Browser tests: Debian's Chromium and its driver (Playwright never downloads a browser here)
# and Node.js for axe-core; ClamAV's daemon, which the tests start with their own signatures.
APT_TEST_PACKAGES := chromium chromium-driver clamav-daemon

.PHONY: run test test-fast install install-dev system-deps system-deps-test apt-install migrate demo lint format check-deploy clean

# The tests run in parallel, one process per core (pytest-xdist; TEST_PROCESSES=0 runs them in
# this process). PYTEST_ARGS adds pytest options: `make test-fast PYTEST_ARGS="-x tests/comites"`.
# Bytecode is cached (__pycache__/, git-ignored) even where PYTHONDONTWRITEBYTECODE is set:
# otherwise every test process compiles the project and rewrites the tests' asserts again.
TEST_PROCESSES ?= auto
PYTEST_ARGS ?=
PYTEST := PYTHONDONTWRITEBYTECODE= DJANGO_SETTINGS_MODULE=contratville.settings.test \
	$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup

run: install migrate demo ## Install, migrate, load the demonstration data and serve on http://127.0.0.1:8000
	@echo ""
	@echo "Contrat de Ville : http://$(HOST):$(PORT)/  (administration : http://$(HOST):$(PORT)/admin/)"
	@echo "Comptes de démonstration, mot de passe « contratville-demo » : agent, direction, comite, admin"
	@if [ "$(ANTIVIRUS)" = off ]; then echo "Antivirus désactivé (ANTIVIRUS=off, développement seulement) : les pièces déposées ne sont pas analysées. Avec ClamAV : make run ANTIVIRUS=on"; fi
	ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) runserver $(HOST):$(PORT)

test: install-dev ## Install what is missing, then run the whole test suite (browser tests included)
	$(PYTEST) $(PYTEST_ARGS)

test-fast: install-dev ## The inner loop: every test but the browser and slow ones
	$(PYTEST) -m "not browser and not slow" $(PYTEST_ARGS)

system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

system-deps-test: system-deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_TEST_PACKAGES) $$(command -v npm >/dev/null || echo nodejs npm)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Paquets système à installer :$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.lock | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed | system-deps-test
	$(PIP) install -q -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json | system-deps-test
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

lint: install-dev ## ruff, and the layering of docs/architecture.md (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install ## Production settings must pass Django's deployment checks
	DJANGO_SETTINGS_MODULE=contratville.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		ALLOWED_HOSTS=contratville.example.org DATABASE_URL=$${DATABASE_URL:-postgres://localhost/contratville} \
		$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache

.PHONY: backup restore

backup: ## Dated backup of the whole database into backups/ (pg_dump on PostgreSQL, a consistent copy on SQLite)
	$(MANAGE) backup_data

restore: ## Replace the database by FILE=backups/… (asks for confirmation unless YES=1; saves the current data first)
	@test -n "$(FILE)" || { echo "Usage : make restore FILE=backups/… [YES=1]"; exit 2; }
	$(MANAGE) restore_data "$(FILE)" $(if $(filter 1 oui yes,$(YES)),--yes)

.PHONY: bench bench-comite
bench: install ## National-scale benchmark (docs/performance.md); DATABASE_URL names the scale PostgreSQL database
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL doit nommer la base PostgreSQL à l'échelle nationale (docs/performance.md)." >&2; exit 2;; esac
	$(PY) bench/run.py

bench-comite: install ## A comité's scenario of 500 and 2,000 dossiers: page, cell, projected figures (docs/performance.md); BENCH_DATABASE=postgres://… for PostgreSQL
	$(PY) bench/comite.py $(if $(BENCH_DATABASE),--database $(BENCH_DATABASE))
