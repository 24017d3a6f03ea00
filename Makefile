# biomem: set-up, demo, tests and benchmarks.
#
#   make venv    # .venv with every backend and extra (instant when already done)
#   make demo    # one model run, results in out/
#   make test    # the test suite
#   make test-loihi  # the Loihi-emulator tests, in their own .venv-loihi (numpy < 2)
#   make test-spinnaker  # sPyNNaker's virtual-board mapping, sPyNNaker in its own .venv-spinnaker (numpy 2.4)
#   make bench   # the benchmark suite: regenerates docs/benchmarks.md and its figures (< 20 min, 2 cores)
#   make bench-quick  # every benchmark case at tiny sizes (< 2 min), report in a temporary folder
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

.PHONY: venv demo test test-loihi test-spinnaker bench bench-quick docs figures clean-venv

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
	$(PY) -m pytest -p no:nengo -m "not loihi and not spinnaker" $(PYTEST_ARGS)

test-loihi:
	$(MAKE) --no-print-directory -f Makefile.loihi test

test-spinnaker: venv
	$(MAKE) --no-print-directory -f Makefile.spinnaker test MAIN_PY=$(PY)

bench: venv
	$(PY) -m benchmarks

bench-quick: venv
	$(PY) -m benchmarks --quick

docs: venv
	$(MAKE) --no-print-directory -f Makefile.docs docs

figures: venv
	$(MAKE) --no-print-directory -f Makefile.docs figures

clean-venv:
	rm -rf $(VENV)
