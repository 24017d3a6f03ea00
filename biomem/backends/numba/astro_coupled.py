"""Li-Rinzel astrocytes coupled to a network of LIF neurons, compiled by Numba.

The network part repeats the step of :mod:`biomem.backends.numba.kernel` (without plasticity) so
that astrocyte ticks, which run on their own slower step, slot between network steps in the order
:mod:`biomem.astrocytes.coupling` documents; the astrocyte update is :func:`~biomem.backends.numba.astrocytes.lr_step`.
"""

from __future__ import annotations

import math
import time

import numpy as np
from numba import njit

from biomem.astrocytes.arrays import lr_vector
from biomem.backends.numba.astrocytes import lr_step, sic_value
from biomem.backends.numba.kernel import _grow, _slots


@njit(cache=True)
def _run_coupled(n_steps, dt, is_source, conductance, v_init, v_rest, v_reset, v_thresh, cm, tau_m, i_offset,
                 e_rev_E, e_rev_I, refrac_steps, decay_m, decay_E, decay_I, scale_E, scale_I,
                 source_steps, source_neurons, out_ptr, out_syn, syn_post, weight, syn_delay, syn_receptor,
                 rec_v, p, every, sic_delay, ip3, ca, h, gather_ptr, gather_astro, gather_weight,
                 sic_ptr, sic_neuron, sic_weight, out_ip3, out_ca, out_h):
    """The kernel of :mod:`biomem.backends.numba.kernel` without plasticity, plus astrocytes.

    See :mod:`biomem.astrocytes.coupling` for the order of one step.
    """
    n = v_init.size
    n_astro = ip3.size
    depth = 2
    for k in range(syn_delay.size):
        depth = max(depth, syn_delay[k] + 1)
    buffer_E = np.zeros((depth, n))
    buffer_I = np.zeros((depth, n))
    v = v_init.copy()
    g_E = np.zeros(n)
    g_I = np.zeros(n)
    i_sic = np.zeros(n)
    refractory = np.zeros(n, np.int64)
    spiked = np.empty(n, np.int64)
    out_steps = np.empty(1024, np.int64)
    out_neurons = np.empty(1024, np.int64)
    n_out = 0
    trace_v = np.empty((n_steps, rec_v.size))
    trace_sic = np.empty((n_steps, rec_v.size))
    slot_v = _slots(rec_v, n)
    # SIC values of the last sic_delay + 1 ticks (a ring), so SIC can lag calcium by whole ticks.
    sic_ring = np.zeros((sic_delay + 1, n_astro))
    dt_astro = dt * every
    delta = p[9]
    source_ptr = 0
    tick = 0
    for step in range(n_steps):
        if step % every == 0:
            out_ip3[tick] = ip3
            out_ca[tick] = ca
            out_h[tick] = h
            slot = tick % (sic_delay + 1)
            for a in range(n_astro):
                sic_ring[slot, a] = sic_value(ca[a], p[8], p[7])
            # With sic_delay d, tick t uses the SIC of tick t - d (zero before the first sample).
            use = (tick + 1) % (sic_delay + 1) if sic_delay > 0 else slot
            i_sic[:] = 0.0
            if tick >= sic_delay:
                for a in range(n_astro):
                    value = sic_ring[use, a]
                    for s in range(sic_ptr[a], sic_ptr[a + 1]):
                        i_sic[sic_neuron[s]] += sic_weight[s] * value
            lr_step(ip3, ca, h, p, dt_astro)
            tick += 1
        slot = step % depth
        n_spiked = 0
        for i in range(n):
            if is_source[i]:
                continue
            g_E[i] += buffer_E[slot, i] * scale_E[i]
            g_I[i] += buffer_I[slot, i] * scale_I[i]
            buffer_E[slot, i] = 0.0
            buffer_I[slot, i] = 0.0
            if refractory[i] > 0:
                refractory[i] -= 1
            else:
                if conductance[i]:
                    leak = cm[i] / tau_m[i]
                    total = leak + g_E[i] + g_I[i]
                    v_inf = (leak * v_rest[i] + g_E[i] * e_rev_E[i] + g_I[i] * e_rev_I[i] + i_offset[i]
                             + i_sic[i]) / total
                    v[i] = v_inf - math.exp(-dt * total / cm[i]) * (v_inf - v[i])
                else:
                    drive = (g_E[i] - g_I[i] + i_offset[i] + i_sic[i]) * tau_m[i] / cm[i] + v_rest[i]
                    v[i] = drive - decay_m[i] * (drive - v[i])
                if v[i] >= v_thresh[i]:
                    v[i] = v_reset[i]
                    refractory[i] = refrac_steps[i]
                    spiked[n_spiked] = i
                    n_spiked += 1
            if slot_v[i] >= 0:
                trace_v[step, slot_v[i]] = v[i]
                trace_sic[step, slot_v[i]] = i_sic[i]
            g_E[i] *= decay_E[i]
            g_I[i] *= decay_I[i]
        while source_ptr < source_steps.size and source_steps[source_ptr] == step:
            spiked[n_spiked] = source_neurons[source_ptr]
            n_spiked += 1
            source_ptr += 1
        for q in range(n_spiked):
            i = spiked[q]
            for s in range(out_ptr[i], out_ptr[i + 1]):
                k = out_syn[s]
                target = (step + syn_delay[k]) % depth
                if syn_receptor[k] == 0:
                    buffer_E[target, syn_post[k]] += weight[k]
                else:
                    buffer_I[target, syn_post[k]] += weight[k]
            for s in range(gather_ptr[i], gather_ptr[i + 1]):
                ip3[gather_astro[s]] += delta * gather_weight[s]
        if n_out + n_spiked > out_steps.size:
            out_steps = _grow(out_steps, n_out + n_spiked)
            out_neurons = _grow(out_neurons, n_out + n_spiked)
        for q in range(n_spiked):
            out_steps[n_out] = step
            out_neurons[n_out] = spiked[q]
            n_out += 1
    out_ip3[tick] = ip3
    out_ca[tick] = ca
    out_h[tick] = h
    return out_steps[:n_out], out_neurons[:n_out], trace_v, trace_sic


