"""Li-Rinzel astrocytes coupled to a network of LIF neurons on tensors: trials of one topology batched."""

from __future__ import annotations

import time

import numpy as np
import torch

from biomem.backends.torch.astrocytes import LiRinzelTorch, resolve, threads


def _sic_population():
    from biomem.backends.torch.layers import LIFPopulation

    class SICPopulation(LIFPopulation):
        """The torch backend's LIF population with an extra current ``self.extra`` (B, N) in the membrane,
        added after ``i_offset`` as the Numba coupled kernel adds ``I_SIC``."""

        extra = None

        def membrane(self, v, g_e, g_i):
            extra = self.extra
            if self.any_current:
                drive = g_e - g_i + self.i_offset if self.any_offset else g_e - g_i
                drive = (drive + extra) * self.tau_m / self.cm + self.v_rest
                current = drive - self.decay_m * (drive - v)
                if not self.any_conductance:
                    return current
            total = self.leak + g_e + g_i
            v_inf = self.leak_v_rest + g_e * self.e_rev_E + g_i * self.e_rev_I
            v_inf = ((v_inf + self.i_offset if self.any_offset else v_inf) + extra) / total
            conductance = v_inf - torch.exp(total * -self.dt / self.cm) * (v_inf - v)
            if not self.any_current:
                return conductance
            return torch.where(self.conductance, conductance, current)

    return SICPopulation


def simulate_coupled_batch(trials, astro, device="cpu", dtype=None):
    """B lowered trials of one topology with the same lowered astrocytes, in one batched pass.

    Neurons step as the torch backend's :class:`~biomem.backends.torch.layers.LIFPopulation` (the
    Numba kernel's arithmetic) with ``I_SIC`` added; astrocytes as :class:`LiRinzelTorch`.
    Returns one :class:`biomem.astrocytes.coupling.CoupledResult` per trial.
    """
    from biomem.astrocytes.coupling import CoupledResult
    from biomem.backends.torch.batch import stack
    from biomem.backends.torch.network import _by_step
    from biomem.backends.torch.synapses import DelayRing
    device, dtype = resolve(device, torch.float64 if dtype is None else dtype)
    stacked = stack(trials)
    lowered, batch = stacked.lowered, stacked.batch
    n, layer = lowered.n_neurons, astro.layer
    every, delay = layer.astro_every, layer.sic_delay
    lif = _sic_population()(lowered, lowered.dt, device, dtype)
    ring = DelayRing(lowered, batch, device, dtype)
    weight = torch.as_tensor(stacked.weights, dtype=dtype, device=device).reshape(-1)
    sources = _by_step(stacked.source_steps, stacked.source_flat, lowered.n_steps, device)
    lr = LiRinzelTorch(layer.astrocyte)
    x = [torch.as_tensor(np.tile(row, (batch, 1)), dtype=dtype, device=device) for row in astro.initial]
    # Dense maps: gather (N x A) IP3 jump per spike, sic (A x N) nA per unit SIC (summed like the kernel).
    gather = np.zeros((n, layer.n))
    np.add.at(gather, (np.repeat(np.arange(n), np.diff(astro.gather_ptr)), astro.gather_astro),
              layer.astrocyte.delta_IP3 * astro.gather_weight)
    sic_map = np.zeros((layer.n, n))
    np.add.at(sic_map, (np.repeat(np.arange(layer.n), np.diff(astro.sic_ptr)), astro.sic_neuron), astro.sic_weight)
    gather_t = torch.as_tensor(gather, dtype=dtype, device=device)
    sic_t = torch.as_tensor(sic_map, dtype=dtype, device=device)
    any_gather = bool(astro.gather_ptr[-1])
    rec = torch.as_tensor(lowered.recorded_neurons("v"), device=device)
    trace_v = torch.empty((lowered.n_steps, batch, rec.numel()), dtype=dtype, device=device)
    trace_sic = torch.empty_like(trace_v)
    samples = [[] for _ in range(3)]
    history = []
    v, g, ready = lif.initial_state(torch.as_tensor(stacked.v_init, dtype=dtype, device=device))
    extra = torch.zeros((batch, n), dtype=dtype, device=device)
    spiked, sizes = [], []
    started = time.perf_counter()
    with torch.no_grad(), threads(None, device):
        for step in range(lowered.n_steps):
            if step % every == 0:
                for store, value in zip(samples, x):
                    store.append(value.clone())
                history.append(lr.sic(x[1]))
                tick = len(history) - 1
                extra = history[tick - delay] @ sic_t if tick >= delay else torch.zeros_like(extra)
                if len(history) > delay + 1:
                    history.pop(0)
                x = list(lr.step(*x, lowered.dt * every))
            lif.extra = extra
            v, g_step, ready, fired, _ = lif.forward(v, g, ready, ring.arriving(step), step)
            ring.clear(step)
            if rec.numel():
                trace_v[step] = v.index_select(1, rec)
                trace_sic[step] = extra.index_select(1, rec)
            g = lif.decay(g_step)
            flat = fired if sources[step] is None else torch.cat((fired, sources[step]))
            if flat.numel():
                ring.send(flat, weight, step)
                if any_gather:
                    counts = torch.zeros(batch * n, dtype=dtype, device=device).index_add_(
                        0, flat, torch.ones(flat.numel(), dtype=dtype, device=device))
                    x[0] = x[0] + counts.view(batch, n) @ gather_t
            spiked.append(flat)
            sizes.append(flat.numel())
        for store, value in zip(samples, x):
            store.append(value.clone())
    wall = time.perf_counter() - started
    every_spike = torch.cat(spiked).cpu().numpy() if spiked else np.zeros(0, np.int64)
    steps = np.repeat(np.arange(lowered.n_steps, dtype=np.int64), sizes)
    arrays = [torch.stack(store).cpu().numpy() for store in samples]   # (ticks + 1, B, A)
    trace_v, trace_sic = trace_v.cpu().numpy(), trace_sic.cpu().numpy()
    times = np.arange(astro.n_ticks + 1) * lowered.dt * every
    results = []
    for b, trial in enumerate(list(trials)):
        mine = (every_spike // n) == b
        s, neurons = steps[mine], every_spike[mine] % n
        order = np.lexsort((neurons, s))
        state = {"IP3": arrays[0][:, b], "Ca_astro": arrays[1][:, b], "h_IP3R": arrays[2][:, b],
                 "SIC": layer.astrocyte.sic(arrays[1][:, b])}
        results.append(CoupledResult(trial, s[order], neurons[order], trace_v[:, b], trace_sic[:, b], state, times,
                                     "torch", wall))
    return results

