# Jejak — two commands on a fresh machine (Python 3.11 + make):
#   make demo   set up, migrate, load demo data, print logins and links, serve on localhost
#   make test   set up and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := JEJAK_CONFIG=development JEJAK_BASE_URL=http://localhost:$(PORT) $(BIN)/flask --app wsgi
DEMO_ALUMNI    ?= 3000
DEMO_RESPONSES ?= 600
# house: pytest-xdist workers for `make test` (each gets its own PostgreSQL database)
PYTEST_WORKERS ?= auto

.PHONY: demo test lint install translations migrate serve serve-with-worker bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[web,test,lint]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d survey_app/translations >/dev/null

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo seed --alumni $(DEMO_ALUMNI) --responses $(DEMO_RESPONSES)
	$(FLASK) sectors code --wave demo
	$(FLASK) sectors code --wave demo_followup
	$(MAKE) --no-print-directory serve-with-worker

# jobs (issue 8): the background-job worker runs next to the dev server (queue: a SQLite file in
# instance/, nothing to install) and stops with it (Ctrl-C or any exit).
serve-with-worker:
	@$(FLASK) jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --port $(PORT)

serve: migrate
	$(FLASK) run --port $(PORT)

lint: install
	PATH=$(BIN):$$PATH .ci/lint.sh

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance *.egg-info .pytest_cache
