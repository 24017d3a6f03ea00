# biomem: set-up, demo, tests and benchmarks.
#
#   make venv    # .venv with every backend and extra (instant when already done)
#   make demo    # one model run, results in out/
#   make test    # the test suite
#   make test-loihi  # the Loihi-emulator tests, in their own .venv-loihi (numpy < 2)
#   make bench   # the benchmark suite (when benchmarks/ has one)
#   make docs    # tutorials' figures, then the documentation site (mkdocs --strict) into site/
#
# The environment is installed once per version of pyproject.toml: the stamp file
# $(VENV)/.installed-<hash of pyproject.toml> marks it done.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Installed before the project, pinned: an unpinned resolve of torch pulls a multi-GB CUDA build
# (here the pinned CPU build comes from a local wheel).
TORCH ?= torch==2.13.0
PYTEST_ARGS ?=
PYPROJECT_HASH := $(shell $(PYTHON) -c "import hashlib; print(hashlib.sha256(open('pyproject.toml', 'rb').read()).hexdigest()[:16])")
STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)

.PHONY: venv demo test test-loihi bench docs figures clean-venv

venv: $(STAMP)

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install '$(TORCH)'
	$(PY) -m pip install -e '.[all]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: venv
	@if [ -f models/ca3-cam.toml ]; then $(VENV)/bin/biomem run ca3-cam; else $(VENV)/bin/biomem run coba; fi

test: venv
	$(PY) -m pytest -p no:nengo -m "not loihi" $(PYTEST_ARGS)

test-loihi:
	$(MAKE) --no-print-directory -f Makefile.loihi test

bench: venv
	@if [ -f benchmarks/__main__.py ]; then $(PY) -m benchmarks; else echo "bench: no benchmarks/__main__.py yet"; fi

docs: venv
	$(MAKE) --no-print-directory -f Makefile.docs docs

figures: venv
	$(MAKE) --no-print-directory -f Makefile.docs figures

clean-venv:
	rm -rf $(VENV)
