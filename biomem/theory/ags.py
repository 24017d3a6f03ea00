"""Hopfield network, replica-symmetric theory of Amit, Gutfreund and Sompolinsky (AGS 1987).

Convention: ``H = -(1/2N) sum_{i != j} sum_mu xi_i^mu xi_j^mu s_i s_j``, ``K = alpha N`` patterns
``xi = +-1``, ``beta = 1/T``. With ``h = m + sqrt(alpha r) z`` (``z`` standard normal):

* ``m = E tanh(beta h)``, ``q = E tanh^2(beta h)``, ``r = q / (1 - C)^2`` with ``C = beta (1 - q)``;
* ``f = alpha/2 + m^2/2 + alpha r C / 2 + (alpha / 2 beta) [ln(1 - C) - beta q / (1 - C)]
  - (1/beta) E ln 2cosh(beta h)``;
* ``T = 0`` exactly (not a small T): with ``y = m / sqrt(2 alpha r)``: ``m = erf y``,
  ``sqrt(alpha) = erf(y)/(y sqrt 2) - sqrt(2/pi) exp(-y^2)``, ``C = sqrt(2/(pi alpha r)) exp(-y^2)``,
  ``f = alpha/2 + m^2/2 + alpha r C / 2 - alpha / (2 (1 - C)) - E|h|``.

Solutions are followed by plain fixed-point iteration from a stated start (``m = 1, q = 1`` for
retrieval, ``m = 0, q = 1`` for the spin glass), compiled with Numba. Lines of the T-alpha
diagram: ``T_g = 1 + sqrt(alpha)``, ``T_M(alpha)`` (retrieval states disappear) and ``T_c(alpha)``
(retrieval free energy equals the spin glass's); ``alpha_c(T=0) = 0.1379``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numba import njit
from scipy.optimize import brentq, minimize_scalar

from biomem.theory.integrals import _NODES, _WEIGHTS, beta_of, moments, tanh_moments

M_TOL = 1e-4          # below this |m| a state counts as non-retrieval
Q_TOL = 1e-6


@dataclass(frozen=True)
class AGSState:
    """A solution of the AGS equations: ``m``, ``q``, ``r``, free energy ``f``, ``C = beta (1 - q)``."""

    m: float
    q: float
    r: float
    f: float
    C: float              # beta (1 - q); at T = 0 its finite limit
    converged: bool
    iterations: int

    def as_dict(self) -> dict:
        """The fields by name: ``m, q, r, f, C, converged, iterations``."""
        return asdict(self)


@njit(cache=True)
def _iterate(alpha, beta, m, q, nodes, weights, max_iter, tol):
    """Plain iteration of the AGS map from (m, q); returns m, q, r, C, converged, iterations."""
    # r = q / (1 - C)^2 is iterated as sqrt(r) <- sqrt(q) + C sqrt(r): the same fixed point, but
    # stable in the spin-glass phase, where r <- q / (1 - C)^2 oscillates and diverges.
    r = q if alpha > 0 else 0.0
    previous = 1.0
    C = 0.0
    for it in range(1, max_iter + 1):
        t, u, bu, _ = tanh_moments(m, math.sqrt(alpha * r), beta, nodes, weights)
        q_new = 1.0 - u
        C = bu
        r_new = (math.sqrt(q_new) + C * math.sqrt(r)) ** 2 if alpha > 0 else 0.0
        step = abs(t - m) + abs(q_new - q) + abs(r_new - r) / (1.0 + r)
        m, q, r = t, q_new, r_new
        # the error of a linearly converging sequence is about step * rate / (1 - rate)
        rate = min(step / previous, 0.999999) if previous > 0 else 0.0
        previous = step
        if step * (1.0 + rate / (1.0 - rate)) < tol or step < 1e-13:
            return m, q, r, C, True, it
    return m, q, r, C, False, max_iter


def free_energy(alpha: float, T: float, m: float, q: float, r: float, C: float) -> float:
    """AGS replica-symmetric free energy per spin (``T = 0``: its limit, with ``C = lim beta(1-q)``)."""
    beta = beta_of(T)
    if alpha > 0 and not C < 1.0:
        return math.nan
    s = math.sqrt(alpha * r) if alpha > 0 else 0.0
    lncosh = moments(m, s, beta)[3]          # (1/beta) E ln 2cosh(beta h), E|h| at T = 0
    f = 0.5 * m * m - lncosh
    if alpha > 0:
        if math.isinf(beta):
            f += 0.5 * alpha + 0.5 * alpha * r * C - 0.5 * alpha / (1.0 - C)
        else:
            f += 0.5 * alpha + 0.5 * alpha * r * C + 0.5 * alpha / beta * (math.log(1.0 - C) - beta * q / (1.0 - C))
    return f


def _g(y: float) -> float:
    """``sqrt(alpha)`` as a function of ``y = m / sqrt(2 alpha r)`` on the T = 0 retrieval branch."""
    return math.erf(y) / (y * math.sqrt(2.0)) - math.sqrt(2.0 / math.pi) * math.exp(-y * y)


_Y_STAR = minimize_scalar(lambda y: -_g(y), bounds=(0.5, 3.0), method="bounded",
                          options={"xatol": 1e-13}).x


def alpha_c() -> tuple[float, float]:
    """``(alpha_c, m at alpha_c)`` at ``T = 0``: the maximum of ``g(y)^2`` (0.1379, 0.967)."""
    return _g(_Y_STAR) ** 2, math.erf(_Y_STAR)


def _zero_temperature_retrieval(alpha: float) -> AGSState | None:
    if alpha == 0:
        return AGSState(1.0, 1.0, 1.0, -0.5, 0.0, True, 0)
    if alpha > alpha_c()[0]:
        return None
    target = math.sqrt(alpha)
    y = brentq(lambda y: _g(y) - target, _Y_STAR, 50.0, xtol=1e-15) if _g(_Y_STAR) > target else _Y_STAR
    m = math.erf(y)
    r = m * m / (2.0 * alpha * y * y)
    C = math.sqrt(2.0 / (math.pi * alpha * r)) * math.exp(-y * y)
    return AGSState(m, 1.0, r, free_energy(alpha, 0.0, m, 1.0, r, C), C, True, 0)


def _zero_temperature_glass(alpha: float) -> AGSState:
    if alpha == 0:
        return AGSState(0.0, 0.0, 0.0, 0.0, math.inf, True, 0)
    root_r = 1.0 + math.sqrt(2.0 / (math.pi * alpha))
    r = root_r ** 2
    C = math.sqrt(2.0 / (math.pi * alpha * r))
    return AGSState(0.0, 1.0, r, free_energy(alpha, 0.0, 0.0, 1.0, r, C), C, True, 0)


def solve(alpha: float, T: float, m0: float = 1.0, q0: float = 1.0, *,
          max_iter: int = 200_000, tol: float = 1e-11) -> AGSState:
    """The fixed point reached by iterating the RS equations from ``(m0, q0)``.

    At ``T = 0`` the equations are solved in closed form: ``m0 > 0`` selects the retrieval branch
    (``m = 0`` when ``alpha > alpha_c``), ``m0 = 0`` the spin glass.
    """
    if T == 0:
        if m0 > 0:
            state = _zero_temperature_retrieval(alpha)
            if state is not None:
                return state
        return _zero_temperature_glass(alpha)
    beta = 1.0 / T
    if beta * (1.0 - q0) >= 1.0:
        q0 = 1.0
    m, q, r, C, ok, it = _iterate(float(alpha), beta, float(m0), float(q0), _NODES, _WEIGHTS, max_iter, tol)
    if abs(m) < 1e-9:
        m = 0.0
    q = min(max(q, 0.0), 1.0)
    if alpha == 0:         # r has no feedback at alpha = 0; report its defining value
        r = q / (1.0 - C) ** 2 if C < 1.0 else math.nan
    return AGSState(m, q, r, free_energy(alpha, T, m, q, r, C), C, bool(ok), int(it))


def spin_glass(alpha: float, T: float) -> AGSState:
    """The non-retrieval state (spin glass, or the paramagnet above ``T_g``): iterated from m = 0, q = 1."""
    return solve(alpha, T, 0.0, 1.0)


def T_g(alpha: float) -> float:
    """Spin-glass transition temperature ``1 + sqrt(alpha)``."""
    return 1.0 + math.sqrt(alpha)


def phase(alpha: float, T: float) -> dict:
    """Retrieval state from ``m = 1`` and its phase label.

    ``retrieval-global``: retrieval exists and has a lower free energy than the spin glass /
    paramagnet; ``retrieval-metastable``: it exists but does not; ``spin-glass``: no retrieval,
    ``q > 0``; ``paramagnetic``: ``q = 0``.
    """
    state = solve(alpha, T)
    out = state.as_dict()
    if abs(state.m) > M_TOL:
        other = spin_glass(alpha, T)
        out["f_other"] = other.f
        out["phase"] = "retrieval-global" if state.f < other.f else "retrieval-metastable"
    else:
        out["f_other"] = state.f
        out["phase"] = "spin-glass" if state.q > Q_TOL else "paramagnetic"
    out["T_g"] = T_g(alpha)
    return out


def retrieval_exists(alpha: float, T: float) -> bool:
    """Whether iterating from ``m = 1`` ends in a state with ``|m| > M_TOL``."""
    return abs(solve(alpha, T).m) > M_TOL


def T_M(alpha: float, xtol: float = 1e-5) -> float:
    """Highest temperature at which the retrieval state exists (0 above ``alpha_c``)."""
    if alpha == 0:
        return 1.0
    if not retrieval_exists(alpha, 0.0):
        return 0.0
    low, high = 0.0, 1.0
    while high - low > xtol:
        mid = 0.5 * (low + high)
        low, high = (mid, high) if retrieval_exists(alpha, mid) else (low, mid)
    return low


def T_c(alpha: float, xtol: float = 1e-6) -> float:
    """Temperature where retrieval and spin-glass free energies cross (0 when never global)."""
    if alpha == 0:
        return 1.0

    def gap(T):
        state = solve(alpha, T)
        if abs(state.m) <= M_TOL:
            return 1.0
        return state.f - spin_glass(alpha, T).f

    if gap(0.0) >= 0:
        return 0.0
    top = T_M(alpha, 1e-4)
    while gap(top) < 0 and top > 0:      # just under T_M the retrieval state may still be global
        return top
    return brentq(gap, 0.0, top, xtol=xtol)


def lines(alphas) -> dict[str, np.ndarray]:
    """``T_g``, ``T_M`` and ``T_c`` on an array of loads."""
    alphas = np.asarray(alphas, dtype=float)
    return {"alpha": alphas, "T_g": np.array([T_g(a) for a in alphas]),
            "T_M": np.array([T_M(a) for a in alphas]), "T_c": np.array([T_c(a) for a in alphas])}


def alpha_global_zero_temperature() -> float:
    """Load below which retrieval is the global minimum at ``T = 0`` (about 0.051)."""
    return brentq(lambda a: _zero_temperature_retrieval(a).f - _zero_temperature_glass(a).f, 0.01, 0.13,
                  xtol=1e-12)


__all__ = ["AGSState", "solve", "spin_glass", "phase", "free_energy", "alpha_c", "T_g", "T_M", "T_c",
           "lines", "alpha_global_zero_temperature"]
