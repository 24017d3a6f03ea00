"""Artificial Kuramoto oscillatory neurons (AKOrN, Miyato et al. ICLR 2025) as PyTorch layers.

A layer holds G = C/n oscillators x_i in R^n, |x_i| = 1, per spatial position; a tensor of shape
(B, C, *S) is viewed as (B, G, n, *S). Continuous dynamics::

    dx_i/dt = Omega_i x_i + Proj_{x_i}(c_i + sum_j J_ij x_j),     Proj_x(y) = y - <y, x> x

with Omega_i antisymmetric (natural rotation), c the conditional stimulus and J the coupling
(:mod:`.akorn_coupling`: dense, convolutional or attention). One discrete step (T steps per call)::

    x <- normalise_per_oscillator(x + gamma (Omega x + Proj_x(J x + c)))

Sign convention: for n = 2, x = (cos theta, sin theta) and Omega = w [[0, -1], [1, 0]] give
d theta/dt = +w. With J_ij = (K/N) I_2, c = 0 and one such Omega_i per oscillator, the continuous
equation is exactly the classic Kuramoto model d theta_i/dt = w_i + (K/N) sum_j sin(theta_j - theta_i),
and one discrete step is theta_i <- theta_i + atan(gamma f_i(theta)) with f the classic right-hand side.

Energy as logged by AKOrN: E = -sum_i x_i . (sum_j J_ij x_j + c_i). For symmetric J, Omega = 0 and
c = 0 it decreases along continuous trajectories (dE/dt = -2 |Proj(Jx)|^2). With c != 0 the exact
Lyapunov function of the dynamics is L = -(1/2) sum x.Jx - sum x.c (dL/dt = -|Proj(Jx + c)|^2 <= 0);
both are provided (:meth:`AKOrNLayer.energy`, :meth:`AKOrNLayer.lyapunov`).

Readout: a convolution (or channel-linear map) to ``out_channels * n`` channels, then the L2 norm of
each n-group plus a bias: shape (B, out_channels, *S), the next layer's c.
"""

from __future__ import annotations

import torch
from torch import nn

from biomem.description import validate as check
from biomem.errors import BiomemError
from biomem.oscillators.akorn_coupling import COUPLINGS, make_coupling

OMEGA_MODES = ("pairs", "full", "none")


