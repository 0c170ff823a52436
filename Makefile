# AICC Ops. Set-up: `make demo` (local demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml setup.py | cksum | cut -d' ' -f1)

CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The pin lives in pyproject.toml ([project.optional-dependencies] checkov).
CHECKOV_PIN = $(shell $(PYTHON) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['checkov'])")
ENV ?= dev

.PHONY: install demo test test-fast lint format flows-lint bench dist clean checkov bootstrap plan deploy rehearse

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# checkov's dependencies overwrite python-hcl2's `hcl2` package: it gets a virtualenv of its own.
$(CHECKOV_STAMP): pyproject.toml
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check $(CHECKOV_PIN)
	rm -f $(CHECKOV_VENV)/.installed-*
	touch $@

# The Lambda runtime's Python compiles the functions' bytecode: the interpreter of that version, or
# pyodide's from the npm registry (installed into build/ once); see aicc_ops/deploy/artifacts.py.
LAMBDA_COMPILER := build/.lambda-compiler
$(LAMBDA_COMPILER): $(STAMP) terraform/modules/lambdas/main.tf
	$(BIN)/python -c "from aicc_ops.deploy import artifacts as a; a.compiler(a.lambda_runtime())"
	mkdir -p build && touch $@

# espeak-ng speaks the prompts offline (`aicc-ops prompts render`, the audio round trip): a Debian
# package, installed with apt-get where it is missing and apt-get exists (as root, or with sudo).
ESPEAK := /usr/bin/espeak-ng
$(ESPEAK):
	@command -v apt-get >/dev/null || { echo "install espeak-ng with your package manager"; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends espeak-ng \
		|| { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && \
		     $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends espeak-ng; }

# Debian's chromium for the live page's browser test (Playwright drives it; it never downloads a
# browser): installed like espeak-ng.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install chromium with your package manager"; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends chromium \
		|| { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && \
		     $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends chromium; }

# The offline models of the local stack (the NLU, the sentiment model) are trained into the model
# cache here, once per change of what they are trained from (their data and training code), not in
# the first call of a local stack; their cache keys hash the same inputs (docs/ai-quality.md).
MODELS := build/.models
MODEL_INPUTS := lambdas/aicc/config/intents.yaml ops/aicc_ops/engine/embeddings.py \
	ops/aicc_ops/engine/fingerprint.py ops/aicc_ops/engine/sentiment.py \
	ops/aicc_ops/engine/data/sentiment_train.jsonl $(wildcard ops/aicc_ops/engine/nlu/*.py ops/aicc_ops/engine/nlu/data/*)
$(MODELS): $(STAMP) $(MODEL_INPUTS)
	$(BIN)/aicc-ops nlu train
	$(BIN)/aicc-ops sentiment train
	mkdir -p build && touch $@

install: $(STAMP) $(CHECKOV_STAMP) $(LAMBDA_COMPILER) $(ESPEAK) $(CHROMIUM) $(MODELS)

demo: $(STAMP) $(MODELS)
	$(BIN)/aicc-ops demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/terraform fmt -check -recursive -diff terraform
	$(BIN)/aicc-ops flows lint --no-warnings

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/terraform fmt -recursive terraform

flows-lint: $(STAMP)
	$(BIN)/aicc-ops flows lint

checkov: $(CHECKOV_STAMP)
	$(CHECKOV_VENV)/bin/checkov -d terraform --framework terraform --skip-download --quiet --compact

# One pytest worker more than the cores: some tests wait on their subprocesses (local stacks,
# Locust, Terraform) and would leave a core idle (on 2 cores: 8.5 min with 3 workers, 9.8 with 2).
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Lint runs beside the tests for the same reason; its output is shown after theirs, and either
# failing fails the target.
# (Through LINT_MAKE: a recipe line naming $(MAKE) itself runs even under `make -n`, pytest too.)
LINT_MAKE = $(MAKE) --no-print-directory lint
test: $(STAMP) $(CHECKOV_STAMP) $(LAMBDA_COMPILER) $(ESPEAK) $(CHROMIUM) $(MODELS)
	@log=$$(mktemp); $(LINT_MAKE) > $$log 2>&1 & lint=$$!; \
	CHECKOV=$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest -n $(WORKERS) --dist worksteal; tests=$$?; \
	wait $$lint; linted=$$?; echo "---- make lint"; cat $$log; rm -f $$log; \
	if [ $$linted -ne 0 ]; then echo "make test: lint failed (above)" >&2; fi; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]

# The development loop: everything but the slow tests (whole-root plans, sweeps, drills), no lint.
test-fast: $(STAMP) $(CHECKOV_STAMP) $(LAMBDA_COMPILER) $(ESPEAK) $(CHROMIUM) $(MODELS)
	CHECKOV=$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest -n $(WORKERS) --dist worksteal -m "not slow"

bootstrap: $(STAMP)
	$(BIN)/aicc-ops deploy bootstrap --env $(ENV)

plan: $(STAMP) $(LAMBDA_COMPILER)
	$(BIN)/aicc-ops deploy plan --env $(ENV)

deploy: $(STAMP) $(LAMBDA_COMPILER)
	$(BIN)/aicc-ops deploy apply --env $(ENV)

# The deploy rehearsal: the whole root applied to a private local stack, planned again (no
# changes), checked and destroyed (docs/deploy.md, "Rehearsal on the local stack").
rehearse: $(STAMP) $(LAMBDA_COMPILER)
	$(BIN)/python -m aicc_ops.deploy.rehearse

bench: $(STAMP) $(MODELS)
	$(BIN)/python bench/run.py

# The operators' CLI as a package: an sdist, and a wheel built from it (so the sdist is proven
# complete). `pipx install dist/aicc_ops-*.whl` then gives a working aicc-ops (docs/install.md).
DIST ?= dist
# Only our own artifacts are replaced in DIST; a stale aicc_ops.egg-info (left by `pip install -e`)
# would otherwise feed setuptools an old file list and hide a packaging mistake.
dist: $(STAMP)
	rm -rf aicc_ops.egg-info $(DIST)/aicc_ops-*.whl $(DIST)/aicc_ops-*.tar.gz
	$(BIN)/python -m build --outdir $(DIST) .

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build dist *.egg-info
