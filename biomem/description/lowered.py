"""Lowering: a :class:`Network` expanded into flat arrays that every backend consumes.

All randomness of a network (connectors, initial voltages, Poisson sources) is resolved
here, from one seed, so two backends given the same lowered network simulate exactly the
same synapses, initial state and input spikes. The per-step factors of the closed-form
integration are computed here too, once, so the backends agree to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from biomem.description import validate as check
from biomem.description.cells import SpikeSourceArray, SpikeSourcePoisson
from biomem.description.network import Network, Uniform
from biomem.description.plasticity import STDP
from biomem.errors import BiomemError

EXCITATORY, INHIBITORY = 0, 1
# Integer-step checks tolerate float noise such as 0.3 / 0.1 = 2.9999999999999996.
_STEP_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PopulationSlice:
    """Where one population lies in the lowered arrays: neurons ``start`` to ``stop`` (exclusive).

    ``is_source`` marks spike sources; ``record`` lists the variables recorded (as in the population).
    """

    label: str
    start: int
    size: int
    is_source: bool
    record: tuple[str, ...]

    @property
    def stop(self) -> int:
        """Global index one past the population's last neuron."""
        return self.start + self.size


@dataclass(frozen=True)
class ProjectionSlice:
    """Where one projection lies in the lowered synapse arrays: synapses ``start`` to ``stop`` (exclusive).

    ``pre``/``post`` are the labels of its source and target populations; ``plasticity`` its STDP
    rule (None: static); ``record_weights`` whether its weights are recorded every step.
    """

    label: str
    start: int
    stop: int
    pre: str
    post: str
    plasticity: STDP | None
    record_weights: bool


@dataclass
class LoweredNetwork:
    """Flat arrays of one network; neuron arrays have one entry per neuron (sources included).

    Per-step factors (``dt`` in ms):
    ``decay_m = exp(-dt/tau_m)``, ``decay_E/I = exp(-dt/tau_syn_E/I)`` and
    ``scale_E/I = (tau_syn/dt) (1 - decay)``, the mean of a unit exponential PSC over its first step.
    """

    dt: float
    n_steps: int
    seed: int
    populations: list[PopulationSlice]
    projections: list[ProjectionSlice]
    is_source: np.ndarray
    conductance: np.ndarray
    v_init: np.ndarray
    v_rest: np.ndarray
    v_reset: np.ndarray
    v_thresh: np.ndarray
    cm: np.ndarray
    tau_m: np.ndarray
    i_offset: np.ndarray
    e_rev_E: np.ndarray
    e_rev_I: np.ndarray
    refrac_steps: np.ndarray
    decay_m: np.ndarray
    decay_E: np.ndarray
    decay_I: np.ndarray
    scale_E: np.ndarray
    scale_I: np.ndarray
    source_steps: np.ndarray
    source_neurons: np.ndarray
    syn_pre: np.ndarray
    syn_post: np.ndarray
    syn_weight: np.ndarray
    syn_delay: np.ndarray
    syn_receptor: np.ndarray
    record_state: dict = field(default_factory=dict)

    @property
    def n_neurons(self) -> int:
        """Number of neurons, sources included."""
        return int(self.is_source.size)

    @property
    def n_synapses(self) -> int:
        """Number of synapses."""
        return int(self.syn_pre.size)

    @property
    def max_delay(self) -> int:
        """Longest synaptic delay (steps); 1 when there is no synapse."""
        return int(self.syn_delay.max()) if self.syn_delay.size else 1

    def population(self, label: str) -> PopulationSlice:
        """The slice of the population called ``label``; a BiomemError if there is none."""
        for population in self.populations:
            if population.label == label:
                return population
        raise BiomemError("population", f"unknown label {label!r}", ", ".join(p.label for p in self.populations))

    def recorded_neurons(self, variable: str) -> np.ndarray:
        """Global indices whose ``variable`` ("v", "exc", "inh") is recorded every step."""
        return self.record_state.get(variable, np.zeros(0, np.int64))


