"""Brian2 objects for a :class:`LoweredNetwork`, and the results read back in lowered order.

Neurons go into at most three groups, one per kind: spike sources (a SpikeGeneratorGroup),
current-based and conductance-based neurons (NeuronGroups running the closed-form update of
:mod:`equations`). A global neuron index maps to ``(kind, local index)``. Synapses go into
one Synapses object per (source kind, target kind, receptor, STDP rule), with per-synapse delays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.backends.brian2 import equations as eq
from biomem.description.lowered import LoweredNetwork

SOURCE, CURRENT, CONDUCTANCE = "source", "current", "conductance"
KINDS = (SOURCE, CURRENT, CONDUCTANCE)
#: Lowered state name -> variable of the neuron groups.
STATE_VARIABLES = {"v": "v", "exc": "g_E", "inh": "g_I"}


@dataclass
class _Part:
    """One Synapses object: ``members`` are its lowered synapse indices, in Brian2 order.

    ``recorded`` are positions (in the object) of synapses whose projection records weights.
    """

    members: np.ndarray
    synapses: object
    pre_local: np.ndarray
    post_local: np.ndarray
    recorded: np.ndarray
    weights: object = None  # StateMonitor of w at the recorded positions


@dataclass
class Built:
    """The Brian2 network of one lowered network, with what is needed to read it back."""

    network: object
    dt_s: float
    global_of: dict = field(default_factory=dict)  # kind -> local -> global
    spikes: dict = field(default_factory=dict)  # kind -> SpikeMonitor
    states: list = field(default_factory=list)  # (state key, columns mask, StateMonitor, variable)
    parts: list = field(default_factory=list)

    def duration(self, lowered: LoweredNetwork):
        """The run's length as a Brian2 quantity: ``n_steps * dt`` seconds."""
        from brian2 import second

        return lowered.n_steps * self.dt_s * second

    def collect(self, lowered: LoweredNetwork):
        """Spike steps and neurons, final weights, state traces and weight traces (lowered order)."""
        steps, neurons = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for kind, monitor in self.spikes.items():
            local = np.asarray(monitor.i[:], np.int64)
            steps.append(np.rint(np.asarray(monitor.t_[:]) / self.dt_s).astype(np.int64))
            neurons.append(self.global_of[kind][local])
        state = {}
        for key, columns, monitor, variable in self.states:
            if key not in state:
                state[key] = np.empty((lowered.n_steps, lowered.recorded_neurons(key).size))
            state[key][:, columns] = np.asarray(getattr(monitor, variable)).T
        weights = lowered.syn_weight.copy()
        recorded = [p for p in lowered.projections if p.record_weights]
        traces = {p.label: np.empty((lowered.n_steps, p.stop - p.start)) for p in recorded}
        for part in self.parts:
            synapses = part.synapses
            if not (np.array_equal(synapses.i[:], part.pre_local) and np.array_equal(synapses.j[:], part.post_local)):
                raise RuntimeError(f"Brian2 reordered the synapses of {synapses.name}")
            weights[part.members] = np.asarray(synapses.w[:])
            if part.weights is not None:
                values, synapse = np.asarray(part.weights.w).T, part.members[part.recorded]
                for projection in recorded:
                    inside = (synapse >= projection.start) & (synapse < projection.stop)
                    traces[projection.label][:, synapse[inside] - projection.start] = values[:, inside]
        return np.concatenate(steps), np.concatenate(neurons), weights, state, traces


def build(lowered: LoweredNetwork) -> Built:
    """Create every Brian2 object for ``lowered`` on the currently active Brian2 device."""
    import brian2 as b2

    clock = b2.Clock(dt=lowered.dt * b2.ms, name="biomem_clock")
    kind = np.where(lowered.is_source, 0, np.where(lowered.conductance, 2, 1)).astype(np.int64)
    local = np.zeros(lowered.n_neurons, np.int64)
    built = Built(network=b2.Network(name="biomem_network"), dt_s=float(clock.dt_))
    groups = {}
    for index, name in enumerate(KINDS):
        members = np.flatnonzero(kind == index)
        if members.size == 0:
            continue
        local[members] = np.arange(members.size)
        built.global_of[name] = members
        if name == SOURCE:
            groups[name] = _sources(b2, lowered, members, local, clock)
        else:
            groups[name] = _neurons(b2, lowered, members, name == CONDUCTANCE, clock)
        built.spikes[name] = b2.SpikeMonitor(groups[name], record=True, name=f"biomem_spikes_{name}")
        built.network.add(groups[name], built.spikes[name])
    for key, variable in STATE_VARIABLES.items():
        recorded = lowered.recorded_neurons(key)
        for index, name in enumerate(KINDS[1:], start=1):
            columns = kind[recorded] == index
            if columns.any():
                monitor = b2.StateMonitor(groups[name], variable, record=local[recorded[columns]], when="end",
                                          name=f"biomem_state_{key}_{name}")
                built.states.append((key, columns, monitor, variable))
                built.network.add(monitor)
    for number, (key, members) in enumerate(_bundles(lowered, kind).items()):
        pre_kind, post_kind, receptor, rule = key
        part = _synapses(b2, lowered, members, rule, groups[KINDS[pre_kind]], groups[KINDS[post_kind]], local,
                         receptor, clock, f"biomem_syn{number:03d}")
        built.parts.append(part)
        built.network.add(part.synapses, *([part.weights] if part.weights is not None else []))
    return built


