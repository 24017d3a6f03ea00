"""Pair-based STDP as tensor operations, in the kernel's order and arithmetic.

Per rule ``r`` and neuron, a source trace ``x`` and a target trace ``y`` are kept as a value
and the step of its last spike (``NEVER`` before the first); a trace is decayed from that
step only when it is read. Projections with equal :class:`~biomem.description.STDP` objects
share a rule, and with it the traces, exactly as in the Numba kernel.

One step, after the neurons are updated (see :mod:`biomem.backends.numba.kernel`):

1. :meth:`STDPRules.deferred`: spinnaker potentiation for targets that fired at ``step - 1``;
2. :meth:`STDPRules.depress`: depression of the synapses of this step's spiking sources
   (spinnaker: trace read at ``step - 1``), then the caller transmits the new weights;
3. :meth:`STDPRules.pre_spikes`: source traces ``x`` of this step's spikes;
4. :meth:`STDPRules.potentiate`: textbook potentiation of the synapses into this step's spiking
   targets (a simultaneous source spike counts);
5. :meth:`STDPRules.post_spikes`: target traces ``y``.

Weights are a flat (B * S) tensor, updated in place, or out of place when they carry a
gradient (the traces themselves never do).
"""

from __future__ import annotations

import numpy as np
import torch

from biomem.backends.torch.synapses import Fanout

NEVER = -(1 << 40)


def rule_index(lowered):
    """Per-synapse rule index (-1 when static) and the distinct rules, in projection order."""
    rules, syn_rule = [], np.full(lowered.n_synapses, -1, np.int64)
    for projection in lowered.projections:
        if projection.plasticity is None:
            continue
        if projection.plasticity not in rules:
            rules.append(projection.plasticity)
        syn_rule[projection.start:projection.stop] = rules.index(projection.plasticity)
    return syn_rule, rules


