"""Multitasking Hebbian network: diluted patterns retrieved in parallel (low load).

Patterns ``xi_i^mu in {-1, 0, +1}`` with ``P(0) = d`` (dilution), ``P(+-1) = (1 - d)/2``; Hopfield
couplings ``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu`` (``i != j``), ``H = -(N/2) sum_mu m_mu^2``,
``m_mu = xi^mu . sigma / N`` (at most ``1 - d``); ``K`` finite (low load). Mean-field equations,
exact for ``N -> infinity`` at fixed ``K`` (averages over the ``3^K`` pattern columns enumerated)::

    m_mu = E[xi^mu tanh(beta sum_nu m_nu xi^nu)],   q = E tanh^2(...),
    f    = sum_mu m_mu^2 / 2 - (1/beta) E ln 2cosh(beta sum_nu m_nu xi^nu).

The retrieval start is the *hierarchical configuration*: each spin copies the first pattern that
is non-zero on it, ``m_k = (1 - d) d^(k-1)`` (``m_1 = 1 - d``, the largest possible). At ``T = 0``
that is a fixed point while ``m_1 > sum_{k>1} m_k``, i.e. ``1 - 2d + d^K > 0``; beyond it the
amplitudes equalise towards the parallel regime.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from biomem.theory.integrals import beta_of

MAX_K = 12          # 3^12 = 531441 pattern columns
M_TOL = 1e-4


def columns(K: int, d: float) -> tuple[np.ndarray, np.ndarray]:
    """All ``3^K`` values of a pattern column and their probabilities."""
    from biomem.description.validate import integer, real
    integer("K", K, low=1, high=MAX_K)
    real("d", d, low=0.0, high=1.0, high_open=True)
    values = np.array(list(itertools.product((-1, 0, 1), repeat=K)), dtype=float)
    single = np.where(values == 0, d, 0.5 * (1.0 - d))
    return values, single.prod(axis=1)


def hierarchical_amplitudes(K: int, d: float) -> np.ndarray:
    """``m_k = (1 - d) d^(k-1)``: the T = 0 hierarchical state."""
    return (1.0 - d) * d ** np.arange(K)


def hierarchical_stable(K: int, d: float) -> bool:
    """``1 - 2d + d^K > 0``: the hierarchical state is a T = 0 fixed point."""
    return 1.0 - 2.0 * d + d ** K > 0


def _apply(m, values, probs, beta):
    h = values @ m
    t = np.sign(h) if math.isinf(beta) else np.tanh(beta * h)
    return (probs * t) @ values, t, h


def solve(K: int, d: float, T: float, m0=None, *, max_iter: int = 100_000, tol: float = 1e-12) -> dict:
    """Fixed point iterated from ``m0`` (default: the hierarchical configuration)."""
    from biomem.description.validate import non_negative
    non_negative("T", T)
    values, probs = columns(K, d)
    beta = beta_of(T)
    m = hierarchical_amplitudes(K, d) if m0 is None else np.asarray(m0, dtype=float).copy()
    converged, previous = False, 1.0
    it = 0
    for it in range(1, max_iter + 1):
        new, t, h = _apply(m, values, probs, beta)
        step = float(np.abs(new - m).sum())
        m = new
        rate = min(step / previous, 0.999999) if previous > 0 else 0.0
        previous = step
        if step * (1.0 + rate / (1.0 - rate)) < tol or step < 1e-14:
            converged = True
            break
    _, t, h = _apply(m, values, probs, beta)
    q = float(probs @ (t * t))
    if math.isinf(beta):
        lncosh = float(probs @ np.abs(h))
    else:
        lncosh = float(probs @ (np.abs(h) + np.log1p(np.exp(-2.0 * beta * np.abs(h))) / beta))
    f = 0.5 * float(m @ m) - lncosh
    return {"m_k": m, "q": q, "f": f, "converged": converged, "iterations": it}


def classify(m_k: np.ndarray, tol: float = 1e-4) -> str:
    """``hierarchical`` (all non-zero, strictly decreasing amplitudes), ``parallel`` (equal
    non-zero amplitudes), ``partial`` (some patterns not retrieved), ``paramagnetic``."""
    a = np.sort(np.abs(m_k))[::-1]
    if a[0] < M_TOL:
        return "paramagnetic"
    if a[-1] < M_TOL:
        return "partial"
    if a[0] - a[-1] < tol:
        return "parallel"
    return "hierarchical"


def phase(K: int, d: float, T: float) -> dict:
    """State from the hierarchical start: ``m`` (= m_1, Mattis overlap with pattern 1), all
    ``m_k``, ``q``, ``f``, the phase label and the T = 0 prediction."""
    state = solve(K, d, T)
    m_k = state["m_k"]
    return {"m": float(m_k[0]), "m_k": [float(x) for x in m_k], "m_sum": float(np.abs(m_k).sum()),
            "q": state["q"], "f": state["f"], "phase": classify(m_k), "converged": state["converged"],
            "iterations": state["iterations"], "hierarchical_stable_T0": hierarchical_stable(K, d),
            "m_k_T0_hierarchical": [float(x) for x in hierarchical_amplitudes(K, d)]}
