"""The same heat-bath dynamics in PyTorch, many replicas advanced together.

Each step picks one site per replica (independently) and applies the exact heat-bath rule of
:mod:`biomem.backends.numba.hebbian` to all replicas at once, from the tracked power sums
``p[r, mu, j]`` (``O(R K' P^2)`` per step, vectorised). It pays off with many replicas, or on a GPU
(``device="cuda"``). Random numbers come from a ``torch.Generator`` seeded with the run seed on
the chosen device: a seed fixes a run bit for bit on one device type, but CPU and CUDA streams
differ (and differ from the Numba backend's numpy streams), so the backends agree statistically,
not spin by spin. Computations are in float64.
"""

from __future__ import annotations

import math

import numpy as np

from biomem.errors import BiomemError


def _torch():
    try:
        import torch
    except ImportError as error:  # pragma: no cover - torch is an optional dependency
        raise BiomemError("backend", "torch is not installed", "pip install biomem[torch]") from error
    return torch


def _device(torch, device: str):
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BiomemError("device", f"{device!r} requested but CUDA is not available", "cpu")
    try:
        return torch.device(device)
    except RuntimeError:
        raise BiomemError("device", f"unknown device {device!r}", "cpu, cuda, cuda:N") from None


def _elementary_last(p, order: int):
    """``e_order`` from power sums ``p[1..order]`` (a list of tensors; Newton's identities)."""
    if order == 1:
        return p[1]
    if order == 2:
        return 0.5 * (p[1] * p[1] - p[2])
    if order == 3:
        return (p[1] * (p[1] * p[1] - 3.0 * p[2]) + 2.0 * p[3]) / 6.0
    e = [None] * (order + 1)
    e[1] = p[1]
    for k in range(2, order + 1):
        total = p[1] * e[k - 1]
        for j in range(2, k):
            total = total + (-1) ** (j - 1) * e[k - j] * p[j]
        e[k] = (total + (-1) ** (k - 1) * p[k]) / k
    return e[order]


class BatchedChains:
    """``R`` replicas of one Hamiltonian on one device."""

    CHUNK = 256          # steps whose touched rows are gathered at once

    def __init__(self, hamiltonian, sigma0: np.ndarray, seed: int, device: str = "cpu"):
        torch = self.torch = _torch()
        self.device = _device(torch, device)
        self.h = hamiltonian
        self.P = hamiltonian.P
        V = torch.as_tensor(hamiltonian.V, dtype=torch.float64, device=self.device)             # (N, K)
        self.Vpow = [torch.ones_like(V)] + [V ** j for j in range(1, self.P + 1)]             # V^j, (N, K)
        self.coef = torch.as_tensor(hamiltonian.field_coefficients(), dtype=torch.float64, device=self.device)
        self.sigma = torch.as_tensor(np.asarray(sigma0, dtype=np.float64), device=self.device)  # (R, N)
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(int(seed))
        self.refresh()

    def refresh(self) -> None:
        """Power sums ``pw[j] = sum_i (V_i sigma_i)^j`` as a list of ``(R, K)`` tensors."""
        self.pw = [self.sigma @ self.Vpow[j] if j % 2 else
                   self.Vpow[j].sum(dim=0).expand(self.sigma.shape[0], -1).clone() for j in range(self.P + 1)]

    def run(self, n_sweeps: int, T: float):
        """``n_sweeps * N`` heat-bath steps at temperature ``T`` (``T = 0``: sign of the field), each
        at one random site per replica; returns the flips per replica, an int64 tensor ``(R,)``."""
        torch = self.torch
        with torch.inference_mode():
            return self._run(n_sweeps, T)

    def _run(self, n_sweeps: int, T: float):
        torch = self.torch
        R, N = self.sigma.shape
        P = self.P
        steps = n_sweeps * N
        beta = math.inf if T == 0 else 1.0 / T
        sites = torch.randint(0, N, (steps, R), generator=self.gen, device=self.device)
        uniforms = torch.rand((steps, R), generator=self.gen, device=self.device, dtype=torch.float64)
        rows = torch.arange(R, device=self.device)
        flips = torch.zeros(R, dtype=torch.int64, device=self.device)
        one = torch.ones((), dtype=torch.float64, device=self.device)
        odd = range(1, P + 1, 2)
        pw = self.pw
        for start in range(0, steps, self.CHUNK):
            chunk = sites[start:start + self.CHUNK]
            flat = chunk.reshape(-1)        # index_select: advanced indexing is slow with OpenMP threads
            rows_pow = [None] + [self.Vpow[j].index_select(0, flat).reshape(chunk.shape + (-1,))
                                 for j in range(1, P + 1)]                                  # (c, R, K)
            for t in range(chunk.shape[0]):
                i = chunk[t]
                s = self.sigma[rows, i]                                                      # (R,)
                sk = s[:, None]
                v = rows_pow[1][t]
                # power sums without spin i: p_j - (v s)^j, with s^j = s for odd j and 1 for even j
                rest = [None] + [pw[j] - (rows_pow[j][t] * sk if j % 2 else rows_pow[j][t]) for j in range(1, P)]
                h = (v * _elementary_last(rest, P - 1)) @ self.coef                          # (R,)
                if math.isinf(beta):
                    plus = (torch.sign(h) + 1.0) * 0.5
                else:
                    plus = torch.sigmoid(2.0 * beta * h)
                new = torch.where(uniforms[start + t] < plus, one, -one)
                change = (new - s)[:, None]                                                  # 0 or +-2
                for j in odd:
                    pw[j] += change * rows_pow[j][t]
                flips += (change[:, 0] != 0)
                self.sigma[rows, i] = new
        self.refresh()
        return flips

    def energies(self):
        """``H`` of every replica from the tracked power sums, a float64 tensor ``(R,)``."""
        e = _elementary_last(self.pw, self.P)                                                 # (R, K)
        return -(e @ self.coef)


def run_batched(hamiltonian, T, sigma0, seed, observables, n_meas, every, device="cpu") -> dict:
    """Measurements in the layout of :func:`biomem.hebbian.simulation.simulate`."""
    torch = _torch()
    chains = BatchedChains(hamiltonian, sigma0, seed, device)
    R = sigma0.shape[0]
    W = {k: torch.as_tensor(v, dtype=torch.float64, device=chains.device) for k, v in observables.items()}
    out = {name: np.empty((R, n_meas, w.shape[1])) for name, w in W.items()}
    out["energy"] = np.empty((R, n_meas))
    out["flips"] = np.empty((R, n_meas), dtype=np.int64)
    iu = torch.triu_indices(R, R, offset=1, device=chains.device)
    out["q"] = np.empty((iu.shape[1], n_meas))
    N = hamiltonian.N
    for t in range(n_meas):
        out["flips"][:, t] = chains.run(every, T).cpu().numpy()
        out["energy"][:, t] = (chains.energies() / N).cpu().numpy()
        for name, w in W.items():
            out[name][:, t] = (chains.sigma @ w / N).cpu().numpy()
        gram = chains.sigma @ chains.sigma.T / N
        out["q"][:, t] = gram[iu[0], iu[1]].cpu().numpy()
    out["final"] = chains.sigma.cpu().numpy().astype(np.int8)
    return out