def steps(name: str, time_ms: float, dt: float, minimum: int = 0) -> int:
    """Convert a time to a whole number of steps, refusing times that fall between steps."""
    count = time_ms / dt
    rounded = int(round(count))
    if abs(count - rounded) > _STEP_TOLERANCE or rounded < minimum:
        raise BiomemError(name, f"{time_ms:g} ms is not a whole number of {dt:g} ms steps"
                          if abs(count - rounded) > _STEP_TOLERANCE else f"{time_ms:g} ms is too short",
                          f"a multiple of dt = {dt:g} ms, at least {minimum * dt:g} ms")
    return rounded


def lower(network: Network, duration: float, dt: float = 0.1, seed: int = 0) -> LoweredNetwork:
    """Expand ``network`` for a run of ``duration`` ms at time step ``dt`` ms."""
    check.positive("dt", dt)
    check.positive("duration", duration)
    check.integer("seed", seed, low=0, high=2**63 - 1)
    if not network.populations:
        raise BiomemError("network", "has no population", "at least one population")
    n_steps = steps("duration", duration, dt, minimum=1)

    slices, start = [], 0
    for population in network.populations:
        slices.append(PopulationSlice(population.label, start, population.size,
                                      population.cell.spiking_source, population.record))
        start += population.size
    n = start

    arrays = {name: np.zeros(n) for name in ("v_init", "v_rest", "v_reset", "v_thresh", "cm", "tau_m",
                                             "i_offset", "e_rev_E", "e_rev_I", "tau_E", "tau_I")}
    arrays["cm"][:] = arrays["tau_m"][:] = arrays["tau_E"][:] = arrays["tau_I"][:] = 1.0
    is_source = np.zeros(n, bool)
    conductance = np.zeros(n, bool)
    refrac_steps = np.zeros(n, np.int64)
    source_steps, source_neurons = [], []
    record_state: dict[str, list] = {"v": [], "exc": [], "inh": []}

    for index, (population, piece) in enumerate(zip(network.populations, slices)):
        rng = np.random.default_rng([seed, 1, index])
        cell, span = population.cell, slice(piece.start, piece.stop)
        if cell.spiking_source:
            is_source[span] = True
            times, neurons = _source_spikes(population, cell, dt, n_steps, rng)
            source_steps.append(times)
            source_neurons.append(neurons + piece.start)
            continue
        conductance[span] = cell.conductance_based
        for name in ("v_rest", "v_reset", "v_thresh", "cm", "tau_m", "i_offset"):
            arrays[name][span] = getattr(cell, name)
        arrays["tau_E"][span], arrays["tau_I"][span] = cell.tau_syn_E, cell.tau_syn_I
        if cell.conductance_based:
            arrays["e_rev_E"][span], arrays["e_rev_I"][span] = cell.e_rev_E, cell.e_rev_I
        # sPyNNaker counts refractory steps by rounding up.
        refrac_steps[span] = math.ceil(cell.tau_refrac / dt - _STEP_TOLERANCE)
        arrays["v_init"][span] = _initial_v(population, rng)
        for name in population.record:
            key = {"v": "v", "isyn_exc": "exc", "gsyn_exc": "exc", "isyn_inh": "inh", "gsyn_inh": "inh"}.get(name)
            if key:
                record_state[key].append(np.arange(piece.start, piece.stop))

    pre, post, weight, delay, receptor, projections = _expand_projections(network, slices, dt, seed)

    decay_E = np.exp(-dt / arrays["tau_E"])
    decay_I = np.exp(-dt / arrays["tau_I"])
    source_steps = np.concatenate(source_steps) if source_steps else np.zeros(0, np.int64)
    source_neurons = np.concatenate(source_neurons) if source_neurons else np.zeros(0, np.int64)
    # A time listed twice for one neuron is one spike: a neuron fires at most once per step.
    if source_steps.size:
        pairs = np.unique(np.stack([source_steps, source_neurons], axis=1), axis=0)
        source_steps, source_neurons = pairs[:, 0], pairs[:, 1]
    order = np.lexsort((source_neurons, source_steps))
    return LoweredNetwork(
        dt=float(dt), n_steps=n_steps, seed=int(seed), populations=slices, projections=projections,
        is_source=is_source, conductance=conductance,
        v_init=arrays["v_init"], v_rest=arrays["v_rest"], v_reset=arrays["v_reset"],
        v_thresh=arrays["v_thresh"], cm=arrays["cm"], tau_m=arrays["tau_m"], i_offset=arrays["i_offset"],
        e_rev_E=arrays["e_rev_E"], e_rev_I=arrays["e_rev_I"], refrac_steps=refrac_steps,
        decay_m=np.exp(-dt / arrays["tau_m"]), decay_E=decay_E, decay_I=decay_I,
        scale_E=arrays["tau_E"] / dt * (1.0 - decay_E), scale_I=arrays["tau_I"] / dt * (1.0 - decay_I),
        source_steps=source_steps[order].astype(np.int64), source_neurons=source_neurons[order].astype(np.int64),
        syn_pre=pre, syn_post=post, syn_weight=weight, syn_delay=delay, syn_receptor=receptor,
        record_state={key: np.concatenate(v).astype(np.int64) for key, v in record_state.items() if v},
    )