class STDPRules:
    """Every STDP rule of one network, for B trials at once; ``active`` is False when static."""

    def __init__(self, lowered, batch: int, device, dtype):
        syn_rule, rules = rule_index(lowered)
        self.active = bool(rules)
        if not self.active:
            return
        n, r = lowered.n_neurons, len(rules)
        self.n, self.n_synapses, self.dt, self.dtype = n, lowered.n_synapses, float(lowered.dt), dtype
        rule = np.maximum(syn_rule, 0)

        def per_synapse(values, kind=dtype):
            return torch.as_tensor(np.asarray(values)[rule], dtype=kind, device=device)

        spinnaker = np.array([p.variant == "spinnaker" for p in rules])
        # Per synapse, one row per update so that a single gather fetches a rule's parameters.
        self.raise_by = per_synapse([[p.tau_plus, p.potentiation_amplitude, p.w_max] for p in rules])
        self.lower_by = per_synapse([[p.tau_minus, p.depression_amplitude, p.w_min] for p in rules])
        width = batch * n
        self.pre_code = torch.as_tensor(rule * width + lowered.syn_pre, device=device)
        # Target trace index and the spinnaker lag shift (depression reads the trace at step - 1).
        self.post_code = torch.as_tensor(np.stack([rule * width + lowered.syn_post,
                                                   spinnaker[rule].astype(np.int64)], axis=1), device=device)
        plastic = syn_rule >= 0
        late = plastic & spinnaker[rule]
        self.out = Fanout(lowered.syn_pre, np.flatnonzero(plastic), n, batch, device)
        self.in_textbook = Fanout(lowered.syn_post, np.flatnonzero(plastic & ~late), n, batch, device)
        self.in_spinnaker = Fanout(lowered.syn_post, np.flatnonzero(late), n, batch, device)
        self.x_value = torch.zeros((r, width), dtype=dtype, device=device)
        self.y_value = torch.zeros_like(self.x_value)
        self.x_step = torch.full((r, width), NEVER, dtype=torch.int64, device=device)
        self.y_step = torch.full_like(self.x_step, NEVER)
        self.tau_plus_rule = torch.tensor([[p.tau_plus] for p in rules], dtype=dtype, device=device)
        self.tau_minus_rule = torch.tensor([[p.tau_minus] for p in rules], dtype=dtype, device=device)

    def reset(self) -> None:
        """Forget every spike: traces back to their state before the first step."""
        if self.active:
            for value, last in ((self.x_value, self.x_step), (self.y_value, self.y_step)):
                value.zero_()
                last.fill_(NEVER)

    # -- weight updates ---------------------------------------------------------------------------
    def deferred(self, weight, previous, step: int):
        """Spinnaker potentiation at ``step`` for the targets ``previous`` that fired at ``step - 1``."""
        return self._potentiate(self.in_spinnaker, weight, previous, step)

    def potentiate(self, weight, spiked, step: int):
        """Textbook potentiation for the targets ``spiked`` at ``step`` (after :meth:`pre_spikes`)."""
        return self._potentiate(self.in_textbook, weight, spiked, step)

    def depress(self, weight, spiked, step: int):
        """Depression of the plastic synapses of the sources ``spiked`` at ``step``."""
        if self.out.empty:
            return weight
        k, trial = self.out.gather(spiked)
        code = self.post_code.index_select(0, k)
        tau, amplitude, bound = self.lower_by.index_select(0, k).unbind(1)
        index, synapse = self._offsets(code[:, 0], k, trial)
        last = self.y_step.view(-1).index_select(0, index)
        since = (last + code[:, 1] - step).to(self.dtype)  # -(step - last - shift), as the kernel computes it
        y = self.y_value.view(-1).index_select(0, index) * torch.exp(since * self.dt / tau)
        current = weight.index_select(0, synapse)
        lowered = torch.maximum(current - amplitude * y, bound)
        return _assign(weight, synapse, torch.where(last != NEVER, lowered, current))

    def _potentiate(self, fanout, weight, spiked, step):
        if fanout.empty:
            return weight
        k, trial = fanout.gather(spiked)
        tau, amplitude, bound = self.raise_by.index_select(0, k).unbind(1)
        index, synapse = self._offsets(self.pre_code.index_select(0, k), k, trial)
        last = self.x_step.view(-1).index_select(0, index)
        x = self.x_value.view(-1).index_select(0, index) * torch.exp((last - step).to(self.dtype) * self.dt / tau)
        current = weight.index_select(0, synapse)
        raised = torch.minimum(current + amplitude * x, bound)
        return _assign(weight, synapse, torch.where(last != NEVER, raised, current))

    def _offsets(self, code, k, trial):
        if trial is None:
            return code, k
        return code + trial * self.n, trial * self.n_synapses + k

    # -- traces -----------------------------------------------------------------------------------
    def pre_spikes(self, spiked, step: int) -> None:
        """Source traces of the neurons ``spiked`` (flat ``b * N + neuron``) at ``step``, for every rule:
        ``x <- x exp(-(step - last) dt / tau_plus) + 1`` (``x = 1`` at a first spike; dt, tau in ms)."""
        _bump(self.x_value, self.x_step, self.tau_plus_rule, spiked, step, self.dt, self.dtype)

    def post_spikes(self, spiked, step: int) -> None:
        """Target traces of the neurons ``spiked`` (flat ``b * N + neuron``) at ``step``, for every rule:
        ``y <- y exp(-(step - last) dt / tau_minus) + 1`` (``y = 1`` at a first spike; dt, tau in ms)."""
        _bump(self.y_value, self.y_step, self.tau_minus_rule, spiked, step, self.dt, self.dtype)


def _bump(value, last, tau, rows, step, dt, dtype) -> None:
    """``trace <- trace exp(-(step - last) dt / tau) + 1`` (1 at a first spike) for every rule."""
    seen = last.index_select(1, rows)
    grown = value.index_select(1, rows) * torch.exp((seen - step).to(dtype) * dt / tau) + 1.0
    value.index_copy_(1, rows, torch.where(seen == NEVER, 1.0, grown))
    last.index_fill_(1, rows, step)


def _assign(weight, synapse, values):
    if weight.requires_grad:
        return weight.index_copy(0, synapse, values)
    return weight.index_copy_(0, synapse, values)
