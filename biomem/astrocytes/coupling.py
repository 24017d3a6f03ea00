"""How Li-Rinzel astrocytes attach to a spiking network of biomem LIF neurons.

An :class:`AstrocyteLayer` adds ``n`` astrocytes to a :class:`biomem.description.Network`:

* **input** (neurons -> astrocytes, :class:`AstroConnection` in ``gather``): every spike of neuron
  ``i`` adds ``delta_IP3 * w`` to the IP3 of each astrocyte it reaches, at once (NEST's
  ``astrocyte_lr_1994`` receives spikes the same way: ``IP3 += delta_IP3 * weight``);
* **output** (astrocytes -> neurons, ``sic``): neuron ``j`` receives the slow inward current
  ``I_SIC,j = sum_a w_aj * SIC_a`` (nA; ``SIC_a`` is NEST's dimensionless
  ``SIC_scale ln((Ca_a - SIC_th)/1 nM)`` above threshold, 0 below), added to the membrane equation
  as a current: current-based ``a = (I_E - I_I + i_offset + I_SIC) tau_m / c_m + v_rest``,
  conductance-based ``v_inf = (g_L v_rest + g_E E_E + g_I E_I + i_offset + I_SIC) / g``.
  NEST's ``aeif_cond_alpha_astro`` adds ``I_SIC`` (pA) to its AdEx membrane the same way.

Time steps. Calcium moves on a scale of seconds and the membrane on milliseconds, so the
astrocytes run on their own, slower clock: one astrocyte step spans ``astro_every`` neuron steps
(``dt_A = astro_every * dt``). At neuron step ``n`` with ``n % astro_every == 0`` (a tick):

1. ``I_SIC`` is computed from the astrocytes' current calcium (the sample of this tick, or of
   ``sic_delay`` ticks earlier) and held until the next tick;
2. the astrocytes take one RK4 step of ``dt_A`` (then NEST's Ca clip).

Then the neurons take their step exactly as :mod:`biomem.backends.numba.kernel` does (with
``I_SIC`` in the membrane), and every spike of the step feeds IP3 immediately. With no astrocyte
output (or all ``sic`` weights 0) the neurons' spikes are bit-identical to :func:`biomem.simulate`.

Exactness of the slow step: RK4 over 1-10 ms is exact to ~1e-10 uM for these dynamics (rates
<= ~0.01 /ms); the approximation is in the timing -- spikes act on IP3 at once but calcium only
moves at the next tick, and ``I_SIC`` is piecewise constant over a tick. For ``dt_A <= 1 ms`` the
effect on calcium is below 1e-3 relative (the NEST comparison test measures it); the docs give
numbers. ``astro_every = 1`` with a 0.1 ms neuron step is NEST's arithmetic exactly.

Runs on ``numba`` (default), ``torch`` (batched trials, :func:`simulate_batch`) and ``brian2``
(all-current-based or all-conductance-based networks, ``sic_delay = 0``). Plastic projections
(STDP) are not supported together with astrocytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.astrocytes.common import check_backend
from biomem.astrocytes.description import LiRinzelAstrocyte, astro_steps
from biomem.description import validate as check
from biomem.description.lowered import LoweredNetwork, lower
from biomem.description.network import Network
from biomem.errors import BiomemError, UnsupportedFeature


@dataclass(frozen=True)
class AstroConnection:
    """Pairs ``(neuron, astrocyte)`` of one population, with weights.

    ``neurons`` are indices local to ``population``; ``weight`` is one number or one per pair.
    In ``gather`` the weight scales the IP3 jump (``delta_IP3 * w`` per spike, dimensionless); in
    ``sic`` it converts the astrocyte's SIC into a current in nA.
    """

    population: str
    neurons: tuple
    astrocytes: tuple
    weight: object = 1.0

    def __post_init__(self):
        check.name_like("population", self.population)
        neurons = np.asarray(self.neurons, np.int64).reshape(-1)
        astrocytes = np.asarray(self.astrocytes, np.int64).reshape(-1)
        if neurons.size != astrocytes.size:
            raise BiomemError("astrocytes", f"{astrocytes.size} astrocytes for {neurons.size} neurons",
                              "one astrocyte index per neuron index")
        weight = np.broadcast_to(np.asarray(self.weight, float), neurons.shape).copy() \
            if np.ndim(self.weight) == 0 else np.asarray(self.weight, float).reshape(-1)
        if weight.shape != neurons.shape:
            raise BiomemError("weight", f"{weight.size} weights for {neurons.size} pairs", "one number or one per pair")
        check.real_array("weight", weight)
        object.__setattr__(self, "neurons", tuple(int(i) for i in neurons))
        object.__setattr__(self, "astrocytes", tuple(int(a) for a in astrocytes))
        object.__setattr__(self, "weight", tuple(float(w) for w in weight))


def domains(population: str, size: int, n_astrocytes: int, weight=1.0, first_astrocyte: int = 0) -> AstroConnection:
    """Tile ``size`` neurons into ``n_astrocytes`` contiguous domains, one astrocyte each.

    Neuron ``i`` belongs to astrocyte ``first_astrocyte + i * n_astrocytes // size`` (a
    protoplasmic astrocyte covers its own territory; domains do not overlap).
    """
    size = check.integer("size", size, low=1)
    n_astrocytes = check.integer("n_astrocytes", n_astrocytes, low=1, high=size)
    neurons = np.arange(size)
    return AstroConnection(population, neurons, first_astrocyte + neurons * n_astrocytes // size, weight)


@dataclass(frozen=True)
class AstrocyteLayer:
    """``n`` Li-Rinzel astrocytes attached to a network's populations.

    ``astro_every``: neuron steps per astrocyte step; ``sic_delay``: ticks between a calcium
    sample and the SIC it produces (NEST's ``sic_connection`` delay, in astrocyte steps; 0 = the
    current sample). ``initial``: optional per-astrocyte initial state ``{"IP3": ..., ...}``.
    """

    astrocyte: LiRinzelAstrocyte
    n: int
    gather: tuple = ()
    sic: tuple = ()
    astro_every: int = 10
    sic_delay: int = 0
    label: str = "astrocytes"
    initial: dict = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.astrocyte, LiRinzelAstrocyte):
            raise BiomemError("astrocyte", f"is a {type(self.astrocyte).__name__}", "a LiRinzelAstrocyte")
        check.integer("n", self.n, low=1)
        astro_steps(self.astro_every)
        check.integer("sic_delay", self.sic_delay, low=0)
        check.name_like("label", self.label)
        for name in ("gather", "sic"):
            items = tuple(getattr(self, name))
            for item in items:
                if not isinstance(item, AstroConnection):
                    raise BiomemError(name, f"contains a {type(item).__name__}", "AstroConnection objects")
                if item.astrocytes and (min(item.astrocytes) < 0 or max(item.astrocytes) >= self.n):
                    raise BiomemError(f"{name}.astrocytes", "index out of range", f"0 <= index < {self.n}")
            object.__setattr__(self, name, items)
        for key in self.initial:
            if key not in LiRinzelAstrocyte.STATE:
                raise BiomemError("initial", f"unknown state variable {key!r}", ", ".join(LiRinzelAstrocyte.STATE))


@dataclass
class LoweredAstrocytes:
    """Global-index arrays of an :class:`AstrocyteLayer` for one lowered network.

    ``gather_ptr/gather_astro/gather_weight``: per neuron (CSR), the astrocytes its spikes reach.
    ``sic_ptr/sic_neuron/sic_weight``: per astrocyte (CSR), the neurons its SIC reaches.
    """

    layer: AstrocyteLayer
    gather_ptr: np.ndarray
    gather_astro: np.ndarray
    gather_weight: np.ndarray
    sic_ptr: np.ndarray
    sic_neuron: np.ndarray
    sic_weight: np.ndarray
    initial: np.ndarray          # (3, n): IP3, Ca, h
    n_ticks: int

    @property
    def n(self) -> int:
        """Number of astrocytes in the layer."""
        return self.layer.n


def lower_layer(layer: AstrocyteLayer, lowered: LoweredNetwork) -> LoweredAstrocytes:
    """Resolve population-local indices to global ones; checks that ticks divide the run."""
    if lowered.n_steps % layer.astro_every:
        raise BiomemError("astro_every", f"{lowered.n_steps} steps are not a whole number of {layer.astro_every}-step "
                          "astrocyte steps", "a divisor of the number of neuron steps")
    for projection in lowered.projections:
        if projection.plasticity is not None:
            raise UnsupportedFeature("STDP together with astrocytes", "the astrocyte engine",
                                     "use static projections in networks with an AstrocyteLayer")

    def pairs(items, direction):
        neurons, astros, weights = [], [], []
        for item in items:
            piece = lowered.population(item.population)
            local = np.asarray(item.neurons, np.int64)
            if local.size and (local.min() < 0 or local.max() >= piece.size):
                raise BiomemError(f"{direction}.neurons", f"index out of range for {item.population}",
                                  f"0 <= index < {piece.size}")
            if direction == "sic" and piece.is_source:
                raise BiomemError("sic.population", f"{item.population} is a spike source", "a population of neurons")
            neurons.append(local + piece.start)
            astros.append(np.asarray(item.astrocytes, np.int64))
            weights.append(np.asarray(item.weight, float))
        if not neurons:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(neurons), np.concatenate(astros), np.concatenate(weights)

    n = lowered.n_neurons
    g_neuron, g_astro, g_weight = pairs(layer.gather, "gather")
    s_neuron, s_astro, s_weight = pairs(layer.sic, "sic")
    gather_ptr, gather_order = _csr(g_neuron, n)
    sic_ptr, sic_order = _csr(s_astro, layer.n)
    start = layer.astrocyte.initial_state()
    initial = np.stack([np.broadcast_to(np.asarray(layer.initial.get(name, value), float), (layer.n,))
                        for name, value in zip(LiRinzelAstrocyte.STATE, start)]).copy()
    check.real_array("initial", initial)
    return LoweredAstrocytes(layer, gather_ptr, g_astro[gather_order], g_weight[gather_order], sic_ptr,
                             s_neuron[sic_order], s_weight[sic_order], initial,
                             lowered.n_steps // layer.astro_every)


def _csr(keys: np.ndarray, n: int):
    order = np.argsort(keys, kind="stable")
    pointer = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=pointer[1:])
    return pointer, order


@dataclass
class CoupledResult:
    """Spikes and traces of a network with astrocytes (one trial).

    ``spike_steps``/``spike_neurons``: global indices (as :class:`biomem.backends.base.RawRun`);
    ``v`` and ``I_SIC``: (n_steps, n_recorded) for the neurons whose population records ``"v"``;
    ``astro[name]``: (n_ticks + 1, n) for ``IP3``, ``Ca_astro``, ``h_IP3R``, ``SIC``, sampled at the
    ticks (times ``astro_times`` ms).
    """

    lowered: LoweredNetwork
    spike_steps: np.ndarray
    spike_neurons: np.ndarray
    v: np.ndarray
    I_SIC: np.ndarray
    astro: dict
    astro_times: np.ndarray
    backend: str
    wall_s: float = 0.0

    def spikes(self, label: str):
        """``(steps, local indices)`` of one population's spikes."""
        piece = self.lowered.population(label)
        mask = (self.spike_neurons >= piece.start) & (self.spike_neurons < piece.stop)
        return self.spike_steps[mask], self.spike_neurons[mask] - piece.start

    def counts(self, label: str, first_step: int = 0, last_step: int | None = None) -> np.ndarray:
        """Spike count of each neuron of ``label`` in steps ``[first_step, last_step)``."""
        piece = self.lowered.population(label)
        steps, local = self.spikes(label)
        last = self.lowered.n_steps if last_step is None else last_step
        keep = (steps >= first_step) & (steps < last)
        return np.bincount(local[keep], minlength=piece.size)


