"""Astrocyte descriptions lowered to arrays: what every backend's integrator starts from.

Parameter vectors in a fixed order, validated initial states, sorted input spikes and coupling edges
are built here once, so the Numba, PyTorch and Brian2 integrators read identical numbers.
"""

from __future__ import annotations

import numpy as np

from biomem.astrocytes.common import AstroTraces, SpikeInput, initial_array, record_steps, unknown_initial
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse, check_dt
from biomem.description import validate as check
from biomem.errors import BiomemError

LR_PARAMETERS = LiRinzelAstrocyte.NEST_PARAMETERS


def lr_vector(model: LiRinzelAstrocyte) -> np.ndarray:
    """Parameters in :data:`LR_PARAMETERS` order, then ``max_Ca``."""
    return np.array([float(getattr(model, name)) for name in LR_PARAMETERS] + [model.max_Ca])


def gchi_vector(model: GChIAstrocyte) -> np.ndarray:
    """Parameters in ``GChIAstrocyte.PARAMETERS`` order (the indices :func:`gchi_rhs` reads)."""
    return np.array([float(getattr(model, name)) for name in GChIAstrocyte.PARAMETERS])


def syn_vector(model: TripartiteSynapse) -> np.ndarray:
    """Parameters in ``TripartiteSynapse.PARAMETERS`` order (the indices :func:`syn_decay` reads)."""
    return np.array([float(getattr(model, name)) for name in TripartiteSynapse.PARAMETERS])


def lr_setup(model, n_astrocytes, n_steps, dt, spikes, record_every, initial):
    """Validated arrays shared by every backend's :func:`simulate_li_rinzel`: ``n``, initial ``IP3``,
    ``Ca_astro`` and ``h_IP3R`` (one value per astrocyte), the recorded sample indices and the input
    spikes sorted by step."""
    check_dt(dt)
    n = check.integer("n_astrocytes", n_astrocytes, low=1)
    check.integer("n_steps", n_steps, low=1)
    rows = record_steps(n_steps, record_every)
    unknown_initial(initial, LiRinzelAstrocyte.STATE)
    start = model.initial_state()
    ip3, ca, h = (initial_array(name, value, initial, n) for name, value in zip(LiRinzelAstrocyte.STATE, start))
    spikes = spikes if spikes is not None else SpikeInput.empty()
    # Validated and sorted by step (a SpikeInput built by hand may not be).
    spikes = SpikeInput.from_steps(spikes.steps, spikes.targets, spikes.weights, n_targets=n, n_steps=n_steps)
    return n, ip3, ca, h, rows, spikes


def tripartite_setup(astrocyte, synapse, n_astrocytes, n_synapses, n_steps, dt, spikes, syn_to_astro,
                     astro_to_syn, I_bias, record_every, initial):
    """Validated arrays shared by every backend's :func:`simulate_tripartite`: initial states (variable, unit),
    ``I_bias``, sorted input spikes, coupling edges and the recorded sample indices."""
    check_dt(dt)
    n_astro = check.integer("n_astrocytes", n_astrocytes, low=0)
    n_syn = check.integer("n_synapses", n_synapses, low=0)
    check.integer("n_steps", n_steps, low=1)
    rows = record_steps(n_steps, record_every)
    unknown_initial(initial, GChIAstrocyte.STATE + TripartiteSynapse.STATE)
    astro = np.stack([initial_array(name, value, initial, n_astro)
                      for name, value in zip(GChIAstrocyte.STATE, astrocyte.initial_state())]) \
        if n_astro else np.zeros((6, 0))
    syn = np.stack([initial_array(name, value, initial, n_syn)
                    for name, value in zip(TripartiteSynapse.STATE, synapse.initial_state())]) \
        if n_syn else np.zeros((4, 0))
    bias = np.broadcast_to(np.asarray(I_bias, float), (n_astro,)).copy()
    check.real_array("I_bias", bias)
    spikes = spikes if spikes is not None else SpikeInput.empty()
    spikes = SpikeInput.from_steps(spikes.steps, spikes.targets, spikes.weights, n_targets=max(n_syn, 1),
                                   n_steps=n_steps)
    sa = _edges("syn_to_astro", syn_to_astro, n_syn, n_astro)
    as_ = _edges("astro_to_syn", astro_to_syn, n_astro, n_syn)
    return {"rows": rows, "astro": astro, "syn": syn, "I_bias": bias, "spikes": spikes, "sa": sa, "as": as_,
            "n_astro": n_astro, "n_syn": n_syn}


def _edges(name, pairs, n_from, n_to):
    try:
        src, dst = (np.asarray(x, np.int64).reshape(-1) for x in pairs)
    except (TypeError, ValueError):
        raise BiomemError(name, "expected a pair of index lists (from, to)", "(from_indices, to_indices)") from None
    if src.size != dst.size:
        raise BiomemError(name, f"{src.size} sources for {dst.size} targets", "two lists of equal length")
    if src.size and (src.min() < 0 or src.max() >= n_from or dst.min() < 0 or dst.max() >= n_to):
        raise BiomemError(name, "index out of range", f"from < {n_from}, to < {n_to}")
    return src, dst


def tripartite_traces(times, out_astro, out_syn, releases, r_s, backend, wall):
    """Package recorded (samples, variable, unit) arrays and events as :class:`AstroTraces`."""
    state = {name: out_astro[:, v, :] for v, name in enumerate(GChIAstrocyte.STATE)}
    state.update({name: out_syn[:, v, :] for v, name in enumerate(TripartiteSynapse.STATE)})
    releases = np.asarray(releases, np.int64).reshape(-1, 2)
    events = {"release": (releases[:, 0], releases[:, 1]), "r_S": np.asarray(r_s, float)}
    return AstroTraces(times, state, backend, events, wall)
