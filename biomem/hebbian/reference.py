"""A straightforward numpy implementation of the heat-bath dynamics (the benchmark baseline).

It is what one writes first: at every attempt, the local field of the chosen spin is recomputed
from scratch with vectorised numpy, ``O(N K')`` per attempt (the power sums of all overlaps minus
the spin's own terms). It implements exactly the same Hamiltonian and rule as
:mod:`biomem.backends.numba.hebbian` and consumes the same random numbers, so both produce the
same trajectory (up to ties of floating-point rounding, which tests do not meet).
"""

from __future__ import annotations

import math

import numpy as np

from biomem.hebbian.couplings import OverlapHamiltonian, elementary


def field(h: OverlapHamiltonian, sigma: np.ndarray, i: int) -> float:
    """Local field of spin ``i`` recomputed from scratch (``O(N K')``)."""
    a = h.V * sigma[:, None]                                           # (N, K')
    mask = np.ones(h.N, dtype=bool)
    mask[i] = False
    rest = a[mask]
    p = np.stack([(rest ** j).sum(axis=0) for j in range(h.P)], axis=1)  # (K', P)
    e = elementary(p, h.P - 1)[:, h.P - 1]
    return float(np.dot(h.field_coefficients() * h.V[i], e))


def _heat_bath(hi: float, beta: float, u: float) -> int:
    """The new spin for local field ``hi``: P(+1) = 1 / (1 + exp(-2 beta hi)); at T = 0 the field's
    sign, a fair coin when it is zero. Both branches of the logistic avoid overflow."""
    if math.isinf(beta):
        return 1 if hi > 0 else (-1 if hi < 0 else (1 if u < 0.5 else -1))
    x = 2.0 * beta * hi
    plus = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    return 1 if u < plus else -1


def sweeps(h: OverlapHamiltonian, sigma: np.ndarray, T: float, sites: np.ndarray, uniforms: np.ndarray) -> int:
    """Attempts at ``sites`` with ``uniforms``; ``sigma`` (int8) is updated in place."""
    beta = math.inf if T == 0 else 1.0 / T
    work = sigma.astype(np.float64)
    flips = 0
    for i, u in zip(sites, uniforms):
        hi = field(h, work, int(i))
        new = _heat_bath(hi, beta, u)
        if new != work[i]:
            work[i] = new
            flips += 1
    sigma[:] = work.astype(np.int8)
    return flips


def sweeps_matrix(J: np.ndarray, sigma: np.ndarray, T: float, sites: np.ndarray, uniforms: np.ndarray) -> int:
    """P = 2 only: the textbook loop with a stored coupling matrix, ``h_i = J[i] . sigma``
    (``O(N)`` per attempt; ``J_ii = 0``). Same rule and random numbers as :func:`sweeps`."""
    beta = math.inf if T == 0 else 1.0 / T
    work = sigma.astype(np.float64)
    flips = 0
    for i, u in zip(sites, uniforms):
        hi = float(J[i] @ work)
        new = _heat_bath(hi, beta, u)
        if new != work[i]:
            work[i] = new
            flips += 1
    sigma[:] = work.astype(np.int8)
    return flips
