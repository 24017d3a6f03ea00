"""A biomem network as a NIR (Neuromorphic Intermediate Representation) graph.

Graph built for a network (:func:`to_graph`; written to HDF5 by :mod:`~biomem.export.nir_io`):

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
from rest, subtractive reset (when importing, see :mod:`~biomem.export.nir_import`). With
``approximate=True`` the ones that have an approximation are replaced (frozen weights, no
refractory period, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biomem.description.cells import IF_curr_exp
from biomem.description.lowered import INHIBITORY, LoweredNetwork
from biomem.description.network import Network
from biomem.errors import BiomemError, UnsupportedFeature
from biomem.export.common import Issues, check_network, freeze_plasticity, require_labels
from biomem.export.profiles import Profile, get as get_profile

#: Key suffix of the ``nir.Output`` node of a population.
OUTPUT_SUFFIX = "__out"
#: Key suffix of the ``nir.Delay`` node of a projection with a delay over one step.
DELAY_SUFFIX = "__delay"
#: The time-constant conventions (see the module docstring).
TIME_CONSTANTS = ("physical", "euler")
#: The ``biomem.format`` metadata of the graphs written here.
FORMAT = "biomem-nir-1"


@dataclass
class NirExport:
    """A NIR graph with the lowered network it expresses (approximations applied) and the issues found.

    Parameters
    ----------
    graph : nir.NIRGraph
        The graph (nodes, edges and ``biomem.*`` metadata).
    lowered : LoweredNetwork
        The lowered network the graph expresses: plasticity frozen and any approximation applied.
    issues : Issues
        Unsupported features met (with their approximations) and notes.
    time_constants : str
        ``"physical"`` or ``"euler"`` (see the module docstring).
    """

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

    Parameters
    ----------
    network : Network
        The network description (cell types, for the checks).
    lowered : LoweredNetwork
        ``network`` lowered for the run.
    profile : Profile, optional
        The profile whose features are checked (default: ``generic-nir``).
    approximate : bool, optional
        Replace what NIR cannot express by its approximation (frozen weights, no refractory
        period, ...) instead of raising.
    time_constants : str, optional
        ``"physical"`` or ``"euler"`` (:data:`TIME_CONSTANTS`).
    issues : Issues, optional
        Collects unsupported features and notes (a new one when omitted).
    target : str, optional
        The target named in error messages.
    outputs : collection of str, optional
        The populations that get an ``nir.Output`` (default: every neuron population; nirtorch
        2.6, and so snnTorch, executes graphs with a single Output only).

    Returns
    -------
    NirExport
        The graph, the lowered network it expresses, the issues and the time-constant convention.

    Raises
    ------
    UnsupportedFeature
        For what NIR cannot express (see the module docstring), unless ``approximate`` allows an
        approximation; also for different delays within one projection.
    BiomemError
        For an unknown ``time_constants`` or a label that is not an identifier.
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
    metadata = {"biomem.format": FORMAT, "biomem.dt_s": dt_s, "biomem.edge_latency_steps": 1,
                "biomem.time_constants": time_constants, "biomem.network": network.label,
                "biomem.scaling": "snntorch (unit pulses per step; r = tau_mem/dt, w_in = tau_syn/dt)",
                "biomem.populations": ",".join(p.label for p in lowered.populations)}
    for label, values in offsets.items():
        metadata[f"biomem.v_rest.{label}"] = np.asarray(values)
    # NIR's type inference starts from Input nodes; a self-driven network (no spike source) has none.
    has_input = any(isinstance(node, nir.Input) for node in nodes.values())
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=has_input)
    return NirExport(graph, lowered, issues, time_constants)
