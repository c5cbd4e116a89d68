# Two commands do all the set-up: `make run` and `make test`. Both create .venv when it is missing and
# reinstall only when pyproject.toml changed, so they are fast the second time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# ../shared beside the project holds the real clips and model copies (development and CI machines);
# POSETRACKER_SHARED_DIR points elsewhere, e.g. for a clone in another folder.
SHARED_DIR := $(abspath $(or $(POSETRACKER_SHARED_DIR),../shared))
SHARED_MODELS := $(SHARED_DIR)/models
# Tests use the model files there when they are present.
TEST_MODELS_DIR ?= $(if $(wildcard $(SHARED_MODELS)/*.tflite),$(SHARED_MODELS),)

# glibc gives every thread that allocates its own heap arena and keeps freed memory in them; the server's many
# short-lived threads (decoders, encoders, WebRTC workers) then hold memory long after sessions end. Two arenas
# keep the server's memory near its baseline once sessions are gone (measured: 136 MB left over -> 91 MB).
export MALLOC_ARENA_MAX ?= 2

.PHONY: run test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dist]"
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@$(BIN)/posetracker models ensure movenet || true
	$(BIN)/streamlit run app.py

test: $(VENV)/.installed-test
	$(if $(TEST_MODELS_DIR),POSETRACKER_MODELS_DIR=$(TEST_MODELS_DIR)) $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
