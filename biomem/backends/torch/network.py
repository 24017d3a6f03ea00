"""A lowered network (B trials of it) as one ``nn.Module`` whose forward pass is the whole run.

Per step: read the ring-buffer slot, update the neurons (:class:`LIFPopulation`), collect
this step's spikes (neurons in index order, then sources), apply plasticity and transmit
(:class:`STDPRules`, :class:`DelayRing`), record. Everything lives on one device; the step
loop runs a fixed, short sequence of tensor operations and skips the synaptic part on
steps without spikes (the differentiable path does not skip: silent neurons carry gradient).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from biomem.backends.torch.batch import stack
from biomem.backends.torch.layers import LIFPopulation
from biomem.backends.torch.stdp import STDPRules
from biomem.backends.torch.surrogate import surrogate_spike
from biomem.backends.torch.synapses import DelayRing, DenseDelays


@dataclass
class TorchRun:
    """What :meth:`SpikingNetwork.forward` returns, on the network's device.

    ``spike_steps``/``spike_flat`` (numpy): every spike, ``flat = b * N + neuron``, in emission order
    (by step; within a step neurons by index, then sources).
    ``spike_counts`` (B, N): differentiable in differentiable mode (sources count too, with no gradient).
    ``final_weights`` (B, S); ``state[var]`` (n_steps, B, n_recorded); ``weight_trace`` (n_steps, B, n_recorded).
    """

    spike_steps: np.ndarray
    spike_flat: np.ndarray
    spike_counts: torch.Tensor
    final_weights: torch.Tensor
    state: dict = field(default_factory=dict)
    weight_trace: torch.Tensor | None = None


class SpikingNetwork(nn.Module):
    """B trials of one topology (see :func:`biomem.backends.torch.batch.stack`).

    ``differentiable=True`` makes the initial weights an ``nn.Parameter`` (``self.weight``,
    shape (B, S)) and the spikes surrogate-gradient Heavisides (snnTorch's ``surrogate``),
    with dense transmission; forward spikes stay identical to the default mode.

    Every tensor is created on ``device`` at construction (build a new module for another
    device rather than calling ``.to()``); each call of the module is a fresh run.
    """

    def __init__(self, trials, device="cpu", dtype=torch.float64, differentiable=False,
                 surrogate="fast_sigmoid", slope=None):
        super().__init__()
        stacked = stack(trials)
        lowered = stacked.lowered
        self.lowered, self.batch, self.n = lowered, stacked.batch, lowered.n_neurons
        self.n_steps, self.differentiable = lowered.n_steps, bool(differentiable)
        self.device, self.dtype = torch.device(device), dtype
        spike_fn = surrogate_spike(surrogate, slope) if self.differentiable else None
        self.lif = LIFPopulation(lowered, lowered.dt, self.device, dtype, spike_fn)
        weight = torch.as_tensor(stacked.weights, dtype=dtype, device=self.device)
        if self.differentiable:
            self.weight = nn.Parameter(weight)
            self.synapses = DenseDelays(lowered, self.batch, self.device, dtype)
        else:
            self.register_buffer("weight", weight)
            self.synapses = DelayRing(lowered, self.batch, self.device, dtype)
        self.register_buffer("v_init", torch.as_tensor(stacked.v_init, dtype=dtype, device=self.device))
        self.stdp = STDPRules(lowered, self.batch, self.device, dtype)
        self.sources = _by_step(stacked.source_steps, stacked.source_flat, self.n_steps, self.device)
        self.recorded = {key: torch.as_tensor(lowered.recorded_neurons(key), device=self.device)
                         for key in ("v", "exc", "inh")}
        columns = [np.arange(p.start, p.stop) for p in lowered.projections if p.record_weights]
        self.recorded_weights = torch.as_tensor(np.concatenate(columns) if columns else np.zeros(0, np.int64),
                                                device=self.device)

    def forward(self) -> TorchRun:
        """Simulate every trial for ``n_steps`` steps from the initial state."""
        lif, synapses, stdp = self.lif, self.synapses, self.stdp
        plastic, dense = stdp.active, self.differentiable
        v, g, ready = lif.initial_state(self.v_init)
        weight = self.weight.reshape(-1)
        if not dense:
            weight = weight.clone()
        synapses.reset()
        stdp.reset()
        traces = self._traces()
        spiked, sizes, counts = [], [], None
        previous = torch.zeros(0, dtype=torch.int64, device=self.device)
        for step in range(self.n_steps):
            v, g_step, ready, fired, spikes = lif.forward(v, g, ready, synapses.arriving(step), step)
            synapses.clear(step)
            self._record_state(traces, step, v, g_step)
            g = lif.decay(g_step)
            flat, source = fired, self.sources[step]
            if source is not None:
                flat = torch.cat((flat, source))
            if plastic and previous.numel():
                weight = stdp.deferred(weight, previous, step)
            if plastic and flat.numel():
                weight = stdp.depress(weight, flat, step)
            if dense:
                counts = spikes if counts is None else counts + spikes
                synapses.send(self._with_sources(spikes, source), weight.view(self.batch, -1), step)
            elif flat.numel():
                synapses.send(flat, weight, step)
            if plastic and flat.numel():
                stdp.pre_spikes(flat, step)
                weight = stdp.potentiate(weight, flat, step)
                stdp.post_spikes(flat, step)
            if traces["w"] is not None:
                torch.index_select(weight.detach().view(self.batch, -1), 1, self.recorded_weights,
                                   out=traces["w"][step])
            spiked.append(flat)
            sizes.append(flat.shape[0])
            previous = flat
        return self._result(spiked, sizes, counts, weight, traces)

    def _traces(self):
        def empty(size):
            return torch.empty((self.n_steps, self.batch, size), dtype=self.dtype, device=self.device)

        traces = {key: empty(index.numel()) for key, index in self.recorded.items() if index.numel()}
        traces["w"] = empty(self.recorded_weights.numel()) if self.recorded_weights.numel() else None
        return traces

    def _record_state(self, traces, step, v, g):
        for key, index in self.recorded.items():
            if key in traces:
                source = v if key == "v" else g[:, 0 if key == "exc" else 1]
                torch.index_select(source.detach(), 1, index, out=traces[key][step])

    def _with_sources(self, spikes, source):
        if source is None:
            return spikes
        extra = torch.zeros(self.batch * self.n, dtype=spikes.dtype, device=self.device)
        return spikes + extra.index_fill_(0, source, 1.0).view(self.batch, self.n)

    def _result(self, spiked, sizes, counts, weight, traces) -> TorchRun:
        every = torch.cat(spiked) if spiked else torch.zeros(0, dtype=torch.int64, device=self.device)
        steps = np.repeat(np.arange(self.n_steps, dtype=np.int64), sizes)
        total = torch.bincount(every, minlength=self.batch * self.n).view(self.batch, self.n).to(self.dtype)
        if counts is None:
            counts = total
        else:  # neurons' counts carry the surrogate gradient; add the sources' (constant) counts
            is_source = torch.as_tensor(self.lowered.is_source, device=self.device)
            counts = counts + total * is_source
        state = {key: traces[key] for key in ("v", "exc", "inh") if key in traces}
        return TorchRun(steps, every.cpu().numpy().astype(np.int64), counts, weight.view(self.batch, -1), state,
                        traces["w"])


def _by_step(steps: np.ndarray, flat: np.ndarray, n_steps: int, device) -> list:
    """Per step, the source spikes of that step as a tensor (None when there are none)."""
    out = [None] * n_steps
    if steps.size:
        bounds = np.searchsorted(steps, np.arange(n_steps + 1))
        tensor = torch.as_tensor(flat, device=device)
        for step in np.flatnonzero(np.diff(bounds)):
            out[step] = tensor[bounds[step]:bounds[step + 1]]
    return out