def group_view(x: torch.Tensor, n: int) -> torch.Tensor:
    """(B, C, *S) -> (B, C/n, n, *S)."""
    return x.reshape(x.shape[0], x.shape[1] // n, n, *x.shape[2:])


def normalize(x: torch.Tensor, n: int, eps: float = 1e-12) -> torch.Tensor:
    """Each n-group of channels scaled to unit L2 norm."""
    g = group_view(x, n)
    return (g / g.norm(dim=2, keepdim=True).clamp_min(eps)).reshape(x.shape)


def project(x: torch.Tensor, y: torch.Tensor, n: int) -> torch.Tensor:
    """Proj_x(y) = y - <y, x> x per oscillator (x unit-norm)."""
    gx, gy = group_view(x, n), group_view(y, n)
    return (gy - (gy * gx).sum(dim=2, keepdim=True) * gx).reshape(y.shape)


def random_state(shape, n: int, generator: torch.Generator | None = None, dtype=None, device=None) -> torch.Tensor:
    """Oscillators uniformly distributed on the unit sphere S^{n-1} (normalised Gaussian draws)."""
    return normalize(torch.randn(*shape, generator=generator, dtype=dtype, device=device), n)


class Omega(nn.Module):
    """Antisymmetric natural-frequency operator on each n-dimensional oscillator.

    ``pairs``: rotation w [[0, -1], [1, 0]] on consecutive channel pairs (n even), one learnable w per
    pair and oscillator group (``per_group``) or per pair shared by all groups; ``full``: a general
    antisymmetric n x n matrix A - A^T (per group or shared); ``none``: Omega = 0."""

    def __init__(self, n: int, groups: int, mode: str = "pairs", per_group: bool = True, scale: float = 1.0):
        super().__init__()
        self.n, self.groups, self.mode = n, groups, check.choice("omega", mode, OMEGA_MODES)
        count = groups if per_group else 1
        if mode == "pairs":
            if n % 2:
                raise BiomemError("omega", f"'pairs' needs an even oscillator dimension, got n={n}", "full, none")
            self.frequency = nn.Parameter(scale * torch.ones(count, n // 2))
        elif mode == "full":
            self.raw = nn.Parameter(scale * torch.randn(count, n, n) / n)

    def matrix(self) -> torch.Tensor:
        """(groups or 1, n, n) antisymmetric matrices."""
        if self.mode == "full":
            return self.raw - self.raw.transpose(1, 2)
        if self.mode == "none":
            return torch.zeros(1, self.n, self.n)
        count, pairs = self.frequency.shape
        out = self.frequency.new_zeros(count, self.n, self.n)
        idx = torch.arange(pairs, device=out.device)
        out[:, 2 * idx + 1, 2 * idx] = self.frequency
        out[:, 2 * idx, 2 * idx + 1] = -self.frequency
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``Omega x`` for each oscillator of ``x`` (B, C, *S): the group's n x n matrix applied to its
        n channels (zeros for ``none``)."""
        if self.mode == "none":
            return torch.zeros_like(x)
        g = group_view(x, self.n)
        m = self.matrix().to(dtype=x.dtype)
        return torch.einsum("gkl,bgl...->bgk...", m.expand(g.shape[1], -1, -1), g).reshape(x.shape)


class Readout(nn.Module):
    """Channel map C -> out*n (kernel ``kernel_size`` for 2-D inputs), L2 norm per n-group, plus bias."""

    def __init__(self, channels: int, n: int, out_channels: int, kernel_size: int = 1):
        super().__init__()
        self.n, self.out_channels, self.kernel_size = n, out_channels, kernel_size
        self.weight = nn.Parameter(torch.randn(out_channels * n, channels, kernel_size, kernel_size)
                                   / (channels * kernel_size ** 2) ** 0.5)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``|W x|`` per n-group plus bias, shape (B, out_channels, *S), from ``x`` (B, C, *S).

        A 4-D ``x`` (B, C, H, W) is convolved with "same" zero padding; any other shape uses only
        the kernel's centre tap, a linear map of the channels at each position.
        """
        if x.dim() == 4:
            y = nn.functional.conv2d(x, self.weight, padding=self.kernel_size // 2)
        else:
            y = torch.einsum("oc,bc...->bo...", self.weight[:, :, self.kernel_size // 2, self.kernel_size // 2], x)
        norm = group_view(y, self.n).norm(dim=2)
        return norm + self.bias.view(1, -1, *([1] * (x.dim() - 2)))


class AKOrNLayer(nn.Module):
    """T steps of the discrete AKOrN update, then a readout.

    ``coupling`` is ``dense`` (needs ``spatial_size``, the number of positions), ``conv`` (2-D,
    ``kernel_size``) or ``attention`` (``heads``), or an ``nn.Module`` mapping x to Jx.
    ``normalize_c`` applies a GroupNorm (one group per oscillator) to the stimulus first; its learnable
    gain starts at ``c_scale`` (the stimulus strength relative to the coupling)."""

    def __init__(self, channels: int, n: int = 4, coupling="conv", T: int = 8, gamma: float = 1.0,
                 omega: str = "pairs", omega_per_group: bool = True, omega_scale: float = 1.0,
                 out_channels: int | None = None, readout_kernel: int = 1, normalize_c: bool = True,
                 c_scale: float = 1.0, **coupling_options):
        super().__init__()
        self.n = check.integer("n", n, low=2)
        self.channels = check.integer("channels", channels, low=n)
        if channels % n:
            raise BiomemError("channels", f"{channels} is not a multiple of n={n}", f"a multiple of {n}")
        self.T = check.integer("T", T, low=0)
        self.gamma = check.positive("gamma", gamma)
        if isinstance(coupling, nn.Module):
            self.coupling = coupling
        else:
            check.choice("coupling", coupling, COUPLINGS)
            self.coupling = make_coupling(coupling, channels, n, **coupling_options)
        self.omega = Omega(n, channels // n, omega, omega_per_group, omega_scale)
        self.norm = nn.GroupNorm(channels // n, channels, affine=True) if normalize_c else None
        if self.norm is not None:
            nn.init.constant_(self.norm.weight, check.real("c_scale", c_scale))
        self.readout = Readout(channels, n, out_channels, readout_kernel) if out_channels else None

    def stimulus(self, c: torch.Tensor) -> torch.Tensor:
        """The stimulus as the dynamics see it: ``c`` through the GroupNorm, or unchanged without
        ``normalize_c``."""
        return self.norm(c) if self.norm is not None else c

    def velocity(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """dx/dt = Omega x + Proj_x(J x + c) (c already normalised)."""
        return self.omega(x) + project(x, self.coupling(x) + c, self.n)

    def step(self, x: torch.Tensor, c: torch.Tensor, gamma: float | None = None) -> torch.Tensor:
        """One discrete update ``x <- normalise(x + gamma (Omega x + Proj_x(J x + c)))``, with the
        layer's ``gamma`` unless one is given (``c`` already normalised)."""
        return normalize(x + (self.gamma if gamma is None else gamma) * self.velocity(x, c), self.n)

    def energy(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """E = -sum x . (J x + c) per batch element."""
        return -(x * (self.coupling(x) + c)).flatten(1).sum(1)

    def lyapunov(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """L = -(1/2) sum x . J x - sum x . c per batch element (non-increasing for symmetric J, Omega = 0)."""
        return -(x * (0.5 * self.coupling(x) + c)).flatten(1).sum(1)

    def forward(self, c: torch.Tensor, x0: torch.Tensor | None = None, generator: torch.Generator | None = None,
                return_states: bool = False):
        """Returns the readout (or the final x without a readout); with ``return_states`` also
        ``{"x": final state, "states": [x_0..x_T], "energy": (T+1, B)}``."""
        c = self.stimulus(c)
        x = normalize(x0, self.n) if x0 is not None else random_state(c.shape, self.n, generator, c.dtype, c.device)
        states = [x]
        energies = [self.energy(x, c)] if return_states else []
        for _ in range(self.T):
            x = self.step(x, c)
            if return_states:
                states.append(x)
                energies.append(self.energy(x, c))
        out = self.readout(x) if self.readout is not None else x
        if return_states:
            return out, {"x": x, "states": states, "energy": torch.stack(energies)}
        return out


def phases_to_state(theta: torch.Tensor) -> torch.Tensor:
    """(..., N) phases -> (..., 2N) n=2 states laid out as (cos theta_1, sin theta_1, cos theta_2, ...)."""
    return torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1).flatten(-2)


def state_to_phases(x: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`phases_to_state`."""
    g = x.reshape(*x.shape[:-1], -1, 2)
    return torch.atan2(g[..., 1], g[..., 0])


def classic_layer(omega, K: float, T: int = 1, gamma: float = 0.05, dtype=torch.float64) -> AKOrNLayer:
    """An n = 2 AKOrN layer equal to the classic Kuramoto model: J_ij = (K/N) I_2, c = 0, Omega_i = w_i."""
    omega = torch.as_tensor(omega, dtype=dtype)
    N = omega.numel()
    layer = AKOrNLayer(2 * N, n=2, coupling="dense", T=T, gamma=gamma, omega="pairs", normalize_c=False,
                       spatial_size=1).to(dtype)
    with torch.no_grad():
        layer.omega.frequency.copy_(omega.view(N, 1))
        layer.coupling.weight.copy_(torch.kron(torch.full((N, N), K / N, dtype=dtype), torch.eye(2, dtype=dtype)))
    return layer
