"""The network as the JSON document a generated PyNN script embeds.

:func:`describe` turns a biomem network and its lowered form into plain numbers, lists and
identifier labels (format ``biomem-pynn-1``): populations (``IF_curr_exp``, ``IF_cond_exp``, or
spike sources replayed as ``SpikeSourceArray`` with the lowered spike times, Poisson sources
included, so every simulator sees the same input), initial voltages, refractory periods in whole
steps, connectors (one-to-one and all-to-all stay symbolic when the weights are uniform; anything
else becomes the explicit list of lowered synapses), receptors, delays, and STDP with *absolute*
amplitudes (the script converts them per simulator). Times are in ms, rounded to 1e-9 ms.
"""

from __future__ import annotations

import numpy as np

from biomem.description.connectors import AllToAllConnector, OneToOneConnector
from biomem.description.lowered import LoweredNetwork
from biomem.description.network import Network, PopulationView
from biomem.errors import BiomemError, UnsupportedFeature
from biomem.export.common import Issues, require_labels

#: The ``format`` field of the document.
FORMAT = "biomem-pynn-1"


def _indices(end) -> list[int] | None:
    return [int(i) for i in end.indices] if isinstance(end, PopulationView) else None


def _cell_parameters(cell, lowered: LoweredNetwork, piece) -> dict:
    parameters = {k: float(v) for k, v in cell.parameters().items()}
    # Quantised networks carry their rounded values in the lowered arrays.
    span = slice(piece.start, piece.stop)
    for name in ("v_rest", "v_reset", "v_thresh", "i_offset"):
        values = getattr(lowered, name)[span]
        if np.all(values == values[0]):
            parameters[name] = float(values[0])
        else:
            parameters[name] = [float(v) for v in values]
    return parameters


def describe(network: Network, lowered: LoweredNetwork, issues: Issues) -> dict:
    """The JSON document a PyNN script embeds for ``network``.

    Parameters
    ----------
    network : Network
        The network description (cell types, connectors and views come from here).
    lowered : LoweredNetwork
        ``network`` lowered for the run (weights, delays, input spikes, with any quantisation or
        approximation already applied).
    issues : Issues
        Where the target name is taken from for error messages.

    Returns
    -------
    dict
        ``{"format", "biomem_version", "network", "dt", "n_steps", "duration", "populations",
        "projections"}``: plain numbers, lists and labels that are Python identifiers.

    Raises
    ------
    BiomemError
        When a label is not an identifier, or one projection mixes several delays.
    UnsupportedFeature
        For STDP on current-based inhibitory synapses (PyNN stores their weights negative).
    """
    require_labels(lowered)
    populations = []
    dt = lowered.dt
    for population, piece in zip(network.populations, lowered.populations):
        span = slice(piece.start, piece.stop)
        spec = {"label": piece.label, "size": piece.size}
        if piece.is_source:
            inside = (lowered.source_neurons >= piece.start) & (lowered.source_neurons < piece.stop)
            trains = [[] for _ in range(piece.size)]
            for step, neuron in zip(lowered.source_steps[inside], lowered.source_neurons[inside]):
                trains[neuron - piece.start].append(_number(step * dt))
            spec.update(cell="SpikeSourceArray", spike_times=trains)
        else:
            spec.update(cell=type(population.cell).__name__,
                        parameters=_cell_parameters(population.cell, lowered, piece),
                        refractory_steps=int(lowered.refrac_steps[piece.start]))
            v_init = lowered.v_init[span]
            spec["initial_v"] = float(v_init[0]) if np.all(v_init == v_init[0]) else [float(v) for v in v_init]
        populations.append(spec)
    projections = []
    for projection, piece in zip(network.projections, lowered.projections):
        span = slice(piece.start, piece.stop)
        weights = lowered.syn_weight[span]
        delays = lowered.syn_delay[span]
        if delays.size and np.any(delays != delays[0]):
            raise BiomemError(projection.label, "mixed delays in one projection", "one delay per projection")
        post_cell = projection.post.cell
        inhibitory = projection.receptor == "inhibitory"
        spec = {"label": piece.label, "pre": piece.pre, "post": piece.post,
                "pre_index": _indices(projection.pre), "post_index": _indices(projection.post),
                "receptor": projection.receptor, "delay": _number(float(delays[0]) * dt if delays.size else dt),
                "negate_on_pynn": bool(inhibitory and not post_cell.conductance_based), "stdp": None}
        uniform = weights.size > 0 and np.all(weights == weights[0])
        if uniform and isinstance(projection.connector, OneToOneConnector):
            spec["connector"] = {"type": "one_to_one", "weight": float(weights[0])}
        elif uniform and isinstance(projection.connector, AllToAllConnector) and (
                projection.connector.allow_self_connections
                or (projection.pre is projection.post and not isinstance(projection.pre, PopulationView))):
            # PyNN drops i -> i only on a recurrent projection; biomem also between two populations,
            # so that case goes out as an explicit list below.
            spec["connector"] = {"type": "all_to_all", "weight": float(weights[0]),
                                 "allow_self_connections": bool(projection.connector.allow_self_connections)}
        else:
            pre_local = lowered.syn_pre[span] - lowered.population(piece.pre).start
            post_local = lowered.syn_post[span] - lowered.population(piece.post).start
            # FromListConnector indices are relative to the (view of the) population.
            pre_pos = _positions(projection.pre, pre_local)
            post_pos = _positions(projection.post, post_local)
            synapses = [[int(i), int(j), float(w)] for i, j, w in zip(pre_pos, post_pos, weights)]
            spec["connector"] = {"type": "from_list", "synapses": synapses}
        if piece.plasticity is not None:
            rule = piece.plasticity
            if spec["negate_on_pynn"]:
                raise UnsupportedFeature("STDP on current-based inhibitory synapses", issues.target,
                                         f"{piece.label}: PyNN stores them as negative weights")
            spec["stdp"] = {"tau_plus": rule.tau_plus, "tau_minus": rule.tau_minus,
                            "A_plus": rule.potentiation_amplitude, "A_minus": rule.depression_amplitude,
                            "w_min": rule.w_min, "w_max": rule.w_max, "variant": rule.variant}
        projections.append(spec)
    from biomem import __version__
    return {"format": FORMAT, "biomem_version": __version__, "network": network.label,
            "dt": dt, "n_steps": lowered.n_steps, "duration": _number(lowered.n_steps * dt),
            "populations": populations, "projections": projections}


def _positions(end, local: np.ndarray) -> np.ndarray:
    """Position of population indices inside a view (identity for a whole population)."""
    if not isinstance(end, PopulationView):
        return local
    lookup = {int(v): k for k, v in enumerate(end.indices)}
    return np.asarray([lookup[int(i)] for i in local], np.int64)


def _number(value: float):
    value = round(float(value), 9)
    return int(value) if value == int(value) else value
