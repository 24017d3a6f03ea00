"""The leaky integrate-and-fire population as an ``nn.Module``: the kernel's closed-form step.

snnTorch's ``Leaky`` neuron computes ``beta * mem + input`` with a zero or subtractive reset
and no refractory period; rewriting the closed form that way changes its rounding, and the
conductance-based membrane (a decay that depends on the conductances) has no snnTorch
counterpart. So the membrane is a custom module, written operation for operation as the
Numba kernel computes it (no fused multiply-adds), and snnTorch supplies only the surrogate
gradient of the spike (see :mod:`biomem.backends.torch.surrogate`).

State, batch first: ``v`` (B, N); ``g`` (B, 2, N), excitatory and inhibitory currents (nA) or
conductances (uS); ``ready`` (B, N), the first step at which a neuron integrates again after
a spike (``spike step + refrac_steps + 1``; sources never integrate).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from biomem.backends.torch.surrogate import heaviside

# ``ready`` of spike sources: they never integrate.
_SOURCE_READY = 1 << 62


class LIFPopulation(nn.Module):
    """Every neuron of a lowered network (sources included, inert), current- or conductance-based."""

    def __init__(self, lowered, dt: float, device, dtype, spike_fn=None):
        super().__init__()
        self.dt = float(dt)
        self.spike_fn = spike_fn

        def buffer(name, values, kind=dtype):
            self.register_buffer(name, torch.as_tensor(np.asarray(values), dtype=kind, device=device))

        for name in ("v_rest", "v_reset", "v_thresh", "cm", "tau_m", "i_offset", "e_rev_E", "e_rev_I", "decay_m"):
            buffer(name, getattr(lowered, name))
        leak = lowered.cm / lowered.tau_m
        buffer("leak", leak)
        buffer("leak_v_rest", leak * lowered.v_rest)
        buffer("scale", np.stack([lowered.scale_E, lowered.scale_I]))
        buffer("decay_syn", np.stack([lowered.decay_E, lowered.decay_I]))
        buffer("conductance", lowered.conductance, torch.bool)
        buffer("refrac_next", lowered.refrac_steps + 1, torch.int64)
        buffer("source_ready", np.where(lowered.is_source, _SOURCE_READY, 0), torch.int64)
        # Sources never reach threshold; refractory neurons sit at v_reset < v_thresh, so ``v >= threshold``
        # alone tells which neurons fire.
        buffer("threshold", np.where(lowered.is_source, np.inf, lowered.v_thresh))
        neurons = ~lowered.is_source
        self.any_conductance = bool(lowered.conductance[neurons].any())
        self.any_current = bool((~lowered.conductance[neurons]).any())
        # x + 0.0 == x: a network without offset currents skips that addition.
        self.any_offset = bool(np.any(lowered.i_offset != 0.0))

    def initial_state(self, v_init: torch.Tensor):
        """``(v, g, ready)`` for initial potentials ``v_init`` (B, N)."""
        batch = v_init.shape[0]
        g = torch.zeros((batch, 2, v_init.shape[1]), dtype=v_init.dtype, device=v_init.device)
        return v_init, g, self.source_ready.expand(batch, -1).clone()

    def forward(self, v, g, ready, arriving, step: int):
        """One step. ``arriving`` (B, 2, N) are the weights delivered at ``step``.

        Returns ``(v, g_step, ready, fired, spikes)``: ``g_step`` is the synaptic state that
        drove this step (the recorded one; decay it for the next step with :meth:`decay`),
        ``fired`` the flat indices ``b * N + neuron`` of the neurons that fired, in order, and
        ``spikes`` the (B, N) 0.0/1.0 differentiable spikes (None unless differentiable).
        """
        g = g + arriving * self.scale
        active = ready <= step
        v = torch.where(active, self.membrane(v, g[:, 0], g[:, 1]), v)
        over = v - self.threshold if self.spike_fn is not None else None
        mask = heaviside(over) if over is not None else v >= self.threshold
        fired = torch.nonzero(mask.view(-1), as_tuple=True)[0]
        spikes = None
        if over is not None:
            spikes = self.spike_fn(over) * active.to(v.dtype)
            # Exact in the forward pass: v * 1 + v_reset * 0 = v and v * 0 + v_reset * 1 = v_reset.
            v = v * (1.0 - spikes) + self.v_reset * spikes
        elif fired.numel():
            v = torch.where(mask, self.v_reset, v)
        if fired.numel():
            ready = torch.where(mask, self.refrac_next + step, ready)
        return v, g, ready, fired, spikes

    def decay(self, g):
        """Synaptic state ``g`` (B, 2, N) one step later without input:
        ``g * exp(-dt/tau_syn_E)`` (receptor 0) and ``g * exp(-dt/tau_syn_I)`` (receptor 1)."""
        return g * self.decay_syn

    def membrane(self, v, g_e, g_i):
        """Closed-form integration over one step with inputs held constant (the kernel's formulas)."""
        if self.any_current:
            drive = g_e - g_i + self.i_offset if self.any_offset else g_e - g_i
            drive = drive * self.tau_m / self.cm + self.v_rest
            current = drive - self.decay_m * (drive - v)
            if not self.any_conductance:
                return current
        total = self.leak + g_e + g_i
        v_inf = self.leak_v_rest + g_e * self.e_rev_E + g_i * self.e_rev_I
        v_inf = (v_inf + self.i_offset if self.any_offset else v_inf) / total
        conductance = v_inf - torch.exp(total * -self.dt / self.cm) * (v_inf - v)
        if not self.any_current:
            return conductance
        return torch.where(self.conductance, conductance, current)