def _sources(b2, lowered, members, local, clock):
    times = lowered.source_steps * lowered.dt * b2.ms
    return b2.SpikeGeneratorGroup(members.size, local[lowered.source_neurons], times, clock=clock,
                                  name="biomem_sources")


def _neurons(b2, lowered, members, conductance, clock):
    model = eq.CONDUCTANCE_MODEL if conductance else eq.NEURON_MODEL
    group = b2.NeuronGroup(members.size, model, threshold=eq.THRESHOLD, reset=eq.RESET, clock=clock,
                           name=f"biomem_{CONDUCTANCE if conductance else CURRENT}")
    parameters = eq.CONDUCTANCE_PARAMETERS if conductance else eq.NEURON_PARAMETERS
    for variable, source in parameters.items():
        setattr(group, variable, np.asarray(getattr(lowered, source)[members], np.float64))
    group.refrac_steps = lowered.refrac_steps[members].astype(np.float64)
    group.v = np.asarray(lowered.v_init[members], np.float64)
    group.dt_ms = float(lowered.dt)
    group.run_regularly(eq.CONDUCTANCE_UPDATE if conductance else eq.CURRENT_UPDATE, when="groups", order=0,
                        name=f"{group.name}_update")
    return group


def _bundles(lowered: LoweredNetwork, kind: np.ndarray) -> dict:
    """Lowered synapse indices grouped by (source kind, target kind, receptor, STDP rule).

    Projections that agree on all four share one Synapses object (fewer objects: less code to
    generate and compile). Traces are per synapse, so sharing changes no result.
    """
    rule = np.full(lowered.n_synapses, -1, np.int64)
    rules = []
    for projection in lowered.projections:
        if projection.plasticity is not None:
            if projection.plasticity not in rules:
                rules.append(projection.plasticity)
            rule[projection.start:projection.stop] = rules.index(projection.plasticity)
    keys = np.stack([kind[lowered.syn_pre], kind[lowered.syn_post], lowered.syn_receptor.astype(np.int64), rule])
    bundles = {}
    for key in np.unique(keys.T, axis=0):
        members = np.flatnonzero(np.all(keys.T == key, axis=1))
        pre_kind, post_kind, receptor, r = (int(value) for value in key)
        bundles[(pre_kind, post_kind, receptor, rules[r] if r >= 0 else None)] = members
    return bundles


def _synapses(b2, lowered, members, rule, pre, post, local, receptor, clock, name) -> _Part:
    delay = lowered.syn_delay[members]
    ring = int(delay.max()) if rule is not None and delay.max() > 1 else 0
    if rule is None:
        model, on_pre, on_post = eq.STATIC_MODEL, {"pre": eq.TRANSMIT[receptor]}, None
    elif ring:
        model = eq.PLASTIC_MODEL + eq.ring_model(ring)
        on_pre = {"pre": eq.on_pre(rule.variant, eq.ring_store(ring)), "transmit": eq.ring_deliver(ring, receptor)}
        on_post = {"post": eq.on_post(rule.variant)}
    else:
        model = eq.PLASTIC_MODEL
        on_pre, on_post = {"pre": eq.on_pre(rule.variant, eq.TRANSMIT[receptor])}, {"post": eq.on_post(rule.variant)}
    # Brian2 delay (d - 1) dt: see the schedule in the equations module.
    lag = (delay - 1).astype(np.float64)
    transmit = "transmit" if ring else "pre"
    uniform = bool(np.all(lag == lag[0]))
    delays = {transmit: lag[0] * lowered.dt * b2.ms} if uniform else {}
    if rule is not None:
        delays["post"] = (lowered.dt if rule.variant == "spinnaker" else 0.0) * b2.ms
        if ring:
            delays["pre"] = 0.0 * b2.ms
    synapses = b2.Synapses(pre, post, model, on_pre=on_pre, on_post=on_post, delay=delays, clock=clock, name=name)
    pre_local, post_local = local[lowered.syn_pre[members]], local[lowered.syn_post[members]]
    synapses.connect(i=pre_local, j=post_local)
    synapses.w = np.asarray(lowered.syn_weight[members], np.float64)
    if not uniform:
        getattr(synapses, transmit).delay = lag * lowered.dt * b2.ms
    if rule is not None:
        synapses.pre.order = eq.PRE_ORDER
        synapses.post.order = eq.POST_ORDER[rule.variant]
        values = dict(zip(eq.PLASTIC_PARAMETERS, (rule.potentiation_amplitude, rule.depression_amplitude,
                                                  rule.tau_plus, rule.tau_minus, rule.w_min, rule.w_max)))
        for variable, value in values.items():
            setattr(synapses, variable, float(value))
        synapses.dt_syn = float(lowered.dt)
    if ring:
        synapses.transmit.order = eq.TRANSMIT_ORDER
        synapses.ring = ring
        synapses.lag_steps = (delay - 1).astype(np.int32)
    recording = np.zeros(lowered.n_synapses, bool)
    for projection in lowered.projections:
        recording[projection.start:projection.stop] = projection.record_weights
    recorded, monitor = np.flatnonzero(recording[members]), None
    if recorded.size:
        monitor = b2.StateMonitor(synapses, "w", record=recorded, when="end", name=f"{synapses.name}_w")
    return _Part(members, synapses, pre_local, post_local, recorded, monitor)
