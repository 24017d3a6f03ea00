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


def thresholds(uniforms: np.ndarray, beta: float, out: np.ndarray | None = None,
               scratch: np.ndarray | None = None) -> np.ndarray:
    """Field thresholds equivalent to the heat-bath draws: ``sigma_i <- +1`` iff ``h_i > theta``.

    ``u < 1/(1 + exp(-2 beta h))`` is ``h > (log u - log(1 - u)) / (2 beta)``; the logarithms are
    taken here, vectorised (numpy's SIMD ``log``), so the compiled loop does one comparison per
    attempt and no scalar ``exp`` (which, with its sign branch, costs more than the whole field at
    small ``K'``). The two tests differ only when ``u`` lies within rounding of the flip
    probability. ``T = 0`` (``beta = inf``): ``theta = 0``, and a tie ``h = 0`` is broken by
    ``u < 1/2`` in the loop. ``out`` and ``scratch`` (same shape as ``uniforms``) avoid allocating.
    """
    theta = np.empty_like(uniforms) if out is None else out
    if math.isinf(beta):
        theta[:] = 0.0
        return theta
    with np.errstate(divide="ignore"):  # u = 0 gives -inf: +1, as u < p(h) whenever p(h) > 0
        np.log(uniforms, out=theta)
        complement = np.subtract(1.0, uniforms, out=scratch)
        theta -= np.log(complement, out=complement)
    theta *= 1.0 / (2.0 * beta)
    return theta


@njit(cache=True, inline="always")
def _decide(h, theta, u):
    """New spin: +1 above the threshold, -1 below, ``u < 1/2`` on an exact tie (in practice T = 0).

    Written as a select plus a rarely taken tie branch: a three-way branch on ``h > theta``, whose
    outcome is a coin flip near equilibrium, costs a misprediction on every other attempt."""
    new = 1 if h > theta else -1
    if h == theta:
        new = 1 if u < 0.5 else -1
    return new


@njit(cache=True, fastmath=_FAST)
def _sweeps2(sigma, V, scaled, self_term, theta, uniforms, sites, p1):
    """P = 2: ``h_i = sum_mu c_mu V[i,mu] p1[mu] - sigma_i sum_mu c_mu V[i,mu]^2``, with the rows
    ``c_mu V[i,mu]`` (``scaled``) and the self-interaction (``self_term``) computed once."""
    K = V.shape[1]
    flips = 0
    for t in range(sites.size):
        i = sites[t]
        s = sigma[i]
        h = 0.0
        for mu in range(K):
            h += scaled[i, mu] * p1[mu]
        h -= s * self_term[i]
        new = _decide(h, theta[t], uniforms[t])
        if new != s:
            sigma[i] = new
            flips += 1
            for mu in range(K):
                p1[mu] += 2.0 * new * V[i, mu]
    return flips


@njit(cache=True, fastmath=_FAST)
def _sweeps34(sigma, V, coef, P, theta, uniforms, sites, p1, p2, p3):
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
        new = _decide(h, theta[t], uniforms[t])
        if new != s:
            sigma[i] = new
            flips += 1
            for mu in range(K):
                v = V[i, mu]
                p1[mu] += 2.0 * new * v
                p3[mu] += 2.0 * new * v * v * v
    return flips


@njit(cache=True)
def _sweeps_general(sigma, V, coef, P, theta, uniforms, sites, pw):
    K = V.shape[1]
    p_rest = np.empty(P + 1)
    e = np.empty(P + 1)
    flips = 0
    for t in range(sites.size):
        i = sites[t]
        s = sigma[i]
        h = _field_general(i, s, V, coef, P, pw, p_rest, e)
        new = _decide(h, theta[t], uniforms[t])
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


# Attempts per call of a compiled loop: the thresholds of one block stay in cache, and the Python
# work per block (a few numpy calls and one dispatch, ~10 us) is spread over many attempts.
BLOCK = 16384


def sweeps(sigma, V, coef, P, beta, sites, uniforms, pw, p2_rows=None):
    """Heat-bath attempts at ``sites`` with ``uniforms`` in [0, 1); returns the number of flips.

    ``pw`` (``(P+1, K')``) is updated in place; ``P <= 4`` run specialised loops on its rows.
    ``p2_rows``: the P = 2 loop's ``(c_mu V[i,mu], sum_mu c_mu V[i,mu]^2)`` when the caller keeps
    them (:class:`Chain` does), else they are computed here. Attempts run in blocks of
    :data:`BLOCK`, each with its thresholds (:func:`thresholds`), in order.
    """
    if P == 2 and p2_rows is None:
        p2_rows = p2_field_rows(V, coef)
    buffer, scratch = np.empty((2, min(BLOCK, uniforms.size)))
    flips = 0
    for start in range(0, uniforms.size, BLOCK):
        u, at = uniforms[start:start + BLOCK], sites[start:start + BLOCK]
        theta = thresholds(u, beta, buffer[:u.size], scratch[:u.size])
        if P == 2:
            flips += _sweeps2(sigma, V, p2_rows[0], p2_rows[1], theta, u, at, pw[1])
        elif P <= 4:
            flips += _sweeps34(sigma, V, coef, P, theta, u, at, pw[1], pw[2], pw[3])
        else:
            flips += _sweeps_general(sigma, V, coef, P, theta, u, at, pw)
    return flips


def p2_field_rows(V: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(c_mu V[i,mu], sum_mu c_mu V[i,mu]^2)``: the P = 2 field is then one dot product per attempt."""
    scaled = np.ascontiguousarray(V * coef)
    return scaled, (scaled * V).sum(axis=1)


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
        self.p2_rows = p2_field_rows(hamiltonian.V, self.coef) if hamiltonian.P == 2 else None
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
        flips = sweeps(self.sigma, self.h.V, self.coef, self.h.P, beta, sites, uniforms, self.pw, self.p2_rows)
        self.refresh()
        return flips

    def energy(self) -> float:
        """``H`` of the current spins, from the tracked power sums."""
        return float(energy(self.pw, self.h.energy_coefficients(), self.h.P))
