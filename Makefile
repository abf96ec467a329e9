# Alliance Hub. `make run` serves the hub with embedded PostgreSQL and demo data; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
LANGS := zh_Hans ru kk ky uz

.PHONY: run test lint stop catalogs messages schema clean help bench bench-hostile bench-disclosure bench-benchmarks bench-exchange bench-webhooks contract

help:
	@echo "make run      set up and serve the hub on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test     set up and run the tests"
	@echo "make lint     ruff, import layers, house rules, mypy, migrations and OpenAPI schema checks"
	@echo "make contract the API contract from outside: Schemathesis and two generated clients"
	@echo "make stop     end anything a crashed run left behind (servers, embedded database)"
	@echo "make messages refresh the translation catalogs from the code (needs GNU gettext)"
	@echo "make schema   rewrite docs/openapi.yaml from the code"
	@echo "make bench    measure ingestion (bench/ingest.py; ROWS=1000000 by default)"
	@echo "make bench-hostile  time and memory of hostile files at 1 and 4 MB (bench/hostile.py)"
	@echo "make bench-disclosure  time of a benchmark run's disclosure control (bench/disclosure.py; ARGS=--quick)"
	@echo "make bench-benchmarks  benchmark runs and reads at 10M observations (bench/benchmarks.py; ARGS=--quick)"
	@echo "make bench-exchange  partner pulls beside me/ on the demo's data (bench/exchange.py; ARGS=--quick)"
	@echo "make bench-webhooks  one event to 100 webhook endpoints: time until all delivered (bench/webhooks.py)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

catalogs: $(STAMP)
	$(PY) -m alliance.catalogs

# `make run` is the local demo: its webhooks may reach loopback (the partner simulator's receiver).
run: $(STAMP) catalogs
	HUB_WEBHOOKS_ALLOW_PRIVATE=$${HUB_WEBHOOKS_ALLOW_PRIVATE:-1} $(PY) manage.py runhub

test: $(STAMP) catalogs
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/shape.py
	DATABASE_URL=postgres://lint@localhost/lint $(VENV)/bin/mypy apps alliance
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file $(VENV)/openapi-check.yaml
	diff -q $(VENV)/openapi-check.yaml docs/openapi.yaml || (echo "docs/openapi.yaml is stale: make schema"; exit 1)

contract: $(STAMP) catalogs
	$(PY) -m pip install --quiet -e '.[dev,contract]'
	$(PY) tests/contract/run.py

bench: $(STAMP) catalogs
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/ingest.py --rows $${ROWS:-1000000}

bench-hostile: $(STAMP) catalogs
	$(PY) bench/hostile.py --sizes $${SIZES:-1,4} --timeout $${TIMEOUT:-120}

bench-disclosure: $(STAMP)
	$(PY) bench/disclosure.py $${ARGS:-}

bench-benchmarks: $(STAMP)
	$(PY) bench/benchmarks.py $${ARGS:-}

bench-exchange: $(STAMP)
	$(PY) bench/exchange.py $${ARGS:-}

bench-webhooks: $(STAMP)
	$(PY) bench/webhooks.py $${ARGS:-}

schema: $(STAMP)
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

messages: $(STAMP)
	for lang in $(LANGS); do $(PY) manage.py makemessages --locale $$lang --ignore '.venv/*' --ignore '.data/*' --no-obsolete --add-location file; done

stop:
	@test -x $(PY) && $(PY) -m alliance.stop || echo "nothing to stop (no virtual environment yet)"

clean: stop
	rm -rf .data