def simulate_coupled(lowered, astro, **options):
    """A lowered network with lowered astrocytes (:func:`biomem.astrocytes.coupling.lower_layer`)."""
    from biomem.astrocytes.coupling import CoupledResult
    from biomem.backends.numba.backend import _index
    from biomem.errors import BiomemError
    if options:
        raise BiomemError("options", f"numba takes no options, got {', '.join(options)}", "none")
    layer = astro.layer
    n = lowered.n_neurons
    out_ptr, out_syn = _index(lowered.syn_pre, np.arange(lowered.n_synapses), n)
    rec_v = lowered.recorded_neurons("v")
    traces = [np.empty((astro.n_ticks + 1, layer.n)) for _ in range(3)]
    ip3, ca, h = (row.copy() for row in astro.initial)
    p = lr_vector(layer.astrocyte)
    started = time.perf_counter()
    steps, neurons, trace_v, trace_sic = _run_coupled(
        lowered.n_steps, lowered.dt, lowered.is_source, lowered.conductance, lowered.v_init, lowered.v_rest,
        lowered.v_reset, lowered.v_thresh, lowered.cm, lowered.tau_m, lowered.i_offset, lowered.e_rev_E,
        lowered.e_rev_I, lowered.refrac_steps, lowered.decay_m, lowered.decay_E, lowered.decay_I, lowered.scale_E,
        lowered.scale_I, lowered.source_steps, lowered.source_neurons, out_ptr, out_syn, lowered.syn_post,
        lowered.syn_weight.copy(), lowered.syn_delay, lowered.syn_receptor, rec_v.astype(np.int64), p,
        int(layer.astro_every), int(layer.sic_delay), ip3, ca, h, astro.gather_ptr, astro.gather_astro,
        astro.gather_weight, astro.sic_ptr, astro.sic_neuron, astro.sic_weight, *traces)
    wall = time.perf_counter() - started
    order = np.lexsort((neurons, steps))
    state = {"IP3": traces[0], "Ca_astro": traces[1], "h_IP3R": traces[2],
             "SIC": layer.astrocyte.sic(traces[1])}
    times = np.arange(astro.n_ticks + 1) * lowered.dt * layer.astro_every
    return CoupledResult(lowered, steps[order], neurons[order], trace_v, trace_sic, state, times, "numba", wall)
