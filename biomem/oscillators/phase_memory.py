"""Oscillatory associative memory: phase patterns stored in Hebbian complex couplings.

P patterns phi^mu in [0, 2 pi)^N are stored as::

    J_ij = (1/N) sum_mu exp(i (phi_i^mu - phi_j^mu)),   J_ii = 0      (Hermitian)

and recalled by the phase dynamics (a Kuramoto model with phase-lagged couplings)::

    d theta_i/dt = Im( e^{-i theta_i} sum_j J_ij e^{i theta_j} ) = sum_j |J_ij| sin(theta_j - theta_i + arg J_ij),

the gradient flow of E = -(1/2) z^H J z with z_j = e^{i theta_j}, so E never increases. A stored
pattern is a fixed point up to a global phase, so retrieval is measured by the phase-invariant
overlap m^mu = |(1/N) sum_j exp(i (theta_j - phi_j^mu))| (1 = perfect recall, ~1/sqrt(N) = chance).
A cue is a pattern with a fraction of its phases replaced by random ones (``fraction``) and/or
Gaussian phase noise (``sigma``). Capacity: the largest P for which a given fraction of cues is
recalled with overlap >= threshold; P_max grows linearly with N (alpha = P/N).

All randomness takes a seed (numpy Generator); arithmetic is complex128.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from threadpoolctl import threadpool_limits

from biomem.description import validate as check
from biomem.errors import BiomemError


def random_patterns(P: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """(P, N) phases uniform on [0, 2 pi)."""
    return rng.uniform(0.0, 2.0 * np.pi, (check.integer("P", P, low=1), check.integer("N", N, low=2)))


def hebbian_couplings(patterns: np.ndarray) -> np.ndarray:
    """Complex Hebbian couplings J (N, N) of (P, N) phase patterns, zero diagonal."""
    patterns = np.atleast_2d(check.real_array("patterns", patterns))
    z = np.exp(1j * patterns)
    J = z.T @ z.conj() / patterns.shape[1]
    np.fill_diagonal(J, 0.0)
    return J


def corrupt(patterns: np.ndarray, rng: np.random.Generator, fraction: float = 0.0, sigma: float = 0.0) -> np.ndarray:
    """Cues: in each row, round(fraction N) random phases are redrawn uniformly; then N(0, sigma^2) noise."""
    fraction = check.real("fraction", fraction, low=0.0, high=1.0)
    sigma = check.non_negative("sigma", sigma)
    cues = np.array(np.atleast_2d(patterns), dtype=float)
    count = int(round(fraction * cues.shape[1]))
    for row in cues:
        flip = rng.choice(cues.shape[1], size=count, replace=False)
        row[flip] = rng.uniform(0.0, 2.0 * np.pi, count)
    if sigma > 0:
        cues += sigma * rng.standard_normal(cues.shape)
    return cues


def velocity(J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """d theta/dt for a batch theta (B, N)."""
    z = np.exp(1j * theta)
    return np.imag(z.conj() * (z @ J.T))


def energy(J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """E = -(1/2) z^H J z per row of theta (B, N)."""
    z = np.exp(1j * np.atleast_2d(theta))
    return -0.5 * np.real(np.einsum("bi,ij,bj->b", z.conj(), J, z))


def recall(J: np.ndarray, cues: np.ndarray, *, dt: float = 0.1, t_max: float = 50.0, integrator: str = "rk4",
           record_energy: bool = False, tol: float = 1e-7):
    """Integrate the phase dynamics from ``cues`` (B, N); returns final phases (and energies).

    Stops early once every |d theta/dt| < ``tol`` (0 disables; checked each step on k1)."""
    theta = np.array(np.atleast_2d(cues), dtype=float)
    dt = check.positive("dt", dt)
    steps = int(round(check.positive("t_max", t_max) / dt))
    check.choice("integrator", integrator, ("rk4", "euler"))
    if J.shape != (theta.shape[1], theta.shape[1]):
        raise BiomemError("cues", f"{theta.shape[1]} phases for a {J.shape[0]}-unit memory", f"{J.shape[0]} phases")
    energies = [energy(J, theta)] if record_energy else None
    # Small matrix products are faster on one BLAS thread (and far faster on a loaded machine).
    with threadpool_limits(1, user_api="blas") if J.shape[0] < 1024 else nullcontext():
        theta = _integrate(J, theta, dt, steps, integrator, energies, check.non_negative("tol", tol))
    return (theta, np.array(energies)) if record_energy else theta


def _integrate(J, theta, dt, steps, integrator, energies, tol):
    for _ in range(steps):
        k1 = velocity(J, theta)
        if tol > 0 and np.abs(k1).max() < tol:
            break
        if integrator == "euler":
            theta = theta + dt * k1
        else:
            k2 = velocity(J, theta + 0.5 * dt * k1)
            k3 = velocity(J, theta + 0.5 * dt * k2)
            k4 = velocity(J, theta + dt * k3)
            theta = theta + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        if energies is not None:
            energies.append(energy(J, theta))
    return theta


def overlap(theta: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Phase-invariant overlap |(1/N) sum_j exp(i (theta_j - phi_j))| row by row (B,) or all pairs with
    ``patterns`` (P, N) against theta (B, N) when shapes differ: (B, P)."""
    theta, patterns = np.atleast_2d(theta), np.atleast_2d(patterns)
    if theta.shape == patterns.shape:
        return np.abs(np.exp(1j * (theta - patterns)).mean(axis=1))
    return np.abs(np.exp(1j * theta) @ np.exp(-1j * patterns).T) / theta.shape[1]