def simulate(network: Network, layer: AstrocyteLayer, duration: float, *, dt: float = 0.1, seed: int = 0,
             backend: str = "numba", **options) -> CoupledResult:
    """Simulate ``network`` with ``layer`` attached for ``duration`` ms (``dt`` ms neuron step)."""
    return run_lowered(lower(network, duration, dt, seed), layer, backend=backend, **options)


def run_lowered(lowered: LoweredNetwork, layer: AstrocyteLayer, *, backend: str = "numba", **options) -> CoupledResult:
    """Simulate an already lowered network with ``layer`` attached (``options`` go to the backend:
    torch takes ``device`` and ``dtype``)."""
    backend = check_backend(backend)
    astro = lower_layer(layer, lowered)
    if backend == "numba":
        from biomem.backends.numba.astro_coupled import simulate_coupled
        return simulate_coupled(lowered, astro, **options)
    if backend == "torch":
        from biomem.backends.torch.astro_coupled import simulate_coupled_batch
        return simulate_coupled_batch([lowered], astro, **options)[0]
    from biomem.backends.brian2.astro_coupled import simulate_coupled
    return simulate_coupled(lowered, astro, **options)


def simulate_batch(trials, layer: AstrocyteLayer, *, backend: str = "torch", **options) -> list[CoupledResult]:
    """B lowered trials of one topology (see :mod:`biomem.backends.torch.batch`) with the same layer.

    torch runs them in one batched pass; numba and brian2 run them one after the other.
    """
    backend = check_backend(backend)
    trials = list(trials)
    if backend == "torch":
        from biomem.backends.torch.astro_coupled import simulate_coupled_batch
        return simulate_coupled_batch(trials, lower_layer(layer, trials[0]), **options)
    return [run_lowered(trial, layer, backend=backend, **options) for trial in trials]
