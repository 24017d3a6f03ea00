"""A NIR graph read back into biomem: the graph as a :class:`~biomem.description.network.Network`.

The inverse of :mod:`~biomem.export.nir_graph` for biomem's own graphs (their ``biomem.*``
metadata gives dt, the time-constant convention and each population's resting potential), and an
importer for other producers' ``CubaLIF`` graphs. Scaling: ``r = tau_mem/dt`` as snnTorch writes it;
``cm`` is taken as 1 nF and the voltage jump per spike is put into the weights.
"""

from __future__ import annotations

import math

import numpy as np

from biomem.description.cells import IF_curr_exp, SpikeSourceArray
from biomem.description.connectors import ArrayConnector
from biomem.description.lowered import LoweredNetwork
from biomem.description.network import Network, Population, Projection
from biomem.errors import BiomemError, UnsupportedFeature
from biomem.export.nir_io import metadata_value


def to_network(graph, inputs: dict | None = None, *, dt: float | None = None, reset: str = "zero",
               label: str = "nir_network") -> Network:
    """Import a NIR graph as a biomem :class:`~biomem.description.network.Network`.

    Parameters
    ----------
    graph : nir.NIRGraph
        A graph of ``Input``, ``LIF``/``CubaLIF``, ``Linear``/``Affine`` (without bias), ``Delay``
        and ``Output`` nodes (e.g. from :func:`biomem.export.nir_io.read`).
    inputs : dict, optional
        Maps each ``nir.Input`` key to per-neuron spike times in ms (``SpikeSourceArray``);
        an Input left out gets no spikes.
    dt : float, optional
        Time step (ms); default: the graph's ``biomem.dt_s`` metadata.
    reset : str, optional
        The reset semantics the graph was made for: only ``"zero"`` (to ``v_reset``) exists in
        biomem.
    label : str, optional
        The network's label.

    Returns
    -------
    Network
        One population per Input and LIF node, one projection per sign of each weight node.

    Raises
    ------
    UnsupportedFeature
        For subtractive reset, zero-latency edges, other node types, nested graphs, per-neuron
        parameters, delays that are not whole steps, or weights not between two populations.
    BiomemError
        When ``dt`` is unknown, a key is not a valid label, or shapes do not match.
    """
    import nir

    if reset != "zero":
        raise UnsupportedFeature("subtractive reset", "biomem", "biomem neurons reset to v_reset")
    dt_s = metadata_value(graph, "biomem.dt_s")
    if dt is None:
        if dt_s is None:
            raise BiomemError("dt", "the graph has no biomem.dt_s metadata", "pass dt (ms) explicitly")
        dt = float(dt_s) * 1000.0
    dt_s = dt / 1000.0
    time_constants = metadata_value(graph, "biomem.time_constants", "physical")
    latency = int(metadata_value(graph, "biomem.edge_latency_steps", 1))
    if latency != 1:
        raise UnsupportedFeature("zero-latency edges", "biomem", "every biomem synapse takes at least one step")
    inputs = inputs or {}
    net = Network(label)
    populations = {}
    order = [k for k in graph.nodes]
    for key in order:
        node = graph.nodes[key]
        if not key.isidentifier():
            raise BiomemError("nir node", f"key {key!r} is not a valid biomem label", "letters, digits and '_'")
        if isinstance(node, nir.Input):
            size = int(np.prod(list(node.input_type.values())[0]))
            trains = inputs.get(key, [[] for _ in range(size)])
            if len(trains) != size:
                raise BiomemError(f"inputs[{key!r}]", f"{len(trains)} spike trains for {size} neurons",
                                  f"{size} lists of times (ms)")
            populations[key] = net.add(Population(key, size, SpikeSourceArray(tuple(tuple(t) for t in trains))))
        elif isinstance(node, (nir.CubaLIF, nir.LIF)):
            populations[key] = net.add(_population(key, node, graph, dt, time_constants, nir))
        elif isinstance(node, nir.Output):
            continue
        elif isinstance(node, (nir.Linear, nir.Affine, nir.Delay)):
            if isinstance(node, nir.Affine) and np.any(np.asarray(node.bias) != 0):
                raise UnsupportedFeature("Affine bias", "biomem", f"{key}: a constant input current per synapse node")
            continue
        elif isinstance(node, nir.NIRGraph):
            raise UnsupportedFeature("nested NIR subgraphs", "biomem", key)
        else:
            raise UnsupportedFeature(f"NIR node {type(node).__name__}", "biomem", key)
    successors: dict[str, list] = {}
    for source, target in graph.edges:
        successors.setdefault(source, []).append(target)
    for key in order:
        node = graph.nodes[key]
        if not isinstance(node, (nir.Linear, nir.Affine)):
            continue
        sources = [s for s, t in graph.edges if t == key]
        if len(sources) != 1 or sources[0] not in populations:
            raise UnsupportedFeature("weights fed by something other than one population", "biomem", key)
        target, extra_s = _follow_delays(key, successors, graph, nir)
        if target not in populations:
            raise UnsupportedFeature("weights into something other than a LIF population", "biomem", key)
        delay_steps = 1 + (int(round(extra_s / dt_s)) if extra_s else 0)
        if extra_s and abs(extra_s / dt_s - round(extra_s / dt_s)) > 1e-6:
            raise UnsupportedFeature("delays that are not whole time steps", "biomem", f"{key}: {extra_s} s")
        _add_projections(net, key, node, populations[sources[0]], populations[target], graph.nodes[target],
                         delay_steps * dt, dt, time_constants, nir)
    return net


