"""From a model's parameters (as in ``models/*.toml``) to a Monte Carlo run and its summary.

:func:`build` draws the data (patterns, examples or digits) from the seed and returns the
Hamiltonian, the observables (``m``: archetypes, ``m_hat``: ``xi_hat`` for dense models) and the
initial state; :func:`montecarlo` runs :func:`biomem.hebbian.simulation.simulate` and summarises.
Seeds: ``SeedSequence(seed).spawn(2)`` gives the data stream and the dynamics seed.
"""

from __future__ import annotations

import math

import numpy as np

from biomem.errors import BiomemError
from biomem.hebbian import couplings, measures, patterns
from biomem.hebbian.simulation import simulate

MAX_VECTOR_ENTRIES = 200_000_000          # N * K' stored couplings vectors (1.6 GB of float64)


def _streams(seed: int):
    data, dynamics = np.random.SeedSequence(int(seed)).spawn(2)
    return patterns.generator(data), int(dynamics.generate_state(1, np.uint32)[0])


def _archetypes(params: dict, K: int, N: int, rng) -> tuple[np.ndarray, np.ndarray | None]:
    """Random archetypes, or digits (then N is fixed by the images) with their real examples."""
    if params.get("patterns", "random") == "digits":
        if K > 10:
            raise BiomemError("K", f"digits have 10 classes, got K = {K}", "K <= 10")
        data = patterns.digits(tuple(range(K)), M=int(params.get("M", 1)), n_test=0, rng=rng,
                               upscale=int(params.get("upscale", 1)))
        return data["archetypes"], data["examples"]
    return patterns.random_patterns(K, N, rng), None


def _check_size(N: int, vectors: int):
    if N * vectors > MAX_VECTOR_ENTRIES:
        raise BiomemError("N", f"{vectors} coupling vectors of {N} spins exceed the memory budget",
                          f"N * K' <= {MAX_VECTOR_ENTRIES:.0e} (lower N or the load)")


def build(model: str, params: dict, rng) -> dict:
    """Hamiltonian, observables, initial state and the realised sizes of one sample."""
    N = int(params.get("N", 1000))
    if params.get("patterns", "random") == "digits":      # the images fix N
        N = 64 * int(params.get("upscale", 1)) ** 2
    init = params.get("init", "retrieval")
    if model == "hopfield":
        K = max(1, int(round(params["alpha"] * N)))
        _check_size(N, K)
        xi, _ = _archetypes(params, K, N, rng)
        ham = couplings.hopfield(xi)
        start = xi[0] if init == "retrieval" else "random"
        return {"hamiltonian": ham, "observables": {"m": xi}, "init": start, "K": K, "N": xi.shape[1]}
    if model == "dense-hebbian":
        P, M, rho = int(params["P"]), int(params["M"]), float(params["rho"])
        alpha = float(params.get("alpha", 0.0))
        K = int(params["K"]) if alpha == 0 else max(1, int(round(alpha * N ** (P - 1) / math.factorial(P))))
        supervised = bool(params.get("supervised", True))
        _check_size(N, K * (1 if supervised else M))
        xi, real = _archetypes(params, K, N, rng)
        if real is None:
            r = patterns.quality_for(rho, M)
            examples = patterns.noisy_examples(xi, M, r, rng)
        else:
            examples, r = real, None            # digits: quality estimated from the data
        ham = couplings.dense(examples, P, r, supervised=supervised, load="low" if alpha == 0 else "high")
        start = {"retrieval": xi[0], "example": examples[0, 0]}.get(init, "random")
        return {"hamiltonian": ham, "observables": {"m": xi, "m_hat": ham.info["xi_hat"].T}, "init": start,
                "K": K, "N": xi.shape[1]}
    if model == "multitasking":
        K, d = int(params["K"]), float(params["d"])
        xi = patterns.diluted_patterns(K, N, d, rng)
        ham = couplings.hopfield(xi)
        if init == "hierarchical":            # each spin copies the first pattern non-zero on it
            start = np.zeros(N, dtype=np.int8)
            for mu in range(K):
                start = np.where(start == 0, xi[mu], start)
            start = np.where(start == 0, 2 * rng.integers(0, 2, N) - 1, start).astype(np.int8)
        elif init == "first":                 # pattern 1 where it is non-zero, random elsewhere
            start = np.where(xi[0] != 0, xi[0], 2 * rng.integers(0, 2, N) - 1).astype(np.int8)
        else:
            start = "random"
        return {"hamiltonian": ham, "observables": {"m": xi}, "init": start, "K": K, "N": N}
    raise BiomemError("model", f"no Monte Carlo builder for {model!r}", "hopfield, dense-hebbian, multitasking")


def montecarlo(model: str, params: dict, seed: int, *, dataset: bool = False):
    """Summary of one Monte Carlo sample (see :func:`biomem.hebbian.measures.summary`).

    For multitasking every overlap is reported (``m_2..m_K``, pattern order) and sorted by size
    (``m_sorted_1..K``).
    With ``dataset=True`` returns ``(summary, xarray dataset)``.
    """
    rng, dynamics_seed = _streams(seed)
    built = build(model, params, rng)
    result = simulate(built["hamiltonian"], float(params["T"]), int(params.get("sweeps", 100)), seed=dynamics_seed,
                      replicas=int(params.get("replicas", 2)), init=built["init"],
                      observables=built["observables"], backend=params.get("backend", "numba"),
                      device=params.get("device", "cpu"))
    out = measures.summary(result, discard=float(params.get("discard", 0.5)))
    if model == "multitasking":
        keep = result["m"].isel(sweep=slice(result.sizes["sweep"] // 2, None))
        means = keep.mean(("replica", "sweep")).values
        for k, value in enumerate(means[1:], start=2):
            out[f"m_{k}"] = float(value)
        for k, value in enumerate(np.sort(np.abs(means))[::-1], start=1):
            out[f"m_sorted_{k}"] = float(value)
    out["K"] = float(built["K"])
    out["N"] = float(built["N"])
    return (out, result) if dataset else out
