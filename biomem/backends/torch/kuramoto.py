"""Classic Kuramoto model in PyTorch, batched over B coupling strengths at once.

State ``theta`` has shape (B, N); row b is integrated with coupling ``Ks[b]``. All rows share one
realization (frequencies, initial phases, graph), so a batch traces r(K) for one network in a
single pass. The right-hand side is the expanded form of :mod:`.description`:
``f = omega + K (cos theta * S - sin theta * C)`` with S, C the coupling sums (mean field: row
means; sparse: a CSR matrix product; explicit: a dense matrix product). float64 by default, so
results agree with the Numba backend to rounding; ``device`` picks CPU or GPU.
"""

from __future__ import annotations

import time
import warnings
from contextlib import contextmanager

import numpy as np
import torch

from biomem.description import validate as check
from biomem.errors import BiomemError
from biomem.oscillators.description import KuramotoModel, KuramotoResult, realize


def _device(device) -> torch.device:
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise BiomemError("device", f"unknown device {device!r}", "cpu, cuda, cuda:N, mps") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BiomemError("device", "CUDA is not available here", "cpu")
    return device


@contextmanager
def cpu_threads(threads: int | None, device: torch.device):
    """CPU runs use ``threads`` intra-op threads (restored afterwards); None keeps torch's setting.

    The default is 1: the work per operation is element-wise and small, and OpenMP synchronisation
    dominated on the 2-core development machine (N = 1e5: 2.1e7 oscillator-steps/s on one thread,
    5e5 on two; N = 1e6: 1.3e7 vs 2.5e6)."""
    previous = torch.get_num_threads()
    if device.type == "cpu" and threads is not None:
        torch.set_num_threads(check.integer("threads", threads, low=1))
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


class _Coupling:
    """Computes (S, C), each (B, N), for a batch of phases."""

    def __init__(self, realization, device, dtype):
        self.kind = realization.kind
        if self.kind == "csr":
            n = realization.omega.size
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta state"
                self.matrix = torch.sparse_csr_tensor(
                    torch.as_tensor(realization.indptr, dtype=torch.int64),
                    torch.as_tensor(realization.indices, dtype=torch.int64),
                    torch.as_tensor(realization.weights, dtype=dtype), size=(n, n),
                    check_invariants=True).to(device)
        elif self.kind == "dense":
            self.matrix = torch.as_tensor(np.asarray(realization.matrix), dtype=dtype, device=device)

    def __call__(self, sin_t, cos_t):
        if self.kind == "mean_field":
            return sin_t.mean(dim=1, keepdim=True), cos_t.mean(dim=1, keepdim=True)
        if self.kind == "csr":
            return (self.matrix @ sin_t.T).T, (self.matrix @ cos_t.T).T
        return sin_t @ self.matrix.T, cos_t @ self.matrix.T


def integrate(theta0, omega, Ks, dt: float, n_steps: int, integrator: str, record_every: int,
              coupling, record_phases: bool = False):
    """Integrate a (B, N) batch; returns r, psi (B, n_rec), final theta (B, N), phases or None."""
    theta = theta0.clone()
    n_rec = n_steps // record_every + 1
    r = torch.empty(theta.shape[0], n_rec, dtype=theta.dtype, device=theta.device)
    psi = torch.empty_like(r)
    phases = [] if record_phases else None
    K = Ks[:, None]

    def f(phase):
        sin_t, cos_t = torch.sin(phase), torch.cos(phase)
        s, c = coupling(sin_t, cos_t)
        return omega + K * (cos_t * s - sin_t * c)

    def record(k):
        x, y = torch.cos(theta).mean(dim=1), torch.sin(theta).mean(dim=1)
        r[:, k] = torch.sqrt(x * x + y * y)
        psi[:, k] = torch.atan2(y, x)
        if record_phases:
            phases.append(theta.clone())

    record(0)
    with torch.no_grad():
        for step in range(1, n_steps + 1):
            k1 = f(theta)
            if integrator == "euler":
                theta = theta + dt * k1
            else:
                k2 = f(theta + 0.5 * dt * k1)
                k3 = f(theta + 0.5 * dt * k2)
                k4 = f(theta + dt * k3)
                theta = theta + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            if step % record_every == 0:
                record(step // record_every)
    return r, psi, theta, (torch.stack(phases, dim=1) if record_phases else None)


def simulate_batch(model: KuramotoModel, Ks, seed: int = 0, *, device="cpu", dtype=torch.float64,
                   record_phases: bool = False, realization=None, threads: int | None = 1) -> KuramotoResult:
    """Run ``model`` once per coupling in ``Ks``; r, psi have shape (B, n_rec), theta (B, N).
    ``threads``: CPU intra-op threads for the run (None: leave torch's setting)."""
    Ks = np.atleast_1d(np.asarray(Ks, dtype=float))
    if Ks.ndim != 1 or Ks.size == 0:
        raise BiomemError("Ks", f"expected a non-empty list of couplings, got shape {Ks.shape}", "1-d array")
    for k in Ks:
        check.non_negative("K", k)
    if dtype not in (torch.float64, torch.float32):
        raise BiomemError("dtype", f"unsupported dtype {dtype}", "torch.float64, torch.float32")
    dev = _device(device)
    real = realization if realization is not None else realize(model, seed)
    coupling = _Coupling(real, dev, dtype)
    theta0 = torch.as_tensor(real.theta0, dtype=dtype, device=dev).expand(Ks.size, -1).contiguous()
    omega = torch.as_tensor(real.omega, dtype=dtype, device=dev)[None, :]
    Kt = torch.as_tensor(Ks, dtype=dtype, device=dev)
    start = time.perf_counter()
    with cpu_threads(threads, dev):
        r, psi, theta, phases = integrate(theta0, omega, Kt, float(model.dt), model.n_steps, model.integrator,
                                          model.record_every, coupling, record_phases)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    wall = time.perf_counter() - start
    return KuramotoResult(times=model.times, r=r.cpu().numpy(), psi=psi.cpu().numpy(), theta=theta.cpu().numpy(),
                          phases=None if phases is None else phases.cpu().numpy(), backend="torch", wall_s=wall)


def simulate(model: KuramotoModel, seed: int = 0, *, device="cpu", dtype=torch.float64,
             record_phases: bool = False, realization=None, threads: int | None = 1) -> KuramotoResult:
    """One run at ``model.K`` (a batch of one), shaped like the Numba backend's result."""
    out = simulate_batch(model, [model.K], seed, device=device, dtype=dtype, record_phases=record_phases,
                         realization=realization, threads=threads)
    out.r, out.psi, out.theta = out.r[0], out.psi[0], out.theta[0]
    if out.phases is not None:
        out.phases = out.phases[0]
    return out
