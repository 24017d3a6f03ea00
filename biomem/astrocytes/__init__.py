"""Astrocytes: biophysical models (Li-Rinzel, G-ChI, tripartite synapses) and a reduced unit (AM-SU).

Descriptions (:mod:`~biomem.astrocytes.description`) are frozen, validated dataclasses; the same
integration scheme runs on three backends (``numba``, ``torch``, ``brian2``), stand-alone
(:func:`simulate_li_rinzel`, :func:`simulate_tripartite`) or attached to a spiking network
(:mod:`~biomem.astrocytes.coupling`). The AM-SU (:mod:`~biomem.astrocytes.amsu`) is biomem's own
design: the paper that names it publishes no equations.
"""

from __future__ import annotations

from biomem.astrocytes.common import AstroTraces, SpikeInput, check_backend
from biomem.astrocytes.coupling import AstroConnection, AstrocyteLayer, domains
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse


def _module(backend: str):
    backend = check_backend(backend)
    if backend == "numba":
        from biomem.backends.numba import astrocytes as module
    elif backend == "torch":
        from biomem.backends.torch import astrocytes as module
    else:
        from biomem.backends.brian2 import astrocytes as module
    return module


def simulate_li_rinzel(model: LiRinzelAstrocyte, n_astrocytes: int, n_steps: int, dt: float, spikes=None, *,
                       backend: str = "numba", **options) -> AstroTraces:
    """Stand-alone Li-Rinzel astrocytes on ``backend`` (see
    :func:`biomem.backends.numba.astrocytes.simulate_li_rinzel`)."""
    return _module(backend).simulate_li_rinzel(model, n_astrocytes, n_steps, dt, spikes, **options)


def simulate_tripartite(astrocyte: GChIAstrocyte, synapse: TripartiteSynapse, n_astrocytes: int, n_synapses: int,
                        n_steps: int, dt: float, spikes=None, *, backend: str = "numba", **options) -> AstroTraces:
    """G-ChI astrocytes and tripartite synapses on ``backend`` (see
    :func:`biomem.backends.numba.astrocytes.simulate_tripartite`)."""
    return _module(backend).simulate_tripartite(astrocyte, synapse, n_astrocytes, n_synapses, n_steps, dt, spikes,
                                                **options)


__all__ = ["AstroConnection", "AstroTraces", "AstrocyteLayer", "GChIAstrocyte", "LiRinzelAstrocyte", "SpikeInput",
           "TripartiteSynapse", "domains", "simulate_li_rinzel", "simulate_tripartite"]
