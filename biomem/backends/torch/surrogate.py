"""The spike nonlinearity: an exact Heaviside, optionally with a surrogate gradient.

The kernel fires when ``v >= v_thresh``. snnTorch's surrogate functions
(:func:`snntorch.surrogate.fast_sigmoid`, :func:`snntorch.surrogate.atan`) give the
gradients used here, but their forward pass is ``(x > 0).float()``: strict, and always
float32. So the forward value is computed exactly here (``x >= 0`` in the state's dtype)
and snnTorch only supplies the backward pass, through a straight-through sum
``exact + (surrogate(x) - surrogate(x).detach())`` whose second term is exactly zero.
Forward spikes are therefore identical with and without gradients.
"""

from __future__ import annotations

from typing import Callable

import torch

from biomem.errors import BiomemError

SURROGATES = ("fast_sigmoid", "atan")


def heaviside(x: torch.Tensor) -> torch.Tensor:
    """Boolean spikes, ``x >= 0`` (no gradient)."""
    return x >= 0


def surrogate_spike(name: str = "fast_sigmoid", slope: float | None = None) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function ``x -> spikes`` (0.0/1.0 in ``x``'s dtype) whose gradient is snnTorch's ``name``.

    ``slope`` is fast_sigmoid's ``slope`` (default 25 per mV) or atan's ``alpha`` (default 2).
    """
    from snntorch import surrogate

    if name == "fast_sigmoid":
        smooth = surrogate.fast_sigmoid(slope=25.0 if slope is None else slope)
    elif name == "atan":
        smooth = surrogate.atan(alpha=2.0 if slope is None else slope)
    else:
        raise BiomemError("surrogate", f"unknown surrogate {name!r}", ", ".join(SURROGATES))

    def spike(x: torch.Tensor) -> torch.Tensor:
        exact = (x >= 0).to(x.dtype)
        if not x.requires_grad:
            return exact
        soft = smooth(x).to(x.dtype)
        return exact + (soft - soft.detach())

    return spike
