"""One call from a description to results: lower, pick a backend, run."""

from __future__ import annotations

from biomem import backends
from biomem.description.lowered import lower
from biomem.description.network import Network
from biomem.results import SimulationResult


def simulate(network: Network, duration: float, *, dt: float = 0.1, seed: int = 0, backend: str = "numba",
             **options) -> SimulationResult:
    """Simulate ``network`` for ``duration`` ms with time step ``dt`` ms on ``backend``.

    The same ``seed`` gives the same synapses, initial state and input spikes on every
    backend, and bit-identical results on the same backend. ``options`` go to the backend
    (for instance ``device="cuda"`` for torch).
    """
    engine = backends.get(backend, **options)
    lowered = lower(network, duration, dt, seed)
    raw = engine.run(lowered)
    from biomem import __version__
    provenance = {"network": network.label, "backend": backend, "seed": seed, "dt_ms": dt,
                  "duration_ms": duration, "biomem_version": __version__}
    return SimulationResult(lowered, raw, backend, provenance)
