"""Hebbian Hamiltonians written through overlaps, never through the ``N^P`` coupling tensor.

Every model here is an :class:`OverlapHamiltonian`: vectors ``V[:, mu]`` (``N x K'``), weights
``w_mu`` and an order ``P``, with *distinct indices* (no self-interaction)::

    H(sigma) = -N sum_mu w_mu N^(-P) sum_{i_1..i_P all different} prod_k V[i_k, mu] sigma_{i_k}
             = -N sum_mu w_mu N^(-P) P! e_P(a_mu),          a_mu,i = V[i, mu] sigma_i,

where ``e_P`` is the elementary symmetric polynomial; to leading order this is
``-N sum_mu w_mu x_mu^P`` with the overlap ``x_mu = V[:, mu] . sigma / N``. ``e_P`` follows from the
power sums ``p_j = sum_i a_i^j`` by Newton's identities, and ``H`` is multilinear in each spin, so
the local field ``h_i = -dH/d sigma_i = N^(1-P) P! sum_mu w_mu V[i, mu] e_(P-1)(a_mu without i)``
is exact and costs ``O(K' P^2)`` from the tracked power sums (odd ``j`` change with the spins, even
``j`` are constants since ``sigma^2 = 1``). ``P = 2`` is the Hopfield model with ``J_ii = 0``.

Normalisations (stated once, used by the Monte Carlo and matched to :mod:`biomem.theory`):

* Hopfield / multitasking: ``V = xi^T``, ``w = 1/2``, ``P = 2``: ``H = -(1/2N) sum_{i!=j} J...``.
* dense supervised: ``V = xi_hat = eta_bar / r``; low load ``w = (1/2) (1+rho)^(-P/2)``;
  high load (Gardner, ``K = alpha N^(P-1)/P!``) ``w = (1+rho)^(-P/2)``.
* dense unsupervised: ``V`` = all ``K M`` examples; low load ``w = 1 / (2 M R^(P/2))``,
  high load ``w = 1 / (M R^(P/2))``, ``R = r^2 (1 + rho)``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from biomem.description.validate import choice, integer, real
from biomem.errors import BiomemError


@dataclass(frozen=True)
class OverlapHamiltonian:
    """``H = -N sum_mu w_mu N^(-P) sum_{distinct i_1..i_P} prod_k V[i_k, mu] sigma_{i_k}`` (module docstring).

    ``V`` is ``(N, K')`` (row ``i``: what a flip of spin ``i`` touches), ``w`` ``(K',)``, ``P >= 2``;
    ``info`` carries model data such as ``xi_hat``, ``r``, ``rho``.
    """

    V: np.ndarray           # (N, K') float64, C order: row i is what one flip of spin i touches
    w: np.ndarray           # (K',)
    P: int
    label: str = ""
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        integer("P", self.P, low=2)
        if self.V.ndim != 2 or self.w.shape != (self.V.shape[1],):
            raise BiomemError("V", f"shape {self.V.shape} does not match w {self.w.shape}", "(N, K') and (K',)")
        object.__setattr__(self, "V", np.ascontiguousarray(self.V, dtype=np.float64))
        object.__setattr__(self, "w", np.ascontiguousarray(self.w, dtype=np.float64))

    @property
    def N(self) -> int:
        """Number of spins (rows of ``V``)."""
        return self.V.shape[0]

    @property
    def K(self) -> int:
        """Number of vectors ``K'`` (columns of ``V``): the patterns, or all ``K M`` examples of the
        unsupervised model."""
        return self.V.shape[1]

    def field_coefficients(self) -> np.ndarray:
        """``N^(1-P) P! w_mu``: the local field is ``sum_mu coef_mu V[i, mu] e_(P-1)``."""
        return self.w * math.factorial(self.P) * float(self.N) ** (1 - self.P)

    def energy_coefficients(self) -> np.ndarray:
        """``N^(1-P) P! w_mu``: ``H = -sum_mu coef_mu e_P``."""
        return self.field_coefficients()

    def power_sums(self, sigma: np.ndarray) -> np.ndarray:
        """``p[mu, j] = sum_i (V[i, mu] sigma_i)^j`` for ``j = 0..P`` (``(K', P+1)``)."""
        a = self.V * np.asarray(sigma, dtype=np.float64)[:, None]
        return np.stack([(a ** j).sum(axis=0) for j in range(self.P + 1)], axis=1)

    def energy(self, sigma: np.ndarray) -> float:
        """Exact ``H(sigma)`` of the spins ``sigma`` (N values of +-1): ``-sum_mu coef_mu e_P(a_mu)``
        with ``coef`` from :meth:`energy_coefficients`."""
        e = elementary(self.power_sums(sigma), self.P)
        return float(-(self.energy_coefficients() * e[:, self.P]).sum())

    def fields(self, sigma: np.ndarray) -> np.ndarray:
        """Exact local fields of all spins (``O(N K' P^2)``, vectorised; for checks and references)."""
        sigma = np.asarray(sigma, dtype=np.float64)
        p = self.power_sums(sigma)                                    # (K', P+1)
        a = self.V * sigma[:, None]                                   # (N, K')
        rest = p[None, :, :] - a[:, :, None] ** np.arange(self.P + 1)[None, None, :]
        e = elementary(rest, self.P - 1)[..., self.P - 1]             # (N, K')
        return (self.V * e) @ self.field_coefficients()


def elementary(p: np.ndarray, order: int) -> np.ndarray:
    """Elementary symmetric polynomials ``e_0..e_order`` from power sums ``p[..., j]`` (Newton)."""
    e = np.zeros(p.shape[:-1] + (order + 1,))
    e[..., 0] = 1.0
    for k in range(1, order + 1):
        total = np.zeros(p.shape[:-1])
        for j in range(1, k + 1):
            total += (-1) ** (j - 1) * e[..., k - j] * p[..., j]
        e[..., k] = total / k
    return e


def brute_force_energy(h: OverlapHamiltonian, sigma: np.ndarray) -> float:
    """Energy summed over all ordered tuples of distinct indices (tiny N only; for tests)."""
    if h.N > 12:
        raise BiomemError("N", f"brute force is for tiny networks, got {h.N}", "N <= 12")
    a = h.V * np.asarray(sigma, dtype=float)[:, None]
    total = 0.0
    for mu in range(h.K):
        s = sum(np.prod(a[list(t), mu]) for t in itertools.permutations(range(h.N), h.P))
        total += h.w[mu] * s
    return float(-h.N * total / h.N ** h.P)


def hopfield(xi: np.ndarray) -> OverlapHamiltonian:
    """``H = -(1/2N) sum_{i!=j} sum_mu xi_i^mu xi_j^mu s_i s_j`` (also multitasking, diluted xi)."""
    xi = np.asarray(xi)
    return OverlapHamiltonian(xi.T.astype(float), np.full(xi.shape[0], 0.5), 2, "hopfield")


def dataset_stats(examples: np.ndarray, r: float | None = None) -> dict:
    """Quality ``r`` (given, or estimated from ``E eta_bar^2 = r^2 + (1 - r^2)/M``), ``rho``, ``R``."""
    K, M, N = examples.shape
    if r is None:
        R_hat = float((examples.mean(axis=1) ** 2).mean())
        r = math.sqrt(max((R_hat - 1.0 / M) / (1.0 - 1.0 / M), 1e-12)) if M > 1 else 1.0
    real("r", r, low=0.0, high=1.0, low_open=True)
    rho = (1.0 - r * r) / (M * r * r)
    return {"r": r, "rho": rho, "R": r * r * (1.0 + rho), "M": M}


def dense(examples: np.ndarray, P: int, r: float | None = None, *, supervised: bool = True,
          load: str = "low", center: bool = False) -> OverlapHamiltonian:
    """Dense network learnt from ``examples`` ``(K, M, N)`` (see the module docstring).

    ``info`` holds ``xi_hat`` (``(N, K)``, for measuring ``m_hat``), ``r``, ``rho``, ``R``, ``M``.
    ``center`` (supervised only; for correlated real data such as digits) subtracts the mean of
    the ``xi_hat`` over archetypes from each of them before they enter ``H``: the common mode
    shared by all classes otherwise dominates every overlap (random archetypes have none).
    """
    integer("P", P, low=2)
    choice("load", load, ("low", "high"))
    stats = dataset_stats(examples, r)
    K, M, N = examples.shape
    half = 0.5 if load == "low" else 1.0
    xi_hat = (examples.mean(axis=1) / stats["r"]).T                          # (N, K)
    if supervised:
        w = np.full(K, half * (1.0 + stats["rho"]) ** (-0.5 * P))
        V = xi_hat - xi_hat.mean(axis=1, keepdims=True) if center else xi_hat
    else:
        w = np.full(K * M, half / (M * stats["R"] ** (0.5 * P)))
        V = examples.reshape(K * M, N).T.astype(float)
    if center and not supervised:
        raise BiomemError("center", "centring is defined for supervised learning", "center=False when unsupervised")
    label = f"dense-{'supervised' if supervised else 'unsupervised'}-P{P}-{load}" + ("-centred" if center else "")
    return OverlapHamiltonian(V, w, P, label, dict(stats, xi_hat=np.ascontiguousarray(xi_hat)))
