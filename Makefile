# The two commands of the README: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed demo --if-empty
	@echo
	@echo "  Dispatcher console: http://$(HOST):$(PORT)/console/   API docs: http://$(HOST):$(PORT)/api/docs"
	@echo "  Logins (password demo): dispatcher, admin, and each technician by code (e.g. T001)"
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium; install it when it is missing (as root), never a downloaded one.
test: install
	@[ -x $(CHROMIUM) ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" || DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk \
		|| echo "fonts-noto-cjk could not be installed: screenshots will not show Chinese"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache
