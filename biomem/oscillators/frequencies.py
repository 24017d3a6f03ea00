"""Natural-frequency distributions of the classic Kuramoto model.

Every distribution is symmetric about ``center`` and scaled by one ``width``:

=============  ===========================================  ==============================
distribution   density g(w) (center 0)                      ``width`` means
=============  ===========================================  ==============================
lorentzian     width / (pi (w^2 + width^2))                 half-width at half-maximum
gaussian       exp(-w^2 / (2 width^2)) / (sqrt(2 pi) width)  standard deviation
uniform        1 / (2 width) on [-width, width]             half-range
=============  ===========================================  ==============================

Two ways to draw N frequencies: ``random`` (independent samples from a seeded generator)
and ``quantiles`` (deterministic, no sampling noise): ``omega_i = center + F^{-1}((i - 1/2)/N)``
for i = 1..N, with F the cumulative distribution. For the Lorentzian this is
``omega_i = width * tan(pi (i - 1/2)/N - pi/2)``; for the Gaussian ``width * sqrt(2) erfinv(2u - 1)``;
for the uniform ``width (2u - 1)``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from biomem.description import validate as check
from biomem.errors import BiomemError

DISTRIBUTIONS = ("lorentzian", "gaussian", "uniform")
SAMPLINGS = ("quantiles", "random")


def _check(distribution: str, width: float) -> float:
    check.choice("distribution", distribution, DISTRIBUTIONS)
    return check.non_negative("width", width)


def inverse_cdf(distribution: str, width: float, u) -> np.ndarray:
    """F^{-1}(u) for ``u`` in (0, 1) (center 0)."""
    width = _check(distribution, width)
    u = np.asarray(u, dtype=float)
    if distribution == "lorentzian":
        return width * np.tan(np.pi * u - np.pi / 2)
    if distribution == "gaussian":
        return width * math.sqrt(2.0) * special.erfinv(2.0 * u - 1.0)
    return width * (2.0 * u - 1.0)


def quantiles(distribution: str, n: int, width: float, center: float = 0.0) -> np.ndarray:
    """Deterministic frequencies ``center + F^{-1}((i - 1/2)/N)``, i = 1..N (sorted, symmetric)."""
    n = check.integer("N", n, low=1)
    u = (np.arange(1, n + 1) - 0.5) / n
    omega = inverse_cdf(distribution, width, u)
    # Symmetrise exactly so that the mean frequency is `center` to the last bit.
    omega = 0.5 * (omega - omega[::-1])
    return omega + check.real("center", center)


def sample(distribution: str, n: int, width: float, rng: np.random.Generator, center: float = 0.0) -> np.ndarray:
    """``n`` independent draws from the distribution with the given generator."""
    width = _check(distribution, width)
    n = check.integer("N", n, low=1)
    if not isinstance(rng, np.random.Generator):
        raise BiomemError("rng", f"not a numpy Generator: {rng!r}", "numpy.random.Generator")
    if distribution == "lorentzian":
        omega = width * rng.standard_cauchy(n)
    elif distribution == "gaussian":
        omega = width * rng.standard_normal(n)
    else:
        omega = rng.uniform(-width, width, n)
    return omega + check.real("center", center)


def frequencies(distribution: str, n: int, width: float, sampling: str = "quantiles", *,
                rng: np.random.Generator | None = None, center: float = 0.0) -> np.ndarray:
    """N natural frequencies, deterministic (``quantiles``) or drawn with ``rng`` (``random``)."""
    check.choice("sampling", sampling, SAMPLINGS)
    if sampling == "quantiles":
        return quantiles(distribution, n, width, center)
    if rng is None:
        raise BiomemError("rng", "random sampling needs a seeded generator", "numpy.random.Generator")
    return sample(distribution, n, width, rng, center)


def density(distribution: str, width: float, w) -> np.ndarray:
    """g(w) of the centred distribution (a delta at 0 is not representable: width must be > 0)."""
    width = check.positive("width", _check(distribution, width))
    w = np.asarray(w, dtype=float)
    if distribution == "lorentzian":
        return width / (np.pi * (w * w + width * width))
    if distribution == "gaussian":
        return np.exp(-0.5 * (w / width) ** 2) / (math.sqrt(2 * math.pi) * width)
    return np.where(np.abs(w) <= width, 0.5 / width, 0.0)
