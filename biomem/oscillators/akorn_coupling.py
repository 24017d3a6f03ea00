"""Coupling operators J for AKOrN layers: each maps a state x of shape (B, C, *S) to Jx, same shape.

* :class:`DenseCoupling`: fully connected, a D x D matrix on the flattened state (D = C * positions).
* :class:`ConvCoupling`: a Conv2d C -> C with "same" zero padding (J is translation invariant and local).
* :class:`AttentionCoupling`: J depends on the state: softmax(q k^T / sqrt(d)) v over positions, with
  q, k, v linear maps of the channels (multi-head).

``symmetric=True`` makes the dense and convolutional J self-adjoint (J_ij = J_ji^T): dense uses
(W + W^T)/2; conv uses W'[o, i, d] = (W[o, i, d] + W[i, o, -d]) / 2, which is self-adjoint for zero
padding. With symmetric J and Omega = 0 the AKOrN energy is non-increasing in continuous time.
"""

from __future__ import annotations

import torch
from torch import nn

from biomem.description import validate as check
from biomem.errors import BiomemError

COUPLINGS = ("dense", "conv", "attention")
INITS = ("random", "local")


class DenseCoupling(nn.Module):
    """Fully connected J on all C * spatial_size features."""

    def __init__(self, channels: int, n: int, spatial_size: int = 1, symmetric: bool = False, scale: float = 1.0):
        super().__init__()
        self.features = channels * check.integer("spatial_size", spatial_size, low=1)
        self.symmetric = bool(symmetric)
        self.weight = nn.Parameter(scale * torch.randn(self.features, self.features) / self.features ** 0.5)

    def matrix(self) -> torch.Tensor:
        """J as a (D, D) matrix, D = C * spatial_size: ``(W + W^T)/2`` if symmetric, else ``W``."""
        return 0.5 * (self.weight + self.weight.T) if self.symmetric else self.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``J x`` on the flattened features of ``x`` (B, C, *S), returned in the shape of ``x``."""
        flat = x.reshape(x.shape[0], -1)
        return (flat @ self.matrix().T.to(x.dtype)).reshape(x.shape)


class ConvCoupling(nn.Module):
    """Convolutional J (2-D). ``init="local"`` starts from a same-channel box kernel of total weight
    ``scale`` (each oscillator pulled towards its neighbours' mean); ``"random"`` from Gaussian weights."""

    def __init__(self, channels: int, n: int, kernel_size: int = 3, symmetric: bool = False, scale: float = 1.0,
                 init: str = "random", bias: bool = False):
        super().__init__()
        self.kernel_size = check.integer("kernel_size", kernel_size, low=1)
        if kernel_size % 2 == 0:
            raise BiomemError("kernel_size", f"must be odd for 'same' padding, got {kernel_size}", "odd integers")
        check.choice("init", init, INITS)
        self.symmetric = bool(symmetric)
        if init == "local":
            weight = torch.zeros(channels, channels, kernel_size, kernel_size)
            weight[torch.arange(channels), torch.arange(channels)] = scale / kernel_size ** 2
        else:
            weight = torch.randn(channels, channels, kernel_size, kernel_size)
            weight *= scale / (channels * kernel_size ** 2) ** 0.5
        self.weight = nn.Parameter(weight)
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None

    def kernel(self) -> torch.Tensor:
        """The (C, C, k, k) convolution weights of J; if symmetric,
        ``(W[o, i, d] + W[i, o, -d]) / 2`` so that J is self-adjoint under zero padding."""
        if not self.symmetric:
            return self.weight
        return 0.5 * (self.weight + self.weight.transpose(0, 1).flip(-1, -2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``J x`` for ``x`` (B, C, H, W): the 2-D convolution with "same" zero padding (plus the
        bias, if any)."""
        bias = None if self.bias is None else self.bias.to(x.dtype)
        return nn.functional.conv2d(x, self.kernel().to(x.dtype), bias, padding=self.kernel_size // 2)


class AttentionCoupling(nn.Module):
    """State-dependent J: multi-head self-attention over the positions of x."""

    def __init__(self, channels: int, n: int, heads: int = 1, scale: float = 1.0):
        super().__init__()
        self.heads = check.integer("heads", heads, low=1)
        if channels % heads:
            raise BiomemError("heads", f"{heads} does not divide channels={channels}", "a divisor of channels")
        self.qkv = nn.Linear(channels, 3 * channels, bias=False)
        self.out = nn.Linear(channels, channels, bias=False)
        with torch.no_grad():
            self.out.weight.mul_(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``J(x) x`` for ``x`` (B, C, *S): multi-head ``softmax(q k^T / sqrt(d)) v`` over the
        positions, with ``q, k, v`` linear maps of the channels, then the output map."""
        b, c = x.shape[:2]
        tokens = x.reshape(b, c, -1).transpose(1, 2)  # (B, L, C)
        q, k, v = self.qkv(tokens).chunk(3, dim=-1)
        split = lambda t: t.reshape(b, -1, self.heads, c // self.heads).transpose(1, 2)  # noqa: E731
        mixed = nn.functional.scaled_dot_product_attention(split(q), split(k), split(v))
        mixed = mixed.transpose(1, 2).reshape(b, -1, c)
        return self.out(mixed).transpose(1, 2).reshape(x.shape)


def make_coupling(kind: str, channels: int, n: int, **options) -> nn.Module:
    """``dense`` (spatial_size, symmetric, scale), ``conv`` (kernel_size, symmetric, scale, init, bias) or
    ``attention`` (heads, scale)."""
    check.choice("coupling", kind, COUPLINGS)
    cls = {"dense": DenseCoupling, "conv": ConvCoupling, "attention": AttentionCoupling}[kind]
    return cls(channels, n, **options)
