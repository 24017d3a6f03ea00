"""Backend registry. Backends are imported lazily, so a missing optional package only
matters when that backend is asked for."""

from __future__ import annotations

import importlib
import importlib.util

from biomem.backends.base import Backend, RawRun
from biomem.errors import BiomemError

# name -> (module, class). A fixed table: backend names never reach an import unchecked.
_REGISTRY = {
    "numba": ("biomem.backends.numba.backend", "NumbaBackend", ("numba",)),
    "brian2": ("biomem.backends.brian2.backend", "Brian2Backend", ("brian2",)),
    "brian2-standalone": ("biomem.backends.brian2.backend", "Brian2StandaloneBackend", ("brian2",)),
    "torch": ("biomem.backends.torch.backend", "TorchBackend", ("torch", "snntorch")),
}


def names() -> list[str]:
    """The names of all registered backends, installed or not."""
    return list(_REGISTRY)


def missing_packages(name: str) -> list[str]:
    """The packages a backend needs that are not installed (empty when it is usable)."""
    _check_name(name)
    return [package for package in _REGISTRY[name][2] if importlib.util.find_spec(package) is None]


def get(name: str, **options) -> Backend:
    """An instance of the backend called ``name``, configured with ``options``."""
    _check_name(name)
    missing = missing_packages(name)
    if missing:
        raise BiomemError("backend", f"{name!r} needs {', '.join(missing)}, which is not installed",
                          "pip install 'biomem[all]'")
    module, cls, _ = _REGISTRY[name]
    return getattr(importlib.import_module(module), cls)(**options)


def _check_name(name: str) -> None:
    if name not in _REGISTRY:
        raise BiomemError("backend", f"unknown backend {name!r}", ", ".join(_REGISTRY))


__all__ = ["Backend", "RawRun", "get", "names", "missing_packages"]