def _follow_delays(key, successors, graph, nir):
    targets = successors.get(key, [])
    if len(targets) != 1:
        raise UnsupportedFeature("weight nodes with several targets", "biomem", key)
    target, extra = targets[0], 0.0
    while isinstance(graph.nodes[target], nir.Delay):
        delays = np.asarray(graph.nodes[target].delay, float)
        if np.any(delays != delays.flat[0]):
            raise UnsupportedFeature("per-neuron delays", "biomem", target)
        extra += float(delays.flat[0])
        following = successors.get(target, [])
        if len(following) != 1:
            raise UnsupportedFeature("delay nodes with several targets", "biomem", target)
        target = following[0]
    return target, extra


def _decays(node, dt_s, time_constants, nir):
    tau_m = np.asarray(node.tau_mem if isinstance(node, nir.CubaLIF) else node.tau, float)
    tau_syn = np.asarray(node.tau_syn, float) if isinstance(node, nir.CubaLIF) else None
    if time_constants == "euler":
        decay_m = 1.0 - dt_s / tau_m
        decay_s = None if tau_syn is None else 1.0 - dt_s / tau_syn
        tau_m = -dt_s / np.log(decay_m)
        tau_syn = None if tau_syn is None else -dt_s / np.log(decay_s)
    return tau_m * 1000.0, (None if tau_syn is None else tau_syn * 1000.0)


def _population(key, node, graph, dt, time_constants, nir) -> Population:
    dt_s = dt / 1000.0
    tau_m, tau_syn = _decays(node, dt_s, time_constants, nir)
    if tau_syn is None:
        raise UnsupportedFeature("LIF without a synaptic current (nir.LIF)", "biomem",
                                 f"{key}: biomem's IF_curr_exp needs tau_syn; use nir.CubaLIF")
    for name, values in (("tau_mem", tau_m), ("tau_syn", tau_syn)):
        if np.any(values != values.flat[0]):
            raise UnsupportedFeature(f"per-neuron {name}", "biomem", f"{key}: one value per population")
    v_rest = metadata_value(graph, f"biomem.v_rest.{key}")
    v_rest = np.zeros(np.asarray(node.v_threshold).shape) if v_rest is None else np.asarray(v_rest, float)
    r = np.asarray(node.r, float)
    # r = tau_mem / dt (snnTorch scaling): cm = tau_m / R with R in biomem's units is free; take cm = 1 nF
    # and put the scaling into the weights (see _add_projections).
    v_leak = np.asarray(node.v_leak, float)
    threshold = np.asarray(node.v_threshold, float)
    v_reset = np.asarray(node.v_reset, float)
    for name, values in (("v_leak", v_leak), ("v_threshold", threshold), ("v_reset", v_reset), ("v_rest", v_rest),
                         ("r", r)):
        if np.any(values != values.flat[0]):
            raise UnsupportedFeature(f"per-neuron {name}", "biomem", f"{key}: one value per population")
    tau_m_ms, tau_syn_ms = float(tau_m.flat[0]), float(tau_syn.flat[0])
    cm = 1.0
    rest = float(v_rest.flat[0])
    cell = IF_curr_exp(cm=cm, tau_m=tau_m_ms, tau_refrac=0.0, tau_syn_E=tau_syn_ms, tau_syn_I=tau_syn_ms,
                       v_rest=rest, v_reset=rest + float(v_reset.flat[0]), v_thresh=rest + float(threshold.flat[0]),
                       i_offset=float(v_leak.flat[0]) * cm / tau_m_ms)
    return Population(key, int(threshold.size), cell)


def _add_projections(net, key, node, pre, post, post_node, delay, dt, time_constants, nir):
    weight = np.asarray(node.weight, float)
    if weight.shape != (post.size, pre.size):
        raise BiomemError(key, f"weight shape {weight.shape}", f"({post.size}, {pre.size})")
    cell = post.cell
    decay_s = math.exp(-dt / cell.tau_syn_E)
    scale = cell.tau_syn_E / dt * (1.0 - decay_s)
    resistance = cell.tau_m / cell.cm
    if time_constants == "euler":
        jump = resistance * scale * (1.0 - math.exp(-dt / cell.tau_m))
    else:
        jump = resistance * dt / cell.tau_m
    for receptor, mask in (("excitatory", weight > 0), ("inhibitory", weight < 0)):
        if not mask.any():
            continue
        values = np.abs(weight.T[mask.T]) / jump
        net.add(Projection(pre, post, ArrayConnector(mask.T), receptor, values, delay,
                           label=f"{key}_{receptor[:3]}"))


def inputs_from_lowered(lowered: LoweredNetwork) -> dict:
    """Per-source spike times (ms) of a lowered network, as :func:`to_network` takes them.

    Parameters
    ----------
    lowered : LoweredNetwork
        A lowered network (its spike sources' lowered spike times are used).

    Returns
    -------
    dict
        ``{source population label: [[time_ms, ...] per neuron]}``.
    """
    out = {}
    for piece in lowered.populations:
        if not piece.is_source:
            continue
        inside = (lowered.source_neurons >= piece.start) & (lowered.source_neurons < piece.stop)
        trains = [[] for _ in range(piece.size)]
        for step, neuron in zip(lowered.source_steps[inside], lowered.source_neurons[inside]):
            trains[neuron - piece.start].append(float(step) * lowered.dt)
        out[piece.label] = trains
    return out
