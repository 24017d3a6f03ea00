"""Classic Kuramoto model on Numba (float64, single thread, fixed summation order).

The right-hand side is ``f_i = omega_i + K (cos theta_i S_i - sin theta_i C_i)`` (see
:mod:`.description`); sin and cos of every phase are evaluated once per stage. For all-to-all
coupling S_i = (1/N) sum_j sin theta_j and C_i likewise for cos: two sums per stage, O(N) per step,
so N = 1e5 and beyond is cheap. Sparse coupling uses CSR rows (O(nnz)), explicit coupling a dense
matrix (O(N^2)). Kernels are serial on purpose: results never depend on a thread count, and
OpenMP threads were many times slower on a loaded 2-core machine.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from biomem.oscillators.description import KuramotoModel, KuramotoResult, realize

EULER, RK4 = 0, 1
MEAN_FIELD, CSR, DENSE = 0, 1, 2


@njit(cache=True)
def _trig(theta, sin_t, cos_t):
    for i in range(theta.size):
        sin_t[i] = np.sin(theta[i])
        cos_t[i] = np.cos(theta[i])


@njit(cache=True)
def _csr_sums(sin_t, cos_t, indptr, indices, weights, s, c):
    for i in range(sin_t.size):
        acc_s = 0.0
        acc_c = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            acc_s += weights[k] * sin_t[j]
            acc_c += weights[k] * cos_t[j]
        s[i] = acc_s
        c[i] = acc_c


@njit(cache=True)
def _dense_sums(sin_t, cos_t, matrix, s, c):
    n = sin_t.size
    for i in range(n):
        acc_s = 0.0
        acc_c = 0.0
        for j in range(n):
            acc_s += matrix[i, j] * sin_t[j]
            acc_c += matrix[i, j] * cos_t[j]
        s[i] = acc_s
        c[i] = acc_c


@njit(cache=True)
def _rhs(theta, omega, K, kind, indptr, indices, weights, matrix, sin_t, cos_t, s, c, out):
    """out = omega + K (cos theta S - sin theta C); sin/cos of each phase are evaluated once."""
    n = theta.size
    _trig(theta, sin_t, cos_t)
    if kind == MEAN_FIELD:
        total_s = 0.0
        total_c = 0.0
        for j in range(n):
            total_s += sin_t[j]
            total_c += cos_t[j]
        total_s /= n
        total_c /= n
        for i in range(n):
            out[i] = omega[i] + K * (cos_t[i] * total_s - sin_t[i] * total_c)
        return
    if kind == CSR:
        _csr_sums(sin_t, cos_t, indptr, indices, weights, s, c)
    else:
        _dense_sums(sin_t, cos_t, matrix, s, c)
    for i in range(n):
        out[i] = omega[i] + K * (cos_t[i] * s[i] - sin_t[i] * c[i])


@njit(cache=True)
def _order(theta):
    n = theta.size
    x = 0.0
    y = 0.0
    for j in range(n):
        x += np.cos(theta[j])
        y += np.sin(theta[j])
    x /= n
    y /= n
    return np.sqrt(x * x + y * y), np.arctan2(y, x)


@njit(cache=True)
def integrate(theta0, omega, K, dt, n_steps, integrator, record_every, record_phases,
              kind, indptr, indices, weights, matrix):
    """Integrate ``n_steps``; returns (r, psi, final theta, phases) at every ``record_every`` step."""
    n = theta0.size
    n_rec = n_steps // record_every + 1
    r = np.empty(n_rec)
    psi = np.empty(n_rec)
    phases = np.empty((n_rec if record_phases else 0, n))
    theta = theta0.copy()
    s = np.empty(n)
    c = np.empty(n)
    sin_t = np.empty(n)
    cos_t = np.empty(n)
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    stage = np.empty(n)
    r[0], psi[0] = _order(theta)
    if record_phases:
        phases[0] = theta
    for step in range(1, n_steps + 1):
        _rhs(theta, omega, K, kind, indptr, indices, weights, matrix, sin_t, cos_t, s, c, k1)
        if integrator == EULER:
            for i in range(n):
                theta[i] += dt * k1[i]
        else:
            for i in range(n):
                stage[i] = theta[i] + 0.5 * dt * k1[i]
            _rhs(stage, omega, K, kind, indptr, indices, weights, matrix, sin_t, cos_t, s, c, k2)
            for i in range(n):
                stage[i] = theta[i] + 0.5 * dt * k2[i]
            _rhs(stage, omega, K, kind, indptr, indices, weights, matrix, sin_t, cos_t, s, c, k3)
            for i in range(n):
                stage[i] = theta[i] + dt * k3[i]
            _rhs(stage, omega, K, kind, indptr, indices, weights, matrix, sin_t, cos_t, s, c, k4)
            for i in range(n):
                theta[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        if step % record_every == 0:
            k = step // record_every
            r[k], psi[k] = _order(theta)
            if record_phases:
                phases[k] = theta
    return r, psi, theta, phases


def _arrays(realization):
    empty_i = np.zeros(1, np.int64)
    empty_f = np.zeros(1)
    if realization.kind == "mean_field":
        return MEAN_FIELD, empty_i, empty_i, empty_f, np.zeros((1, 1))
    if realization.kind == "csr":
        return (CSR, realization.indptr.astype(np.int64), realization.indices.astype(np.int64),
                realization.weights.astype(np.float64), np.zeros((1, 1)))
    return DENSE, empty_i, empty_i, empty_f, np.ascontiguousarray(realization.matrix, dtype=np.float64)


def simulate(model: KuramotoModel, seed: int = 0, *, record_phases: bool = False,
             realization=None) -> KuramotoResult:
    """Run ``model`` with everything random drawn from ``seed`` (or the given ``realization``)."""
    real = realization if realization is not None else realize(model, seed)
    kind, indptr, indices, weights, matrix = _arrays(real)
    start = time.perf_counter()
    r, psi, theta, phases = integrate(
        np.ascontiguousarray(real.theta0, dtype=np.float64), np.ascontiguousarray(real.omega, dtype=np.float64),
        float(model.K), float(model.dt), model.n_steps, RK4 if model.integrator == "rk4" else EULER,
        model.record_every, bool(record_phases), kind, indptr, indices, weights, matrix)
    wall = time.perf_counter() - start
    return KuramotoResult(times=model.times, r=r, psi=psi, theta=theta,
                          phases=phases if record_phases else None, backend="numba", wall_s=wall)
