# Territoires d'intégration — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install demo db serve test test-fast test-service fuzz quality format browser-deps pdf-deps bench clean

help:
	@echo "make demo     installe tout, prépare la base SQLite et sert le site sur http://$(HOST):$(PORT)"
	@echo "make test     installe ce qui manque et lance toute la suite de tests"
	@echo "make quality  ruff, djlint, migrations à jour, mypy, pip-audit"
	@echo "make fuzz     les longues séries de saisies générées (formulaires, API), budget borné"
	@echo "make bench    dix ans de données sur PostgreSQL, chaque page mesurée (bench/results.json) ; SCALE=0.1 pour le dixième"

$(UV):
	@echo "Installation de uv (PyPI)…"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.synced pdf-deps

# WeasyPrint (generated PDF documents) needs Pango, HarfBuzz's subsetter and fonts from Debian.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation
pdf-deps:
	@libs="$$(PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null)"; \
	if grep -q 'libpango-1.0.so.0 ' <<<"$$libs" && grep -q 'libpangoft2-1.0.so.0 ' <<<"$$libs" \
		&& grep -q 'libharfbuzz-subset.so.0 ' <<<"$$libs" \
		&& [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
		&& [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]; then :; else \
		echo "Installation des bibliothèques de WeasyPrint (Debian) : $(PDF_DEBS)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null; fi

db: install
	$(MANAGE) migrate --no-input --verbosity 0
	$(MANAGE) import_referential
	$(MANAGE) seed_demo

# The site as production serves it (DEBUG off, gunicorn, WhiteNoise) with its task worker and
# scheduler (Procfile.demo, run by honcho): Ctrl-C stops them all.
demo: db
	@echo ""
	@echo "  Territoires d'intégration : http://$(HOST):$(PORT)"
	@echo "  Comptes (mot de passe : territoires-demo-2026) :"
	@echo "    agent.grenoble@demo.territoires-integration.fr      agent de collectivité"
	@echo "    instructeur.isere@demo.territoires-integration.fr   instructeur"
	@echo "    prefet.isere@demo.territoires-integration.fr        préfet"
	@echo "    admin@demo.territoires-integration.fr               administrateur (aussi /django-admin/)"
	@echo "  Tous les comptes : README.md, « Demo accounts ». E-mails envoyés : var/emails/"
	@echo "  Ctrl-C pour arrêter le site et son worker."
	@echo ""
	@DJANGO_SETTINGS_MODULE=config.settings.demo DEMO_HOST=$(HOST) DEMO_PORT=$(PORT) \
		.venv/bin/honcho --no-colour -f Procfile.demo start

# Developer mode: runserver, DEBUG on, tasks run in the web process (no worker needed).
serve: install
	$(MANAGE) runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests (Playwright's own download does not work offline).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installation de Chromium (Debian)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; }

test: install browser-deps
	$(UV) run --frozen pytest

test-fast: install
	$(UV) run --frozen pytest -m "not browser"

# Long generated-input runs (marker `fuzz`, deselected by `make test`): every form with many
# hypothesis examples (FORM_FUZZ_LONG_EXAMPLES, 200 per form) and the API's schemathesis run.
fuzz: install
	$(UV) run --frozen pytest -m fuzz

# The platform in service on PostgreSQL (DATABASE_URL): two gunicorn + one worker from the Procfile.
test-service: install
	$(UV) run --frozen pytest -m service tests/service

quality: install
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen djlint --check --lint web/templates accounts/templates documents/templates api/templates messaging/templates public/templates
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(UV) run --frozen mypy
	$(UV) run --frozen pip-audit --progress-spinner off

format: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen djlint --reformat web/templates accounts/templates documents/templates api/templates messaging/templates

# Ten years of generated data on PostgreSQL (BENCH_DATABASE_URL), every page against gunicorn:
# bench/results.json and docs/PERFORMANCE.md. `make bench SCALE=0.1` for the tenth.
SCALE ?= 1
bench: install
	$(PY) -m bench --scale $(SCALE)

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
