# Brújula — `make run` starts the assistant, `make test` runs every check. Both set up what is
# missing first (virtual environments, Rasa, the trained model, the database) and skip what is done.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false

PY        := .venv/bin/python
BRUJULA   := .venv/bin/brujula
APP_STAMP := .venv/.brujula-stamp
APP_HASH  := $(shell cat pyproject.toml | sha256sum | cut -c1-16)
PO_FILES  := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES  := $(PO_FILES:.po=.mo)

.PHONY: help setup run test lint typecheck unit nlu-model db locales extract-messages update-messages clean bench-registry bench-nlu bench-load bench

help:
	@echo "make run    start the assistant (web chat on http://127.0.0.1:8000/chat)"
	@echo "make test   run lint, types and all tests (sets everything up first)"
	@echo "make setup  only set up (environments, Rasa, model, database, catalogs)"
	@echo "make bench  NLU, registry and whole-stack load benchmarks (reports/, docs/PERFORMANCE.md)"

setup: app-env rasa-env locales nlu-model db

app-env:
	@if [ ! -f $(APP_STAMP) ] || [ "$$(cat $(APP_STAMP))" != "$(APP_HASH)" ]; then \
	  echo "Setting up .venv (Python 3.11)…"; \
	  mkdir -p var/log; \
	  python3.11 -m venv .venv && \
	  .venv/bin/pip install -q --upgrade pip >var/log/setup-app.log 2>&1 && \
	  .venv/bin/pip install -q -e '.[dev]' --config-settings editable_mode=compat >>var/log/setup-app.log 2>&1 || \
	  { echo "install failed; see var/log/setup-app.log" >&2; tail -20 var/log/setup-app.log >&2; exit 1; }; \
	  echo "$(APP_HASH)" > $(APP_STAMP); \
	fi

rasa-env:
	@nlu/setup-rasa.sh

locales: app-env $(MO_FILES)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po
	@$(PY) -m content.catalogs compile $< $@

extract-messages: app-env
	.venv/bin/pybabel extract -F babel.cfg -o locales/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(PY) -m content.catalogs update

nlu-model: app-env rasa-env
	@$(BRUJULA) nlu train

db: app-env
	@$(BRUJULA) db init >/dev/null
	@$(BRUJULA) db seed --if-empty

run: setup
	$(BRUJULA) serve --start-nlu

lint: app-env
	.venv/bin/ruff check bot nlu referrals content desk tests

typecheck: app-env
	.venv/bin/mypy

unit: setup
	.venv/bin/pytest -q

test: setup lint typecheck
	.venv/bin/pytest -q

bench-nlu: setup
	nice -n 10 $(PY) -m nlu.bench

bench: bench-nlu bench-registry bench-load

# The whole stack under a surge (about 8 minutes): PostgreSQL, the thin NLU server, 2 workers,
# fake Telegram/WhatsApp APIs on loopback. Three runs: 205 messages/s steady (throughput, latency,
# lost and duplicated replies); the same with a worker killed mid-run; and more than the stack
# can take (400/s; the stack answered all of 300/s), to measure its capacity against stock
# `rasa run` measured in the same run.
bench-load: setup
	$(PY) -m bot.loadbench --rate 205 --no-kill --no-stock --report bench-load
	$(PY) -m bot.loadbench --rate 205 --kill --no-stock --report bench-load-kill
	$(PY) -m bot.loadbench --no-kill --stock --rate 400 --duration 30 --report bench-load-capacity

bench-registry: app-env
	nice -n 10 $(PY) -m referrals.bench --write

clean:
	rm -rf var reports .mypy_cache .ruff_cache .pytest_cache
