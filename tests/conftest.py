"""Shared fixtures: every behaviour test runs once per backend (the Nengo pattern).

``backend`` is parametrised over :data:`BACKENDS`. A backend whose packages are not
installed, or whose module fails to import, makes its tests FAIL with the reason (never
skip): CI installs every backend, so a missing one is a broken environment.

``--backends numba,torch`` narrows the set for a quick local run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from biomem import backends, simulate

BACKENDS = ("numba", "brian2", "torch")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--backends", default=",".join(BACKENDS),
                     help=f"comma-separated backends to test (default: {','.join(BACKENDS)})")


def _selected(config) -> list[str]:
    chosen = [name.strip() for name in config.getoption("--backends").split(",") if name.strip()]
    unknown = [name for name in chosen if name not in backends.names()]
    if unknown:
        raise pytest.UsageError(f"--backends: unknown {', '.join(unknown)} (accepted: {', '.join(backends.names())})")
    return chosen


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _selected(metafunc.config), indirect=True)


_LOAD_ERRORS: dict[str, str | None] = {}


def _load_error(name: str) -> str | None:
    """Why backend ``name`` cannot be used here, or None; checked once per session."""
    if name not in _LOAD_ERRORS:
        missing = backends.missing_packages(name)
        if missing:
            _LOAD_ERRORS[name] = (f"backend {name!r} needs {', '.join(missing)}, which is not installed "
                                  "(install with: pip install -e '.[all]')")
        else:
            try:
                backends.get(name)
                _LOAD_ERRORS[name] = None
            except Exception as error:  # an import error in the backend module, for instance
                _LOAD_ERRORS[name] = f"backend {name!r} cannot be loaded: {type(error).__name__}: {error}"
    return _LOAD_ERRORS[name]


@pytest.fixture
def backend(request) -> str:
    """The name of the backend under test; fails (not skips) when it is unavailable."""
    name = request.param
    error = _load_error(name)
    if error:
        pytest.fail(error, pytrace=False)
    return name


@pytest.fixture
def run(backend):
    """``run(network, duration, dt=0.1, seed=0, **options)``: :func:`biomem.simulate` on the backend under test."""

    def _run(network, duration, dt=0.1, seed=0, **options):
        return simulate(network, duration, dt=dt, seed=seed, backend=backend, **options)

    return _run


@pytest.fixture(scope="session")
def ca3_reference() -> dict:
    """The CA3 functional experiment as recorded on SpiNNaker (inputs and expected spikes)."""
    with open(FIXTURES / "ca3_functional_spinnaker.json") as handle:
        return json.load(handle)
