"""Dense (P-spin) Hebbian networks learnt from examples: replica-symmetric theory.

Data model: archetypes ``xi^mu = +-1``; ``M`` examples per archetype ``eta^{mu,a} = chi xi^mu`` with
``P(chi = +-1) = (1 +- r)/2``; dataset entropy ``rho = (1 - r^2)/(M r^2)`` (so ``r = (1 + M rho)^(-1/2)``);
supervised "archetype estimate" ``xi_hat = eta_bar / r`` with ``eta_bar = (1/M) sum_a eta^a``,
``m_hat = xi_hat . sigma / N`` and the Mattis magnetisation ``m = xi . sigma / N``.

Two normalisations, both explicit (all sums over *distinct* indices, no self-interaction):

* **low load** (``K`` finite): ``H = -(N/2) (1+rho)^(-P/2) sum_mu m_hat_mu^P``. With
  ``a = (P/2) m_hat^(P-1) / (1+rho)^(P/2)`` and field ``h = a (1 + sqrt(rho) z)``:
  ``m = E tanh(beta h)``, ``m_hat = E[(1 + sqrt(rho) z) tanh(beta h)]``,
  ``f = (P-1) m_hat^P / (2 (1+rho)^(P/2)) - (1/beta) E ln 2cosh(beta h)``; paramagnet ``f = -T ln 2``.
* **high load** ("Gardner"): ``H = -N (1+rho)^(-P/2) sum_mu m_hat_mu^P``, ``K = alpha N^(P-1) / P!``.
  With ``a = P m_hat^(P-1) / (1+rho)^(P/2)`` and ``h = a (1 + sqrt(rho) z) + sqrt(alpha P q^(P-1)) g``,
  a Gaussian of mean ``a`` and variance ``s^2 = a^2 rho + alpha P q^(P-1)`` (the cross-talk does not
  depend on rho): ``m = E tanh(beta h)``, ``q = E tanh^2(beta h)``,
  ``m_hat = m + rho a beta E sech^2(beta h)`` (Stein's lemma), and
  ``f = (P-1) m_hat^P / (1+rho)^(P/2) - (beta alpha / 2)(1 - P q^(P-1) + (P-1) q^P)
  - (1/beta) E ln 2cosh(beta h)``.
  At ``T = 0`` (exact): ``m = erf(a / (sqrt 2 s))``, ``m_hat = m + rho a sqrt(2/pi) exp(-a^2/2s^2)/s``.

Unsupervised learning, ``H = -(N / (2 M R^(P/2))) sum_mu sum_a (eta^{mu,a} . sigma / N)^P`` at low
load (``R = r^2 (1 + rho)``; Gardner form without the 1/2 at high load), is in
:mod:`biomem.theory.unsupervised`. Under the equal-example-overlap ansatz the signal is the
supervised one and the cross-talk at high load is multiplied by
``gamma = (1 + (M-1) r^(2P)) / (M R^P)``: :func:`high_load` takes ``alpha * gamma``.

Conventions convert by constant factors: the 1/2 of the low-load form halves the temperature
(``T_low = T_gardner / 2`` gives the same Boltzmann weights), and ``K = alpha' N^(P-1)`` means
``alpha' = alpha / P!`` (:func:`convert_load`, :func:`convert_temperature`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from numba import njit
from scipy.optimize import brentq, minimize_scalar

from biomem.theory.integrals import _NODES, _WEIGHTS, beta_of, tanh_moments

M_TOL = 1e-4
Q_TOL = 1e-6


@dataclass(frozen=True)
class DenseState:
    """A dense-network solution: Mattis ``m``, ``m_hat``, ``q``, free energy ``f``."""

    m: float
    m_hat: float
    q: float
    f: float
    converged: bool
    iterations: int

    def as_dict(self) -> dict:
        """The fields by name: ``m, m_hat, q, f, converged, iterations``."""
        return asdict(self)


def quality(rho: float, M: int) -> float:
    """Example quality ``r`` giving dataset entropy ``rho`` with ``M`` examples."""
    return 1.0 / math.sqrt(1.0 + M * rho)


def entropy(r: float, M: int) -> float:
    """Dataset entropy ``rho = (1 - r^2) / (M r^2)``."""
    return (1.0 - r * r) / (M * r * r)


def unsupervised_gamma(P: int, rho: float, M: int) -> float:
    """Cross-talk factor of unsupervised high-load learning (equal-overlap ansatz)."""
    r = quality(rho, M)
    R = r * r * (1.0 + rho)
    return (1.0 + (M - 1) * r ** (2 * P)) / (M * R ** P)


def convert_load(alpha: float, P: int, source: str = "gardner", target: str = "krotov") -> float:
    """Load in ``K = alpha N^(P-1) / P!`` ("gardner") or ``K = alpha N^(P-1)`` ("krotov")."""
    factor = {"gardner": 1.0 / math.factorial(P), "krotov": 1.0}
    return alpha * factor[source] / factor[target]


def convert_temperature(T: float, source: str = "gardner", target: str = "half") -> float:
    """Temperature under ``H`` ("gardner") or ``H/2`` ("half", the low-load form): same weights."""
    factor = {"gardner": 1.0, "half": 0.5}
    return T * factor[target] / factor[source]


@njit(cache=True)
def _iterate(P, rho, alpha, beta, low_load, m_hat, q, nodes, weights, max_iter, tol):
    """Plain iteration of the dense RS map; returns (m, m_hat, q, lncosh, ok, iterations)."""
    norm = (1.0 + rho) ** (0.5 * P)
    prefactor = 0.5 * P if low_load else 1.0 * P
    previous = 1.0
    m = 0.0
    lnc = 0.0
    for it in range(1, max_iter + 1):
        a = prefactor * max(m_hat, 0.0) ** (P - 1) / norm
        s = a * math.sqrt(rho) if low_load else math.sqrt(a * a * rho + alpha * P * q ** (P - 1))
        t, u, bu, lnc = tanh_moments(a, s, beta, nodes, weights)
        if math.isinf(bu):
            bu = 0.0
        m_new = t
        m_hat_new = t + rho * a * bu
        q_new = 1.0 if math.isinf(beta) else 1.0 - u
        step = abs(m_hat_new - m_hat) + abs(q_new - q)
        m, m_hat, q = m_new, m_hat_new, q_new
        rate = min(step / previous, 0.999999) if previous > 0 else 0.0
        previous = step
        if step * (1.0 + rate / (1.0 - rate)) < tol or step < 1e-13:
            return m, m_hat, q, lnc, True, it
    return m, m_hat, q, lnc, False, max_iter


def _check(P, rho, T, alpha):
    from biomem.description.validate import integer, non_negative
    integer("P", P, low=2)
    non_negative("rho", rho)
    non_negative("T", T)
    non_negative("alpha", alpha)


def low_load(P: int, rho: float, T: float, m_hat0: float = 1.0, *, max_iter: int = 1_000_000,
             tol: float = 1e-12) -> DenseState:
    """Supervised (or equal-overlap unsupervised) low-load state iterated from ``m_hat0``."""
    _check(P, rho, T, 0.0)
    beta = beta_of(T)
    m, m_hat, q, lnc, ok, it = _iterate(int(P), float(rho), 0.0, beta, True, float(m_hat0), 1.0,
                                        _NODES, _WEIGHTS, max_iter, tol)
    if abs(m_hat) < 1e-9:
        m, m_hat, q = 0.0, 0.0, 0.0
        f = -T * math.log(2.0)
    else:
        f = (P - 1) * m_hat ** P / (2.0 * (1.0 + rho) ** (0.5 * P)) - lnc
    return DenseState(m, m_hat, q, f, bool(ok), int(it))


def _high_load_f(P, rho, alpha, T, m_hat, q, lnc):
    f = (P - 1) * max(m_hat, 0.0) ** P / (1.0 + rho) ** (0.5 * P) - lnc
    if T > 0:
        f -= 0.5 * alpha / T * (1.0 - q ** (P - 1) * (1.0 + (P - 1) * (1.0 - q)))
    return f


def high_load(P: int, rho: float, T: float, alpha: float, m_hat0: float = 1.0, q0: float = 1.0, *,
              max_iter: int = 1_000_000, tol: float = 1e-12) -> DenseState:
    """High-load (Gardner normalisation) state iterated from ``(m_hat0, q0)``."""
    _check(P, rho, T, alpha)
    beta = beta_of(T)
    m, m_hat, q, lnc, ok, it = _iterate(int(P), float(rho), float(alpha), beta, False, float(m_hat0),
                                        float(q0), _NODES, _WEIGHTS, max_iter, tol)
    if abs(m_hat) < 1e-9:
        m, m_hat = 0.0, 0.0
    if q < 1e-9:
        q = 0.0
    return DenseState(m, m_hat, q, _high_load_f(P, rho, alpha, T, m_hat, q, lnc), bool(ok), int(it))


def paramagnet_f(T: float, alpha: float = 0.0) -> float:
    """``-T ln 2`` (low load); ``-T ln 2 - alpha / (2 T)`` (high load, annealed)."""
    if T == 0:
        return 0.0 if alpha == 0 else -math.inf
    return -T * math.log(2.0) - 0.5 * alpha / T


def phase(P: int, rho: float, T: float, alpha: float = 0.0) -> dict:
    """Retrieval state from ``m_hat = 1`` (``q = 1``) with its phase (see :mod:`biomem.theory.ags`).

    At high load the competing state is the spin glass iterated from ``m_hat = 0, q = 1`` or the
    paramagnet while its entropy ``ln 2 - alpha / (2 T^2)`` is non-negative.
    """
    if alpha == 0:
        state = low_load(P, rho, T)
        other_f = paramagnet_f(T)
        glass = False
    else:
        state = high_load(P, rho, T, alpha)
        other = high_load(P, rho, T, alpha, 0.0, 1.0)
        candidates = [other.f] if other.q > Q_TOL else []
        if T > 0 and math.log(2.0) - 0.5 * alpha / T ** 2 >= 0:
            candidates.append(paramagnet_f(T, alpha))
        other_f = min(candidates) if candidates else other.f
        glass = other.q > Q_TOL and other.f <= other_f
    out = state.as_dict()
    out["f_other"] = other_f
    if abs(state.m_hat) > M_TOL:
        out["phase"] = "retrieval-global" if state.f < other_f else "retrieval-metastable"
    else:
        out["phase"] = "spin-glass" if glass or state.q > Q_TOL else "paramagnetic"
    return out


def zero_temperature_majority(rho: float) -> float:
    """Low-load ``T = 0`` magnetisation ``erf(1 / sqrt(2 rho))`` (majority vote of the examples)."""
    return 1.0 if rho == 0 else math.erf(1.0 / math.sqrt(2.0 * rho))


def _map_low_load(P: int, rho: float, T: float, m_hat: float) -> float:
    """One application of the low-load map ``m_hat -> E[(1 + sqrt(rho) z) tanh(beta h)]``."""
    a = 0.5 * P * m_hat ** (P - 1) / (1.0 + rho) ** (0.5 * P)
    t, _, bu, _ = tanh_moments(a, a * math.sqrt(rho), beta_of(T), _NODES, _WEIGHTS)
    return t + rho * a * (0.0 if math.isinf(bu) else bu)


def spinodal_temperature(P: int, rho: float, xtol: float = 1e-10) -> float:
    """Low load: highest T at which the retrieval state exists.

    For each ``m_hat`` the temperature ``T*(m_hat)`` solving ``map(m_hat; T) = m_hat`` is found by
    root bracketing; the spinodal (saddle-node) is its maximum over ``m_hat``.
    """
    _check(P, rho, 0.0, 0.0)
    top = math.sqrt(2.0 / math.pi) * math.sqrt(rho) * math.exp(-0.5 / rho) + math.erf(
        1.0 / math.sqrt(2.0 * rho)) if rho > 0 else 1.0          # E|1 + sqrt(rho) z|

    def t_star(m_hat):
        gap = lambda T: _map_low_load(P, rho, T, m_hat) - m_hat  # noqa: E731
        high = 1.0
        while gap(high) > 0:
            high *= 2.0
        return brentq(gap, 1e-9, high, xtol=xtol)

    if P == 2:            # continuous transition at T = 1 for every rho
        return 1.0
    best = minimize_scalar(lambda x: -t_star(x), bounds=(1e-6, top * (1 - 1e-9)), method="bounded",
                           options={"xatol": 1e-9})
    return t_star(best.x)


def thermodynamic_temperature(P: int, rho: float, xtol: float = 1e-9) -> float:
    """Low load: T where the retrieval free energy equals the paramagnet's ``-T ln 2``."""
    top = spinodal_temperature(P, rho)
    gap = lambda T: low_load(P, rho, T).f + T * math.log(2.0) if T < top else 1.0  # noqa: E731
    if P == 2 or gap(top * (1 - 1e-6)) < 0:
        return top                       # continuous transition: no latent heat
    return brentq(gap, 0.0, top * (1 - 1e-6), xtol=xtol)


