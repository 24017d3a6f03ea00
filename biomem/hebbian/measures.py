"""Measurements and error bars: Mattis overlaps, replica overlap, autocorrelation, equilibration.

Error bars of a time series use the integrated autocorrelation time with Sokal's automatic
window (``W >= c tau_int(W)``, ``c = 6``): ``err = sqrt(2 tau_int var / n)``. Independent replicas
are combined as independent estimates. Equilibration is checked by comparing the first and
second halves of the kept samples (of the replica-averaged series): they agree when the
difference is below ``4`` combined standard errors (and the kept window is at least
``20 tau_int`` long).
"""

from __future__ import annotations

import math

import numpy as np


def mattis(sigma: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Overlaps ``xi^mu . sigma / N``: ``sigma`` ``(..., N)``, ``patterns`` ``(K, N)`` -> ``(..., K)``."""
    return np.asarray(sigma, dtype=float) @ np.asarray(patterns, dtype=float).T / np.shape(sigma)[-1]


def replica_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``q = sigma^a . sigma^b / N`` (over the last axis)."""
    return (np.asarray(a, dtype=float) * np.asarray(b, dtype=float)).mean(axis=-1)


def autocorrelation(x: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation function of a 1-d series (FFT, zero-padded)."""
    x = np.asarray(x, dtype=float) - np.mean(x)
    n = x.size
    if n < 2 or not np.any(x):
        return np.ones(max(n, 1))
    f = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n]
    return acf / acf[0]


def tau_int(x: np.ndarray, c: float = 6.0) -> float:
    """Integrated autocorrelation time ``1/2 + sum_t rho(t)`` with Sokal's window (>= 0.5)."""
    rho = autocorrelation(x)
    tau = 0.5
    for window in range(1, rho.size):
        tau += rho[window]
        if window >= c * tau:
            break
    return max(tau, 0.5)


def mean_error(x: np.ndarray) -> tuple[float, float, float]:
    """``(mean, error, tau_int)`` of a correlated series."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan
    if x.size == 1:
        return float(x[0]), math.nan, 0.5
    tau = tau_int(x)
    return float(x.mean()), float(math.sqrt(2.0 * tau * x.var(ddof=1) / x.size)), tau


def halves_agree(x: np.ndarray, sigmas: float = 4.0) -> tuple[bool, float]:
    """First vs second half of a series: ``(agree, z-score)``."""
    x = np.asarray(x, dtype=float)
    if x.size < 8:
        return False, math.inf
    a, b = x[: x.size // 2], x[x.size // 2:]
    ma, ea, _ = mean_error(a)
    mb, eb, _ = mean_error(b)
    scale = math.hypot(ea, eb)
    if scale == 0 or not math.isfinite(scale):
        return bool(ma == mb), 0.0 if ma == mb else math.inf
    z = abs(ma - mb) / scale
    return bool(z < sigmas), float(z)


def combine(series: np.ndarray) -> dict:
    """Mean, error, tau and the halves test over replicas: ``series`` is ``(replica, sample)``."""
    series = np.atleast_2d(np.asarray(series, dtype=float))
    stats = [mean_error(s) for s in series]
    means = np.array([s[0] for s in stats])
    errors = np.array([s[1] for s in stats])
    mean = float(means.mean())
    error = float(math.sqrt(np.nansum(errors ** 2)) / len(stats))
    if len(stats) > 1:           # replicas disagreeing beyond their error bars widen the error
        error = max(error, float(means.std(ddof=1) / math.sqrt(len(stats))))
    agree, z = halves_agree(series.mean(axis=0))
    tau = float(np.nanmax([s[2] for s in stats]))
    long_enough = series.shape[1] >= 20 * tau
    return {"mean": mean, "error": error, "tau": tau, "spread": float(np.ptp(means)),
            "halves_z": z, "equilibrated": bool(agree and long_enough)}


def summary(result, discard: float = 0.5) -> dict[str, float]:
    """Flat numbers from a Monte Carlo dataset (:func:`biomem.hebbian.simulation.simulate`).

    The first ``discard`` fraction of samples is dropped. Reports for the first Mattis overlap
    ``m`` (and ``m_hat`` when measured), ``energy`` per spin and ``q`` (mean over replica pairs):
    the mean, ``_err`` and ``_tau``; ``equilibrated`` is 1.0 when every series passes the halves test.
    """
    n = result.sizes["sweep"]
    keep = slice(int(math.floor(discard * n)), n)
    out: dict[str, float] = {}
    flags = []
    for name in ("m", "m_hat"):
        if name in result:
            stats = combine(result[name].isel(sweep=keep, **{f"{name}_index": 0}).values)
            out.update({name: stats["mean"], f"{name}_err": stats["error"], f"{name}_tau": stats["tau"]})
            flags.append(stats["equilibrated"])
    stats = combine(result["energy"].isel(sweep=keep).values)
    out.update(energy=stats["mean"], energy_err=stats["error"])
    flags.append(stats["equilibrated"])
    if "q" in result and result.sizes.get("pair", 0):
        stats = combine(result["q"].isel(sweep=keep).mean("pair").values[None, :])
        out.update(q=stats["mean"], q_err=stats["error"])
    out["equilibrated"] = float(all(flags))
    return out
