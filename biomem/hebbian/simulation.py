"""Run replicas of the heat-bath dynamics and label what was measured (xarray).

:func:`simulate` takes an :class:`~biomem.hebbian.couplings.OverlapHamiltonian`, a temperature,
an initial condition and named observables (``{"m": archetypes (K, N), "m_hat": xi_hat ...}``)
and returns an ``xarray.Dataset`` with, per replica and per measured sweep, the overlaps with every
observable vector, the energy per spin, the number of flips, and the overlaps ``q`` between all
pairs of replicas; attributes carry the provenance (model label, N, K', P, T, seed, backend,
biomem version). Replicas share the couplings; each has its own random stream spawned from
``SeedSequence(seed)``.

Backends: ``"numba"`` (one chain at a time), ``"torch"`` (replicas batched, CPU or CUDA; its own
random streams, so it agrees statistically) and ``"brian2"`` (the dynamics as a Brian2 network,
runtime ``target`` ``"numpy"`` or ``"cython"``; it consumes the Numba backend's random streams
and follows its trajectory flip for flip).
"""

from __future__ import annotations

import itertools

import numpy as np
import xarray as xr

from biomem.description.validate import choice, integer, non_negative
from biomem.errors import BiomemError
from biomem.hebbian.couplings import OverlapHamiltonian


def initial_states(init, N: int, replicas: int, rngs: list[np.random.Generator]) -> np.ndarray:
    """``(replicas, N)`` int8 starting spins: ``"random"``, one ``(N,)`` state, or ``(replicas, N)``."""
    if isinstance(init, str):
        choice("init", init, ("random",))
        return np.stack([(2 * rng.integers(0, 2, N) - 1).astype(np.int8) for rng in rngs])
    init = np.asarray(init)
    if init.shape == (N,):
        init = np.broadcast_to(init, (replicas, N))
    if init.shape != (replicas, N) or not np.all(np.isin(init, (-1, 1))):
        raise BiomemError("init", f"shape {init.shape} or values are not spins", f"(N,) or ({replicas}, N) of +-1")
    return np.ascontiguousarray(init, dtype=np.int8)


def simulate(hamiltonian: OverlapHamiltonian, T: float, sweeps: int, *, seed: int = 0, replicas: int = 2,
             init="random", observables: dict | None = None, measure_every: int = 1,
             backend: str = "numba", device: str = "cpu", target: str = "numpy") -> xr.Dataset:
    """Heat-bath Monte Carlo of ``hamiltonian`` at temperature ``T``, as an ``xarray.Dataset``.

    ``sweeps`` sweeps of ``N`` attempts per replica, measured every ``measure_every`` sweeps (see
    the module docstring). ``backend``: ``"numba"``, ``"torch"`` (with ``device``) or ``"brian2"``
    (with ``target``, the Brian2 runtime code generation: ``"numpy"`` or ``"cython"``).
    """
    non_negative("T", T)
    integer("sweeps", sweeps, low=1)
    integer("replicas", replicas, low=1)
    integer("measure_every", measure_every, low=1)
    integer("seed", seed, low=0)
    choice("backend", backend, ("numba", "torch", "brian2"))
    if backend == "brian2":
        choice("target", target, ("numpy", "cython"))
        choice("device", device, ("cpu",))
    observables = {k: np.ascontiguousarray(np.asarray(v, dtype=float).reshape(-1, hamiltonian.N).T)
                   for k, v in (observables or {}).items()}
    children = np.random.SeedSequence(seed).spawn(replicas)
    rngs = [np.random.Generator(np.random.PCG64(c)) for c in children]
    sigma0 = initial_states(init, hamiltonian.N, replicas, rngs)
    n_meas = sweeps // measure_every
    if backend == "numba":
        data = _run_numba(hamiltonian, T, sigma0, rngs, observables, n_meas, measure_every)
    elif backend == "brian2":
        from biomem.backends.brian2.hebbian import run_brian2
        data = run_brian2(hamiltonian, T, sigma0, rngs, observables, n_meas, measure_every, target)
    else:
        from biomem.backends.torch.hebbian import run_batched
        data = run_batched(hamiltonian, T, sigma0, seed, observables, n_meas, measure_every, device)
    return _dataset(hamiltonian, T, seed, backend, data, measure_every, replicas)


def _run_numba(h, T, sigma0, rngs, observables, n_meas, every):
    from biomem.backends.numba.hebbian import Chain, overlaps
    chains = [Chain(h, s, rng) for s, rng in zip(sigma0, rngs)]
    R = len(chains)
    out = {name: np.empty((R, n_meas, W.shape[1])) for name, W in observables.items()}
    out["energy"] = np.empty((R, n_meas))
    out["flips"] = np.empty((R, n_meas), dtype=np.int64)
    pairs = list(itertools.combinations(range(R), 2))
    out["q"] = np.empty((len(pairs), n_meas))
    for t in range(n_meas):
        for r, chain in enumerate(chains):
            out["flips"][r, t] = chain.run(every, T)
            out["energy"][r, t] = chain.energy() / h.N
            for name, W in observables.items():
                out[name][r, t] = overlaps(chain.sigma, W)
        for p, (a, b) in enumerate(pairs):
            out["q"][p, t] = np.dot(chains[a].sigma.astype(np.int64), chains[b].sigma) / h.N
    out["final"] = np.stack([c.sigma for c in chains])
    return out


def _dataset(h, T, seed, backend, data, every, replicas):
    import biomem
    n_meas = data["energy"].shape[1]
    coords = {"replica": np.arange(replicas), "sweep": (np.arange(n_meas) + 1) * every}
    variables = {"energy": (("replica", "sweep"), data["energy"]),
                 "flips": (("replica", "sweep"), data["flips"]),
                 "q": (("pair", "sweep"), data["q"]),
                 "final": (("replica", "site"), data["final"])}
    for name, values in data.items():
        if name not in variables:
            variables[name] = (("replica", "sweep", f"{name}_index"), values)
    pairs = list(itertools.combinations(range(replicas), 2))
    coords["pair"] = [f"{a}-{b}" for a, b in pairs]
    attrs = {"model": h.label, "N": h.N, "K_vectors": h.K, "P": h.P, "T": float(T), "seed": int(seed),
             "backend": backend, "biomem_version": biomem.__version__,
             "dynamics": "heat bath, random sequential, sweep = N attempts",
             "hamiltonian": "H = -N sum_mu w_mu N^-P sum_{distinct i1..iP} prod V sigma"}
    for key in ("r", "rho", "R", "M"):
        if key in h.info:
            attrs[key] = float(h.info[key])
    return xr.Dataset(variables, coords=coords, attrs=attrs)