def _alpha_of_u(u: float, P: int, rho: float) -> float:
    """T = 0 high load: the load at which ``a / s = u`` on the retrieval branch."""
    m_hat = math.erf(u / math.sqrt(2.0)) + rho * u * math.sqrt(2.0 / math.pi) * math.exp(-0.5 * u * u)
    a = P * m_hat ** (P - 1) / (1.0 + rho) ** (0.5 * P)
    return a * a * (1.0 / (u * u) - rho) / P


def alpha_c(P: int, rho: float) -> float:
    """T = 0 critical load (Gardner convention) of supervised retrieval: P = 3, rho = 0 gives 0.757."""
    top = 1.0 / math.sqrt(rho) if rho > 0 else 20.0
    best = minimize_scalar(lambda u: -_alpha_of_u(u, P, rho), bounds=(1e-3, top * (1 - 1e-9)),
                           method="bounded", options={"xatol": 1e-12})
    return _alpha_of_u(best.x, P, rho)


def alpha_c_iterated(P: int, rho: float, xtol: float = 1e-6) -> float:
    """The same critical load found by bisection on the existence of the iterated retrieval state."""
    low, high = 0.0, 2.0 * alpha_c(P, rho) + 0.1
    while high - low > xtol:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if high_load(P, rho, 0.0, mid).m_hat > M_TOL else (low, mid)
    return low