def recall_trial(N: int, P: int, seed: int, *, fraction: float = 0.2, sigma: float = 0.0,
                 cues_per_run: int | None = None, dt: float = 0.1, t_max: float = 50.0) -> dict:
    """Store P random patterns in N units, cue each (up to ``cues_per_run``) corrupted, recall.

    Returns {"overlap_cue", "overlap_final"} arrays over the cued patterns."""
    rng = np.random.default_rng(check.integer("seed", seed, low=0))
    patterns = random_patterns(P, N, rng)
    J = hebbian_couplings(patterns)
    cued = patterns[: cues_per_run or P]
    cues = corrupt(cued, rng, fraction, sigma)
    final = recall(J, cues, dt=dt, t_max=t_max)
    return {"overlap_cue": overlap(cues, cued), "overlap_final": overlap(final, cued)}


def capacity(N: int, loads, seed: int, *, trials: int = 1, threshold: float = 0.9, success: float = 0.9,
             fraction: float = 0.1, sigma: float = 0.0, cues_per_run: int = 20, t_max: float = 50.0) -> dict:
    """Recall success vs number of patterns P for N units.

    ``loads`` are the P values tried (ascending); for each, ``trials`` independent memories
    (seeds derived from ``seed``) are cued and the fraction recalled with overlap >= ``threshold`` is
    measured. ``P_max`` is the largest P whose success fraction is >= ``success`` (0 if none)."""
    loads = [check.integer("P", p, low=1) for p in loads]
    seeds = np.random.SeedSequence(check.integer("seed", seed, low=0)).generate_state(len(loads) * trials)
    fractions, mean_overlaps = [], []
    for a, P in enumerate(loads):
        finals = np.concatenate([recall_trial(N, P, int(seeds[a * trials + t]), fraction=fraction, sigma=sigma,
                                              cues_per_run=cues_per_run, t_max=t_max)["overlap_final"]
                                 for t in range(trials)])
        fractions.append(float(np.mean(finals >= threshold)))
        mean_overlaps.append(float(finals.mean()))
    good = [P for P, f in zip(loads, fractions) if f >= success]
    return {"N": N, "P": np.array(loads), "success": np.array(fractions), "overlap": np.array(mean_overlaps),
            "P_max": max(good) if good else 0}