def _initial_v(population, rng) -> np.ndarray:
    value = population.initial_v
    if value is None:
        return np.full(population.size, population.cell.v_rest)
    if isinstance(value, Uniform):
        return value.sample(population.size, rng)
    return np.broadcast_to(np.asarray(value, float), (population.size,)).copy()


def _source_spikes(population, cell, dt, n_steps, rng):
    if isinstance(cell, SpikeSourceArray):
        times, neurons = [], []
        for i, spike_times in enumerate(cell.spike_times):
            for t in spike_times:
                step = steps(f"{population.label}.spike_times[{i}]", t, dt)
                if step < n_steps:
                    times.append(step)
                    neurons.append(i)
        return np.asarray(times, np.int64), np.asarray(neurons, np.int64)
    if isinstance(cell, SpikeSourcePoisson):
        probability = cell.rate * dt / 1000.0
        if probability > 1.0:
            raise BiomemError(f"{population.label}.rate", f"{cell.rate:g} Hz exceeds one spike per step",
                              f"rate <= {1000.0 / dt:g} Hz at dt = {dt:g} ms")
        first = int(math.ceil(cell.start / dt - _STEP_TOLERANCE))
        last = min(n_steps, int(math.floor((cell.start + cell.duration) / dt + _STEP_TOLERANCE)))
        times, neurons = [], []
        for step in range(first, last):
            fired = np.flatnonzero(rng.random(population.size) < probability)
            times.append(np.full(fired.size, step))
            neurons.append(fired)
        if not times:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(times).astype(np.int64), np.concatenate(neurons).astype(np.int64)
    raise BiomemError(f"{population.label}.cell", f"unknown spike source {type(cell).__name__}",
                      "SpikeSourceArray or SpikeSourcePoisson")


def _expand_projections(network, slices, dt, seed):
    starts = {piece.label: piece.start for piece in slices}
    pres, posts, weights, delays, receptors, projections = [], [], [], [], [], []
    count = 0
    for index, projection in enumerate(network.projections):
        rng = np.random.default_rng([seed, 2, index])
        local_pre, local_post = projection.connector.connect(projection.pre.size, projection.post.size, rng)
        weight = np.asarray(projection.weight, float)
        if weight.ndim == 0:
            weight = np.full(local_pre.size, float(weight))
        elif weight.shape != local_pre.shape:
            raise BiomemError(f"{projection.label}.weight", f"has {weight.size} values for {local_pre.size} synapses",
                              "one number or one value per synapse")
        delay = steps(f"{projection.label}.delay", projection.delay, dt, minimum=1)
        pres.append(projection.pre.indices[local_pre] + starts[projection.pre.label])
        posts.append(projection.post.indices[local_post] + starts[projection.post.label])
        weights.append(weight.copy())
        delays.append(np.full(local_pre.size, delay, np.int64))
        receptors.append(np.full(local_pre.size, EXCITATORY if projection.receptor == "excitatory" else INHIBITORY,
                                 np.int8))
        projections.append(ProjectionSlice(projection.label, count, count + local_pre.size, projection.pre.label,
                                           projection.post.label, projection.plasticity, projection.record_weights))
        count += local_pre.size
    if not pres:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), np.zeros(0), empty.copy(), np.zeros(0, np.int8), []
    return (np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64), np.concatenate(weights),
            np.concatenate(delays), np.concatenate(receptors), projections)
