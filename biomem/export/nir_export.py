"""NIR (Neuromorphic Intermediate Representation): write, read, and import into biomem.

Graph written for a network (``nir.write`` to HDF5):

- each spike source population -> ``nir.Input`` (key = its label); the spikes themselves are
  data, not part of the graph;
- each ``IF_curr_exp`` population -> ``nir.CubaLIF`` (key = label) and a ``nir.Output``
  (key = ``<label>__out``) so that every population's spikes can be read;
- each projection -> ``nir.Linear`` (key = projection label, weight shape (post, pre), sign from the
  receptor); a projection with a delay of d > 1 steps goes through a ``nir.Delay`` of (d - 1) dt.

Conventions (stored in the graph's ``metadata`` under ``biomem.*``):

- **edge latency**: biomem's minimum synaptic delay of one step is implicit in every Linear edge
  (NIR edges carry no time; consumers that evaluate a feed-forward graph within one step,
  like snnTorch, fire a population at graph depth L exactly L steps earlier);
- **units and scaling** follow snnTorch's NIR export (which reads spikes as unit pulses per
  step): ``r = tau_mem / dt``, ``w_in = tau_syn / dt``, ``v_leak`` and the voltages relative to
  ``v_rest`` (``v_leak = R i_offset``, an exact fold of the constant current), time in seconds;
- **time constants** (``time_constants=``): ``"physical"`` writes ``tau_m`` and ``tau_syn`` as they
  are; ``"euler"`` writes ``dt / (1 - exp(-dt/tau))``, so that a consumer integrating with forward
  Euler at ``dt`` (snnTorch: ``beta = 1 - dt/tau``) gets biomem's exact per-step decays;
  the Linear weight is the per-step voltage jump a spike causes through one step of biomem's
  closed form, ``w R (tau_syn/dt)(1 - e^-dt/tau_syn)(1 - e^-dt/tau_m)`` in "euler" mode and
  ``w R dt / tau_m`` (the same to first order) in "physical" mode.

NIR cannot express, and biomem reports as :class:`~biomem.errors.UnsupportedFeature`:
plasticity (STDP), refractory periods, conductance-based synapses, separate excitatory and
inhibitory synaptic time constants within a population, an initial membrane potential away
from rest, subtractive reset (when importing). With ``approximate=True`` the ones that
have an approximation are replaced (frozen weights, no refractory period, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biomem.description.cells import IF_curr_exp, SpikeSourceArray
from biomem.description.connectors import ArrayConnector
from biomem.description.lowered import INHIBITORY, LoweredNetwork
from biomem.description.network import Network, Population, Projection
from biomem.errors import BiomemError, UnsupportedFeature
from biomem.export.common import Issues, check_network, freeze_plasticity, require_labels
from biomem.export.profiles import Profile, get as get_profile

OUTPUT_SUFFIX = "__out"
DELAY_SUFFIX = "__delay"
TIME_CONSTANTS = ("physical", "euler")
SNNTORCH_DT_S = 1e-4  # hard-coded in snnTorch's import_from_nir


@dataclass
class NirExport:
    """A NIR graph with the lowered network it expresses (approximations applied) and the issues found."""

    graph: object
    lowered: LoweredNetwork
    issues: Issues
    time_constants: str


def _euler_tau(tau_ms: np.ndarray, dt_ms: float) -> np.ndarray:
    return dt_ms / (1.0 - np.exp(-dt_ms / tau_ms))


def to_graph(network: Network, lowered: LoweredNetwork, *, profile: Profile | None = None, approximate: bool = False,
             time_constants: str = "physical", issues: Issues | None = None, target: str = "nir",
             outputs=None) -> NirExport:
    """The NIR graph of ``lowered`` (see the module docstring for the conventions).

    ``outputs`` lists the populations that get an ``nir.Output`` (default: every neuron
    population; nirtorch 2.6, and so snnTorch, executes graphs with a single Output only).
    """
    import nir

    if time_constants not in TIME_CONSTANTS:
        raise BiomemError("time_constants", f"unknown value {time_constants!r}", ", ".join(TIME_CONSTANTS))
    issues = issues if issues is not None else Issues(target, approximate)
    require_labels(lowered)
    profile = profile if profile is not None else get_profile("generic-nir")
    for population in network.populations:
        if not population.cell.spiking_source and not isinstance(population.cell, IF_curr_exp):
            issues.add("conductance-based synapses (IF_cond_exp)" if population.cell.conductance_based
                       else f"cell type {type(population.cell).__name__}", population.label,
                       "NIR's neurons are current-based (CubaLIF)", None)
    lowered = freeze_plasticity(check_network(network, lowered, profile, issues, plasticity_ok=False))

    dt_ms = lowered.dt
    dt_s = dt_ms / 1000.0
    nodes, edges = {}, []
    offsets = {}
    for piece in lowered.populations:
        span = slice(piece.start, piece.stop)
        if piece.is_source:
            nodes[piece.label] = nir.Input(input_type={"input": np.array([piece.size])})
            continue
        tau_m = lowered.tau_m[span]
        tau_syn = -dt_ms / np.log(lowered.decay_E[span])
        if time_constants == "euler":
            tau_m_out, tau_syn_out = _euler_tau(tau_m, dt_ms), _euler_tau(tau_syn, dt_ms)
        else:
            tau_m_out, tau_syn_out = tau_m, tau_syn
        resistance = lowered.tau_m[span] / lowered.cm[span]
        tau_m_s, tau_syn_s = tau_m_out / 1000.0, tau_syn_out / 1000.0
        nodes[piece.label] = nir.CubaLIF(
            tau_syn=tau_syn_s.astype(np.float64), tau_mem=tau_m_s.astype(np.float64),
            r=(tau_m_s / dt_s).astype(np.float64),
            v_leak=(resistance * lowered.i_offset[span]).astype(np.float64),
            v_threshold=(lowered.v_thresh[span] - lowered.v_rest[span]).astype(np.float64),
            v_reset=(lowered.v_reset[span] - lowered.v_rest[span]).astype(np.float64),
            w_in=(tau_syn_s / dt_s).astype(np.float64))
        if outputs is None or piece.label in outputs:
            nodes[piece.label + OUTPUT_SUFFIX] = nir.Output(output_type={"output": np.array([piece.size])})
            edges.append((piece.label, piece.label + OUTPUT_SUFFIX))
        offsets[piece.label] = [float(v) for v in lowered.v_rest[span]]
    for projection in lowered.projections:
        pre = lowered.population(projection.pre)
        post = lowered.population(projection.post)
        span = slice(projection.start, projection.stop)
        targets = lowered.syn_post[span]
        receptor = lowered.syn_receptor[span]
        scale_syn = np.where(receptor == INHIBITORY, lowered.scale_I[targets], lowered.scale_E[targets])
        resistance = lowered.tau_m[targets] / lowered.cm[targets]
        if time_constants == "euler":
            jump = resistance * scale_syn * (1.0 - lowered.decay_m[targets])
        else:
            jump = resistance * dt_ms / lowered.tau_m[targets]
        sign = np.where(receptor == INHIBITORY, -1.0, 1.0)
        matrix = np.zeros((post.size, pre.size))
        np.add.at(matrix, (targets - post.start, lowered.syn_pre[span] - pre.start),
                  sign * lowered.syn_weight[span] * jump)
        nodes[projection.label] = nir.Linear(weight=matrix)
        edges.append((projection.pre, projection.label))
        delays = lowered.syn_delay[span]
        delay = int(delays.max()) if delays.size else 1
        if delays.size and np.any(delays != delay):
            raise UnsupportedFeature("different delays within one projection", target, projection.label)
        if delay > 1:
            key = projection.label + DELAY_SUFFIX
            nodes[key] = nir.Delay(delay=np.full(post.size, (delay - 1) * dt_s))
            edges += [(projection.label, key), (key, projection.post)]
        else:
            edges.append((projection.label, projection.post))
    metadata = {"biomem.format": "biomem-nir-1", "biomem.dt_s": dt_s, "biomem.edge_latency_steps": 1,
                "biomem.time_constants": time_constants, "biomem.network": network.label,
                "biomem.scaling": "snntorch (unit pulses per step; r = tau_mem/dt, w_in = tau_syn/dt)",
                "biomem.populations": ",".join(p.label for p in lowered.populations)}
    for label, values in offsets.items():
        metadata[f"biomem.v_rest.{label}"] = np.asarray(values)
    # NIR's type inference starts from Input nodes; a self-driven network (no spike source) has none.
    has_input = any(isinstance(node, nir.Input) for node in nodes.values())
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=has_input)
    return NirExport(graph, lowered, issues, time_constants)


def write(export: NirExport, path) -> Path:
    """Write the graph to ``path`` (HDF5, ``nir.write``)."""
    import nir

    path = Path(path)
    nir.write(str(path), export.graph)
    return path


def read(path):
    """Read a NIR graph (``nir.read``); a missing or unreadable file is a BiomemError."""
    import nir

    path = Path(path)
    if not path.is_file():
        raise BiomemError("nir", f"no such file: {path}", "an HDF5 file written by nir.write")
    try:
        return nir.read(str(path))
    except Exception as error:  # h5py/nir raise many kinds of errors on a bad file
        raise BiomemError("nir", f"cannot read {path.name}: {type(error).__name__}: {error}",
                          "an HDF5 file written by nir.write") from None


def _meta(graph, key, default=None):
    metadata = getattr(graph, "metadata", None) or {}
    value = metadata.get(key, default)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    return value


def to_network(graph, inputs: dict | None = None, *, dt: float | None = None, reset: str = "zero",
               label: str = "nir_network") -> Network:
    """Import a NIR graph as a biomem :class:`Network` (LIF/CubaLIF, Linear/Affine without bias, Delay).

    ``inputs`` maps each ``nir.Input`` key to per-neuron spike times in ms (``SpikeSourceArray``);
    ``dt`` (ms) defaults to the graph's ``biomem.dt_s``; ``reset`` names the consumer's reset
    semantics: only "zero" (to ``v_reset``) exists in biomem, "subtract" is an UnsupportedFeature.
    """
    import nir

    if reset != "zero":
        raise UnsupportedFeature("subtractive reset", "biomem", "biomem neurons reset to v_reset")
    dt_s = _meta(graph, "biomem.dt_s")
    if dt is None:
        if dt_s is None:
            raise BiomemError("dt", "the graph has no biomem.dt_s metadata", "pass dt (ms) explicitly")
        dt = float(dt_s) * 1000.0
    dt_s = dt / 1000.0
    time_constants = _meta(graph, "biomem.time_constants", "physical")
    latency = int(_meta(graph, "biomem.edge_latency_steps", 1))
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
    v_rest = _meta(graph, f"biomem.v_rest.{key}")
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
    """Per-source spike times (ms) of a lowered network, for :func:`to_network`."""
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


# ----------------------------------------------------------------------------------------- snnTorch

def to_snntorch(graph):
    """Load the graph with snnTorch's ``import_from_nir``, after checking what snnTorch would change.

    snnTorch hard-codes dt = 0.1 ms, resets to zero (v_reset must be 0 relative to rest), needs
    v_leak = 0 and one threshold per population; anything else is an UnsupportedFeature here
    rather than a silent change of behaviour.
    """
    import nir

    n_inputs = sum(isinstance(n, nir.Input) for n in graph.nodes.values())
    n_outputs = sum(isinstance(n, nir.Output) for n in graph.nodes.values())
    if n_inputs != 1 or n_outputs != 1:
        raise UnsupportedFeature(f"graphs with {n_inputs} inputs and {n_outputs} outputs", "snnTorch import_from_nir",
                                 "nirtorch 2.6 executes one Input and one Output (export with outputs=[label])")
    dt_s = _meta(graph, "biomem.dt_s")
    if dt_s is not None and not math.isclose(float(dt_s), SNNTORCH_DT_S, rel_tol=1e-9):
        raise UnsupportedFeature(f"time step {float(dt_s) * 1000:g} ms", "snnTorch import_from_nir",
                                 "snnTorch hard-codes dt = 0.1 ms")
    for key, node in graph.nodes.items():
        if isinstance(node, nir.Delay):
            raise UnsupportedFeature("synaptic delays > 1 step (nir.Delay)", "snnTorch import_from_nir", key)
        if isinstance(node, (nir.CubaLIF, nir.LIF)):
            if np.any(np.asarray(node.v_reset) != 0):
                raise UnsupportedFeature("reset to a potential other than rest", "snnTorch import_from_nir",
                                         f"{key}: snnTorch resets to zero")
            if np.any(np.asarray(node.v_leak) != 0):
                raise UnsupportedFeature("constant input current (v_leak != 0)", "snnTorch import_from_nir", key)
    import contextlib
    import io

    from snntorch import import_nir

    with contextlib.redirect_stdout(io.StringIO()):  # snnTorch prints warnings on stdout
        return import_nir.import_from_nir(graph)


def run_snntorch(module, graph, inputs: dict, n_steps: int) -> dict:
    """Step an imported snnTorch module; returns {population: [[step, index], ...]} (steps, not ms).

    ``inputs`` maps Input keys to (n_steps, size) arrays of 0/1. snnTorch computes in float32.
    """
    import nir
    import torch

    input_keys = [k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    output_keys = [k for k, n in graph.nodes.items() if isinstance(n, nir.Output)]
    spikes = {k[: -len(OUTPUT_SUFFIX)] if k.endswith(OUTPUT_SUFFIX) else k: [] for k in output_keys}
    state = None
    with torch.no_grad():
        for step in range(n_steps):
            args = [torch.as_tensor(np.asarray(inputs[k][step], np.float32)) for k in input_keys]
            result = module(*args, state=state) if state is not None or _takes_state(module) else module(*args)
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
                out, state = result
            else:
                out = result
            values = out if isinstance(out, dict) else ({output_keys[0]: out} if len(output_keys) == 1 else
                                                         dict(zip(output_keys, out)))
            for key, value in values.items():
                label = key[: -len(OUTPUT_SUFFIX)] if key.endswith(OUTPUT_SUFFIX) else key
                if isinstance(value, tuple):
                    value = value[0]
                for index in np.flatnonzero(np.asarray(value).reshape(-1) > 0):
                    spikes.setdefault(label, []).append([step, int(index)])
    return spikes


def _takes_state(module) -> bool:
    import inspect

    try:
        return "state" in inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        return False
