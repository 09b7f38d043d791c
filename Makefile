# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: install dev-install run test lint format bench bench-ui bench-room run-team stop-team clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

dev-install: $(VENV)/.dev-installed

run: install
	$(BIN)/python -m diagnostics init-db --demo
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

# The suite in parallel, one worker per core (each worker has its own PostgreSQL and Streamlit
# server), then the ten slowest tests, so a slow one is seen when it creeps in.
test: dev-install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --durations=10

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The team shape on one machine: PostgreSQL in var/team, two app processes (8501, 8502).
run-team: install
	bash scripts/run_team.sh start

stop-team:
	bash scripts/run_team.sh stop

bench: dev-install
	$(BIN)/python -m bench

# Interaction latency in Chromium against a real server (median and worst of 5 per click).
bench-ui: dev-install
	$(BIN)/python -m bench.ui

# Only the workshop rooms (40 and 100 phones on one process, 200 on run-team): about 6 minutes.
bench-room: dev-install
	$(BIN)/python -m bench --rooms-only

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
