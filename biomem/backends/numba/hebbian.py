"""Heat-bath (Glauber) Monte Carlo of an :class:`~biomem.hebbian.couplings.OverlapHamiltonian`, in Numba.

Random sequential updates: each attempt picks a site ``i`` uniformly and sets
``sigma_i = +1`` with probability ``1 / (1 + exp(-2 beta h_i))`` (``T = 0``: ``sign h_i``, ties
``+-1`` with probability 1/2), i.e. ``sigma_i <- sign(tanh(beta h_i) + U(-1, 1))``. One sweep is
``N`` attempts. The field is computed in ``O(K' P^2)`` from the tracked power sums
``p[j, mu] = sum_i (V[i, mu] sigma_i)^j`` (odd ``j`` updated in ``O(K' P)`` on a flip), so a sweep
costs ``O(N K')`` and the ``N^P`` tensor never exists; self-interactions are excluded exactly.
Power sums are recomputed from scratch at each measurement (no drift). They are stored as
``pw[j, mu]`` so that the loop over ``mu`` reads contiguous memory; that loop is compiled with
re-association allowed (SIMD), so sums may differ from a sequential sum in the last bits: runs are
bit-identical for a seed on one machine, and equal the numpy reference up to such rounding.

Random numbers (sites and uniforms) come from a ``numpy.random.Generator`` per replica, spawned
from the run's ``SeedSequence``: a seed fixes the run bit for bit, and the straightforward numpy
reference (:mod:`biomem.hebbian.reference`) consumes the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from biomem.hebbian.couplings import OverlapHamiltonian


@njit(cache=True)
def power_sums(sigma, V, P, out):
    """``out[j, mu] = sum_i (V[i, mu] sigma_i)^j``, ``j = 0..P`` (layout ``(P+1, K')``)."""
    N, K = V.shape
    out[:, :] = 0.0
    for i in range(N):
        s = sigma[i]
        for mu in range(K):
            a = V[i, mu] * s
            x = 1.0
            for j in range(P + 1):
                out[j, mu] += x
                x *= a
    return out


@njit(cache=True)
def _e_last(p_rest, order, e):
    """``e_order`` from power sums ``p_rest[1..order]`` (Newton's identities; ``e`` is scratch)."""
    e[0] = 1.0
    for k in range(1, order + 1):
        total = 0.0
        sign = 1.0
        for j in range(1, k + 1):
            total += sign * e[k - j] * p_rest[j]
            sign = -sign
        e[k] = total / k
    return e[order]


@njit(cache=True)
def energy(pw, coef, P):
    """``H = -sum_mu coef_mu e_P(a_mu)`` from the power sums."""
    K = pw.shape[1]
    e = np.empty(P + 1)
    column = np.empty(P + 1)
    total = 0.0
    for mu in range(K):
        column[:] = pw[:, mu]
        total += coef[mu] * _e_last(column, P, e)
    return -total


_FAST = {"reassoc", "nsz", "contract"}      # SIMD reductions over mu; no finite-math assumptions


@njit(cache=True)
def _field_general(i, s, V, coef, P, pw, p_rest, e):
    h = 0.0
    for mu in range(V.shape[1]):
        v = V[i, mu]
        a = v * s
        x = a
        for j in range(1, P):
            p_rest[j] = pw[j, mu] - x
            x *= a
        h += coef[mu] * v * _e_last(p_rest, P - 1, e)
    return h


@njit(cache=True, inline="always")
def _heat_bath(h, beta, u):
    """New spin: +1 with probability 1/(1 + exp(-2 beta h)); T = 0: sign h, ties by u < 1/2."""
    if math.isinf(beta):
        return 1 if h > 0 else (-1 if h < 0 else (1 if u < 0.5 else -1))
    x = 2.0 * beta * h
    plus = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    return 1 if u < plus else -1


@njit(cache=True, fastmath=_FAST)
def _sweeps2(sigma, V, coef, beta, sites, uniforms, p1):
    """P = 2: only the first power sum moves."""
    K = V.shape[1]
    flips = 0
    for t in range(sites.size):
        i = sites[t]
        s = sigma[i]
        h = 0.0
        for mu in range(K):
            v = V[i, mu]
            h += coef[mu] * v * (p1[mu] - v * s)
        new = _heat_bath(h, beta, uniforms[t])
        if new != s:
            sigma[i] = new
            flips += 1
            for mu in range(K):
                p1[mu] += 2.0 * new * V[i, mu]
    return flips


@njit(cache=True, fastmath=_FAST)
def _sweeps34(sigma, V, coef, P, beta, sites, uniforms, p1, p2, p3):
    """P = 3 or 4: Newton's identities written out; p1 and p3 move."""
    K = V.shape[1]
    flips = 0
    for t in range(sites.size):
        i = sites[t]
        s = sigma[i]
        h = 0.0
        if P == 3:
            for mu in range(K):
                v = V[i, mu]
                q1 = p1[mu] - v * s
                h += coef[mu] * v * 0.5 * (q1 * q1 - (p2[mu] - v * v))
        else:
            for mu in range(K):
                v = V[i, mu]
                a = v * s
                v2 = v * v
                q1 = p1[mu] - a
                h += coef[mu] * v * (q1 * (q1 * q1 - 3.0 * (p2[mu] - v2)) + 2.0 * (p3[mu] - a * v2))
            h /= 6.0
        new = _heat_bath(h, beta, uniforms[t])
        if new != s:
            sigma[i] = new
            flips += 1
            for mu in range(K):
                v = V[i, mu]
                p1[mu] += 2.0 * new * v
                p3[mu] += 2.0 * new * v * v * v
    return flips


@njit(cache=True)
def _sweeps_general(sigma, V, coef, P, beta, sites, uniforms, pw):
    K = V.shape[1]
    p_rest = np.empty(P + 1)
    e = np.empty(P + 1)
    flips = 0
    for t in range(sites.size):
        i = sites[t]
        s = sigma[i]
        h = _field_general(i, s, V, coef, P, pw, p_rest, e)
        new = _heat_bath(h, beta, uniforms[t])
        if new != s:
            sigma[i] = new
            flips += 1
            for mu in range(K):
                v = V[i, mu]
                x = v
                for j in range(1, P + 1):
                    if j % 2 == 1:
                        pw[j, mu] += 2.0 * new * x
                    x *= v
    return flips


@njit(cache=True)
def sweeps(sigma, V, coef, P, beta, sites, uniforms, pw):
    """Heat-bath attempts at ``sites`` with ``uniforms`` in [0, 1); returns the number of flips.

    ``pw`` (``(P+1, K')``) is updated in place; ``P <= 4`` run specialised loops on its rows.
    """
    if P == 2:
        return _sweeps2(sigma, V, coef, beta, sites, uniforms, pw[1])
    if P <= 4:
        return _sweeps34(sigma, V, coef, P, beta, sites, uniforms, pw[1], pw[2], pw[3])
    return _sweeps_general(sigma, V, coef, P, beta, sites, uniforms, pw)


@njit(cache=True)
def overlaps(sigma, W):
    """``W^T sigma / N`` for ``W`` ``(N, k)``."""
    N, k = W.shape
    out = np.zeros(k)
    for i in range(N):
        s = sigma[i]
        for c in range(k):
            out[c] += W[i, c] * s
    return out / N


@njit(cache=True, fastmath=_FAST)
def floor_kernel(V, coef, sites):
    """The O(K') floor of one attempt: read the touched row and combine it (no physics)."""
    K = V.shape[1]
    total = 0.0
    for t in range(sites.size):
        i = sites[t]
        acc = 0.0
        for mu in range(K):
            acc += coef[mu] * V[i, mu]
        total += acc
    return total


class Chain:
    """One replica: spins, tracked power sums and its random stream."""

    def __init__(self, hamiltonian: OverlapHamiltonian, sigma0: np.ndarray, rng: np.random.Generator):
        self.h = hamiltonian
        self.sigma = np.ascontiguousarray(sigma0, dtype=np.int8).copy()
        self.rng = rng
        self.coef = hamiltonian.field_coefficients()
        self.pw = np.empty((hamiltonian.P + 1, hamiltonian.K))
        self.refresh()

    def refresh(self) -> None:
        """Recompute the power sums ``pw`` from the spins (clears the drift of incremental updates)."""
        power_sums(self.sigma, self.h.V, self.h.P, self.pw)

    def random_numbers(self, n_sweeps: int) -> tuple[np.ndarray, np.ndarray]:
        """``(sites, uniforms)`` for ``n_sweeps * N`` attempts, drawn from the chain's stream: sites
        uniform in ``0 .. N-1`` (int64) and uniforms in [0, 1)."""
        n = n_sweeps * self.h.N
        return self.rng.integers(0, self.h.N, size=n, dtype=np.int64), self.rng.random(n)

    def run(self, n_sweeps: int, T: float) -> int:
        """``n_sweeps`` sweeps of ``N`` heat-bath attempts at random sites at temperature ``T``
        (``beta = 1/T``; ``T = 0``: the spin takes the sign of its field); returns the number of flips."""
        beta = math.inf if T == 0 else 1.0 / T
        sites, uniforms = self.random_numbers(n_sweeps)
        flips = sweeps(self.sigma, self.h.V, self.coef, self.h.P, beta, sites, uniforms, self.pw)
        self.refresh()
        return flips

    def energy(self) -> float:
        """``H`` of the current spins, from the tracked power sums."""
        return float(energy(self.pw, self.h.energy_coefficients(), self.h.P))
