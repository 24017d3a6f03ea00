"""Exact and self-consistent results for the classic Kuramoto model (N -> infinity).

* Critical coupling for a symmetric unimodal density g: ``K_c = 2 / (pi g(0))``.
  Lorentzian (half-width gamma): K_c = 2 gamma; Gaussian (std sigma): K_c = sqrt(8/pi) sigma
  ~ 1.596 sigma; uniform (half-range a): K_c = 4 a / pi.
* Lorentzian: ``r = sqrt(1 - K_c/K)`` for K > K_c (Ott-Antonsen: dr/dt = -gamma r + (K/2) r (1 - r^2),
  solved in closed form by :func:`ott_antonsen`).
* Any symmetric unimodal g: the partially locked state solves the self-consistency
  ``r = K r int_{-pi/2}^{pi/2} cos^2(t) g(K r sin t) dt`` (drifting oscillators contribute nothing
  by symmetry). Dividing by r, h(r) = K int cos^2(t) g(K r sin t) dt = 1; h(0) = K/K_c and h is
  non-increasing in r, so a root in (0, 1] exists exactly when K > K_c and is found by bisection
  (Brent). For the uniform density the transition is first order: r jumps from 0 to pi/4 at K_c.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize

from biomem.description import validate as check
from biomem.oscillators import frequencies as freq


def density_at_zero(distribution: str, width: float) -> float:
    """g(0), the frequency density at its centre, which sets K_c = 2 / (pi g(0))."""
    return float(freq.density(distribution, width, 0.0))


def critical_coupling(distribution: str, width: float) -> float:
    """K_c = 2 / (pi g(0)); 0 for width 0 (identical oscillators synchronise for any K > 0)."""
    check.choice("distribution", distribution, freq.DISTRIBUTIONS)
    if check.non_negative("width", width) == 0.0:
        return 0.0
    return 2.0 / (math.pi * density_at_zero(distribution, width))


def _h(r: float, K: float, distribution: str, width: float) -> float:
    """K int_{-pi/2}^{pi/2} cos^2 t g(K r sin t) dt."""
    if distribution == "uniform":
        # g = 1/(2a) where |K r sin t| <= a: integrate cos^2 over |t| <= asin(min(1, a/(K r))).
        edge = math.pi / 2 if K * r <= width else math.asin(width / (K * r))
        return K / (2 * width) * (edge + math.sin(edge) * math.cos(edge))

    def integrand(t):
        return math.cos(t) ** 2 * float(freq.density(distribution, width, K * r * math.sin(t)))

    value, _ = integrate.quad(integrand, -math.pi / 2, math.pi / 2, epsabs=1e-13, epsrel=1e-12, limit=200)
    return K * value


def stationary_r(distribution: str, width: float, K: float) -> float:
    """Stationary order parameter of the infinite system (0 at and below K_c)."""
    check.choice("distribution", distribution, freq.DISTRIBUTIONS)
    width = check.non_negative("width", width)
    K = check.non_negative("K", K)
    if width == 0.0:
        return 1.0 if K > 0 else 0.0
    Kc = critical_coupling(distribution, width)
    if K <= Kc:
        return 0.0
    if distribution == "lorentzian":
        return math.sqrt(1.0 - Kc / K)
    low = 1e-12
    if _h(1.0, K, distribution, width) >= 1.0:  # cannot happen for these densities; guard anyway
        return 1.0
    return optimize.brentq(lambda r: _h(r, K, distribution, width) - 1.0, low, 1.0, xtol=1e-14, rtol=1e-13)


def r_curve(distribution: str, width: float, Ks) -> np.ndarray:
    """:func:`stationary_r` for each coupling in ``Ks``."""
    return np.array([stationary_r(distribution, width, float(K)) for K in np.atleast_1d(Ks)])


def ott_antonsen(t, r0: float, K: float, width: float) -> np.ndarray:
    """r(t) of the Lorentzian Ott-Antonsen equation dr/dt = (K/2 - gamma) r - (K/2) r^3 from r(0) = r0.

    With a = K/2 - gamma and b = K/2: r^2(t) = a r0^2 e^{2at} / (a + b r0^2 (e^{2at} - 1)); a = 0 gives
    r^2 = r0^2 / (1 + 2 b r0^2 t)."""
    t = np.asarray(t, dtype=float)
    r0 = check.real("r0", r0, low=0.0, high=1.0)
    a = K / 2.0 - width
    b = K / 2.0
    if a == 0.0:
        return np.sqrt(r0 ** 2 / (1.0 + 2.0 * b * r0 ** 2 * t))
    growth = np.exp(2.0 * a * t)
    return np.sqrt(a * r0 ** 2 * growth / (a + b * r0 ** 2 * (growth - 1.0)))


def incoherent_r_scale(N: int, K: float = 0.0, Kc: float | None = None) -> float:
    """Typical finite-N r in the incoherent state: sqrt(pi/(4N)) for independent uniform phases (the mean
    of a Rayleigh variable), enhanced by 1/sqrt(1 - K/K_c) below K_c (linear response)."""
    scale = math.sqrt(math.pi / (4.0 * N))
    if Kc is not None and 0 < K < Kc:
        scale /= math.sqrt(1.0 - K / Kc)
    return scale
