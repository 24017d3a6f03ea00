"""The heat-bath Monte Carlo of :mod:`biomem.backends.numba.hebbian` written as a Brian2 network.

Dense associative memories have a feature/memory duality: ``H`` depends on the spins only through
the ``K'`` overlaps with the vectors ``V[:, mu]`` (:class:`~biomem.hebbian.couplings.OverlapHamiltonian`).
The network of ``R`` replicas has

* ``spins``, a ``NeuronGroup`` of ``R N`` (replica ``r``, spin ``i`` at ``r N + i``): ``sigma``, ``h``;
* ``features``, a ``NeuronGroup`` of ``R K'``: the power sums ``p_j = sum_i (V[i, mu] sigma_i)^j``
  of the memories (odd ``j`` move with the spins, even ``j`` are constants);
* ``couplings``, ``Synapses`` spin -> feature of the same replica with weight ``w = V[i, mu]``.

One time step is one asynchronous heat-bath attempt in every replica, scheduled as

1. ``thresholds``: the custom event ``attempt`` fires on the spin whose index is
   ``sites(t, replica)`` (a ``TimedArray``);
2. ``synapses``, order 0: pathway ``field`` on ``attempt``; the chosen spin's ``K'`` synapses add
   ``h_i = sum_mu c_mu V[i, mu] e_(P-1)(a_mu without i)`` to ``h`` from the power sums;
3. order 1: ``run_on_event('attempt')``: ``sigma_i = +1`` with probability ``1/(1 + exp(-2 beta h_i))``
   against ``uniforms(t, replica)`` (``T = 0``: sign of ``h_i``); ``delta = sigma_new - sigma_old``;
4. order 2: pathway ``track`` on ``attempt``: ``p_j += delta V[i, mu]^j`` for odd ``j`` (adding
   ``delta = 0`` when the spin stays leaves the sums unchanged bit for bit).

The code strings and the equations are in :mod:`biomem.backends.brian2.hebbian_equations`.

Cost of an attempt: finding the chosen spin is an ``O(N)`` vectorised comparison (the event
condition); the field and the update touch only that spin's ``K'`` synapses, ``O(K' P^2)``; never
``O(N K')``. In practice Brian2's fixed cost per code object and time step (Python calls, about
0.1-0.3 ms per step) dominates at moderate ``N``, and it is shared by all replicas of the step.
Runtime targets: ``numpy`` needs no compilation (about 0.25 ms per step at ``N = 1000``,
``K' = 10`` on a busy 2-core machine); ``cython`` is about 3 times faster per step but compiles
for 10-60 s the first time it meets a new ``P``, ``T = 0`` or not, or random-number table shape
(rows are padded to a power of two so that similar runs share code).

Random numbers: each replica draws, per measurement interval, ``every N`` sites and then as many
uniforms from its own ``numpy`` generator, as :class:`~biomem.backends.numba.hebbian.Chain` does.
Power sums are recomputed from the spins at each measurement, summed in the Numba kernel's order,
and every operation follows the kernel's, so a seed gives the Numba trajectory flip for flip. The
one exception: the Numba kernel may fuse and reassociate its sum over ``mu`` (fast-math), so
fields agree to rounding, and an *exact* tie at ``T = 0`` (``h_i = 0``, e.g. +-1 patterns with an
even number of terms) can be broken differently; so can ``u`` within rounding of ``P(+1)``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from biomem.backends.brian2 import session
from biomem.backends.brian2.hebbian_equations import (decision_code, field_code, power, synaptic_constants,
                                                      track_code)
from biomem.errors import BiomemError
from biomem.hebbian.couplings import OverlapHamiltonian, elementary


def power_sums(V: np.ndarray, sigma: np.ndarray, P: int) -> np.ndarray:
    """Power sums ``p[j, mu] = sum_i (V[i, mu] sigma_i)^j`` for ``j = 0..P``, shape ``(P+1, K')``.

    Summed over ``i`` in order, with the powers built as running products, as the Numba kernel
    does: the same bits, so a refreshed network continues exactly as a refreshed Numba chain.
    """
    a = V * sigma[:, None].astype(np.float64)
    out = np.empty((P + 1, V.shape[1]))
    x = np.ones_like(a)
    for j in range(P + 1):
        out[j] = x.sum(axis=0)          # axis 0 of a C-ordered array: added row after row
        x = x * a
    return out


def _brian2():
    try:
        import brian2
    except ImportError as error:  # pragma: no cover - brian2 is an optional dependency
        raise BiomemError("backend", "brian2 is not installed", "pip install biomem[brian2]") from error
    return brian2


def _rows(values: np.ndarray) -> np.ndarray:
    """``values`` padded with zero rows to a power-of-two length (never read).

    The Cython code of a ``TimedArray`` embeds its shape; padding lets runs of similar length share
    compiled code instead of compiling anew for each number of sweeps.
    """
    rows = 1 << max(int(values.shape[0] - 1).bit_length(), 4)
    return np.concatenate([values, np.zeros((rows - values.shape[0],) + values.shape[1:], values.dtype)])


class Replicas:
    """``R`` replicas of one :class:`OverlapHamiltonian` as one Brian2 network.

    The groups ``spins`` and ``features``, the ``couplings`` between them and the schedule of a
    step are described in the module docstring; ``net`` is the ``Network``. ``sigma0`` is
    ``(R, N)``; ``sites`` and ``uniforms`` are ``(steps, R)``, the site and the uniform of every
    attempt of every replica, read from ``TimedArray`` objects one row per time step (the run may
    not be longer than ``steps``). Build and run it inside
    :func:`biomem.backends.brian2.session.configured`, which sets the exact code-generation options.
    """

    def __init__(self, h: OverlapHamiltonian, sigma0: np.ndarray, T: float, sites: np.ndarray,
                 uniforms: np.ndarray):
        b2 = _brian2()
        self.h, self.R = h, sigma0.shape[0]
        R, N, K, P = self.R, h.N, h.K, h.P
        self.dt = dt = 1.0 * b2.ms              # any dt: one step is one attempt per replica
        namespace = {"sites": b2.TimedArray(_rows(sites.astype(np.float64)), dt=dt, name="hebbian_sites"),
                     "uniforms": b2.TimedArray(_rows(uniforms), dt=dt, name="hebbian_uniforms"),
                     "beta": math.inf if T == 0 else 1.0 / T,
                     "field_divisor": 6.0 if P == 4 else 1.0}          # the P = 4 field is summed, then / 3!
        self.spins = b2.NeuronGroup(
            R * N, "sigma : 1\nh : 1\ndelta : 1\nflips : integer\nsite : integer (constant)\n"
                   "replica : integer (constant)",
            events={"attempt": "site == sites(t, replica)"}, namespace=namespace, dt=dt, name="hebbian_spins*")
        self.spins.site = np.tile(np.arange(N), R)
        self.spins.replica = np.repeat(np.arange(R), N)
        self.spins.sigma = sigma0.reshape(-1).astype(np.float64)
        self.spins.run_on_event("attempt", decision_code(T), when="synapses", order=1)
        sums = "".join(f"p{j} : 1{' (constant)' if j % 2 == 0 else ''}\n" for j in range(1, P))
        self.features = b2.NeuronGroup(R * K, sums, dt=dt, name="hebbian_features*")
        powers = {"w": h.V, "cv": h.field_coefficients()[None, :] * h.V}
        for j in range(2, P):                  # V^j as a running product, as the Numba kernel builds it
            powers[power(j)] = powers[power(j - 1)] * h.V
        used = synaptic_constants(P)
        self.couplings = b2.Synapses(
            self.spins, self.features, "".join(f"{c} : 1 (constant)\n" for c in used),
            on_pre={"field": field_code(P), "track": track_code(P)},
            on_event={"field": "attempt", "track": "attempt"}, dt=dt, name="hebbian_couplings*")
        # synapse (r, i, mu): replica r's spin i to its feature mu, created in this order so that
        # the K' terms of a field are added in the order of mu
        pre = np.arange(R * N).repeat(K)
        post = (np.arange(R)[:, None] * K + np.arange(K)).repeat(N, axis=0).ravel()
        self.couplings.connect(i=pre, j=post)
        for c in used:
            setattr(self.couplings, c, np.tile(powers[c].ravel(), R))
        self.couplings.field.order = 0        # before the decision (order 1)
        self.couplings.track.order = 2        # after it
        self.net = b2.Network(self.spins, self.features, self.couplings)
        self.refresh()

    @property
    def sigma(self) -> np.ndarray:
        """The spins, ``(R, N)`` int8."""
        return self.spins.sigma_[:].reshape(self.R, self.h.N).astype(np.int8)

    def refresh(self) -> None:
        """Recompute the power sums of every replica from its spins.

        This clears any drift of the incremental updates (none for +-1 vectors), as the Numba
        chain does after each of its runs; ``pw`` keeps all ``p_0 .. p_P`` for the energy.
        """
        self.pw = np.stack([power_sums(self.h.V, s, self.h.P) for s in self.sigma])     # (R, P+1, K)
        for j in range(1, self.h.P):
            getattr(self.features, f"p{j}_")[:] = self.pw[:, j, :].ravel()

    def run(self, n_sweeps: int, every: int, measure) -> None:
        """Run ``n_sweeps`` sweeps (``N`` steps each) as one Brian2 run, measuring as it goes.

        After every ``every`` sweeps (counted from time zero) the power sums are recomputed and
        ``measure(self, flips)`` is called with the flips of each replica since the previous
        call; a ``network_operation`` at the start of the step does it inside the run, so code
        objects are built once (a run costs Brian2 about 0.3 s of preparation).
        """
        b2 = _brian2()
        start = float(self.net.t_)

        def tick(t):
            if float(t / b2.second) > start:            # not at the start: nothing has run yet
                self._measure(measure)

        operation = b2.NetworkOperation(tick, dt=every * self.h.N * self.dt, when="start")
        self.net.add(operation)
        try:
            self.net.run(n_sweeps * self.h.N * self.dt, namespace={})
        finally:
            self.net.remove(operation)
        self._measure(measure)

    def _measure(self, measure) -> None:
        self.refresh()
        flips = self.spins.flips_[:].reshape(self.R, self.h.N).sum(axis=1)
        self.spins.flips_[:] = 0
        measure(self, flips)

    def energies(self) -> np.ndarray:
        """``H = -sum_mu c_mu e_P(a_mu)`` of every replica from the power sums, ``(R,)``."""
        e = elementary(np.moveaxis(self.pw, 1, 2), self.h.P)[..., self.h.P]          # (R, K')
        return -(e * self.h.energy_coefficients()).sum(axis=1)


def random_numbers(rngs, N: int, n_meas: int, every: int) -> tuple[np.ndarray, np.ndarray]:
    """The random numbers of a run: ``(sites, uniforms)``, each ``(n_meas every N, R)``.

    Per replica and measurement interval, ``every N`` sites uniform in ``0 .. N-1`` and then
    ``every N`` uniforms in [0, 1) from the replica's generator: the order in which
    :meth:`biomem.backends.numba.hebbian.Chain.run` draws them, so both backends see the same numbers.
    """
    n = every * N
    columns = []
    for rng in rngs:
        draws = [(rng.integers(0, N, size=n, dtype=np.int64), rng.random(n)) for _ in range(n_meas)]
        columns.append([np.concatenate([d[k] for d in draws]) for k in (0, 1)])
    return tuple(np.stack([c[k] for c in columns], axis=1) for k in (0, 1))


def run_brian2(h: OverlapHamiltonian, T: float, sigma0: np.ndarray, rngs, observables: dict, n_meas: int,
               every: int, target: str = "numpy") -> dict:
    """Heat-bath run of the replicas ``sigma0`` on Brian2, measured as the Numba backend measures.

    ``sigma0`` is ``(R, N)``, ``rngs`` the replicas' generators; ``n_meas`` measurements, one every
    ``every`` sweeps. Returns the dictionary :func:`biomem.hebbian.simulation.simulate` turns into
    its dataset (overlaps, ``energy`` per spin, ``flips``, pair overlaps ``q``, ``final`` spins).
    ``observables`` maps names to ``(N, k)`` matrices ``W`` (overlaps ``W^T sigma / N``); ``target``
    is the Brian2 runtime code-generation target, ``"numpy"`` or ``"cython"``.
    """
    R, N = sigma0.shape
    if n_meas == 0:                         # fewer sweeps than one measurement interval: nothing runs
        return {**{name: np.empty((R, 0, W.shape[1])) for name, W in observables.items()},
                "energy": np.empty((R, 0)), "flips": np.empty((R, 0), dtype=np.int64),
                "q": np.empty((R * (R - 1) // 2, 0)), "final": sigma0.copy()}
    sites, uniforms = random_numbers(rngs, N, n_meas, every)
    out = {name: np.empty((R, n_meas, W.shape[1])) for name, W in observables.items()}
    out["energy"] = np.empty((R, n_meas))
    out["flips"] = np.empty((R, n_meas), dtype=np.int64)
    pairs = list(itertools.combinations(range(R), 2))
    out["q"] = np.empty((len(pairs), n_meas))
    done = [0]

    def measure(chains, flips):
        t = done[0]
        out["flips"][:, t] = flips
        out["energy"][:, t] = chains.energies() / N
        sigma = chains.sigma
        for name, W in observables.items():         # summed over i in order, as the Numba backend
            out[name][:, t] = [(W * s[:, None]).sum(axis=0) / N for s in sigma]
        for p, (a, b) in enumerate(pairs):
            out["q"][p, t] = np.dot(sigma[a].astype(np.int64), sigma[b]) / N
        done[0] += 1

    with session.configured(target):
        chains = Replicas(h, sigma0, T, sites, uniforms)
        chains.run(n_meas * every, every, measure)
    out["final"] = chains.sigma
    return out
