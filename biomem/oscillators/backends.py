"""One entry point for the three classic-Kuramoto backends (imported lazily)."""

from __future__ import annotations

import importlib

from biomem.errors import BiomemError
from biomem.oscillators.description import KuramotoModel, KuramotoResult

BACKENDS = ("numba", "torch", "brian2")


def check_backend(name: str) -> str:
    """Return ``name`` if the Kuramoto model runs on that backend, else raise BiomemError."""
    if name not in BACKENDS:
        raise BiomemError("backend", f"unknown backend {name!r} for the Kuramoto model", ", ".join(BACKENDS))
    return name


def simulate(model: KuramotoModel, seed: int = 0, backend: str = "numba", **options) -> KuramotoResult:
    """Run ``model`` on ``backend``; ``options`` go to the backend (``record_phases``; torch: ``device``,
    ``dtype``; brian2: ``rk4="stages"|"native"``)."""
    module = importlib.import_module(f"biomem.backends.{check_backend(backend)}.kuramoto")
    return module.simulate(model, seed, **options)
