"""The clock-driven spiking kernel, compiled by Numba.

One step ``n`` (time ``n dt``), in the order sPyNNaker uses on SpiNNaker:

1. synaptic input arriving at step ``n`` is added: ``I += w * scale`` (ring buffer slot ``n mod D``);
2. non-refractory neurons integrate the membrane in closed form, with currents and
   conductances held constant over the step (exact for piecewise-constant input):
   current-based ``a = (I_E - I_I + i_offset) tau_m / cm + v_rest``, ``v = a - exp(-dt/tau_m) (a - v)``;
   conductance-based ``g = cm/tau_m + g_E + g_I``,
   ``v_inf = (cm/tau_m v_rest + g_E E_E + g_I E_I + i_offset) / g``, ``v = v_inf - exp(-dt g/cm) (v_inf - v)``;
3. ``v >= v_thresh`` spikes: ``v = v_reset`` and integration is skipped for ``refrac_steps`` steps;
4. synaptic variables decay: ``I *= exp(-dt/tau_syn)``;
5. spikes of step ``n`` (neurons and sources) update plasticity and enter the ring buffer at
   slot ``(n + delay) mod D`` (see :class:`biomem.description.STDP` for the rule's order).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TEXTBOOK, SPINNAKER = 0, 1
SOURCE_SEGMENT, CURRENT_SEGMENT, CONDUCTANCE_SEGMENT = 0, 1, 2
NEVER = -(1 << 40)


@njit(cache=True)
def _grow(array, size):
    bigger = np.empty(max(2 * array.size, size), array.dtype)
    bigger[: array.size] = array
    return bigger


@njit(cache=True)
def _slots(recorded, n):
    slots = np.full(n, -1, np.int64)
    for r in range(recorded.size):
        slots[recorded[r]] = r
    return slots


@njit(cache=True)
def simulate(n_steps, dt, segment_start, segment_stop, segment_kind, v_init, v_rest, v_reset, v_thresh, cm, tau_m, i_offset,
             e_rev_E, e_rev_I, refrac_steps, decay_m, decay_E, decay_I, scale_E, scale_I,
             source_steps, source_neurons,
             out_ptr, out_syn, syn_post, weight, syn_delay, syn_receptor,
             in_ptr, in_syn, syn_pre, syn_rule,
             rule_variant, rule_tau_plus, rule_tau_minus, rule_a_plus, rule_a_minus, rule_w_min, rule_w_max,
             rec_v, rec_exc, rec_inh, rec_weights):
    """Simulate ``n_steps`` steps of one lowered network; return its spikes, final weights and traces.

    Parameters
    ----------
    n_steps : int
        Number of steps to simulate.
    dt : float
        Time step (ms).
    segment_start, segment_stop, segment_kind : ndarray of int64
        Contiguous neuron ranges ``[start, stop)`` of uniform parameters and their kind
        (``SOURCE_SEGMENT``, ``CURRENT_SEGMENT`` or ``CONDUCTANCE_SEGMENT``).
    v_init, v_rest, v_reset, v_thresh, cm, tau_m, i_offset, e_rev_E, e_rev_I : ndarray of float
        Per-neuron initial potential and cell parameters (mV, nF, ms, nA); within a segment
        the values of its first neuron apply.
    refrac_steps : ndarray of int64
        Per-neuron refractory period (steps).
    decay_m, decay_E, decay_I, scale_E, scale_I : ndarray of float
        Per-neuron per-step factors, as in :class:`~biomem.description.lowered.LoweredNetwork`.
    source_steps, source_neurons : ndarray of int64
        Spikes of the spike sources (step, global neuron index), sorted by step.
    out_ptr, out_syn : ndarray of int64
        CSR index of all synapses grouped by presynaptic neuron (``out_ptr`` has N + 1 entries).
    syn_post, weight, syn_delay, syn_receptor : ndarray
        Per-synapse target neuron, weight (nA or uS; updated in place), delay (steps, at least 1)
        and receptor (0 excitatory, 1 inhibitory).
    in_ptr, in_syn : ndarray of int64
        CSR index of the plastic synapses grouped by postsynaptic neuron.
    syn_pre, syn_rule : ndarray of int64
        Per-synapse source neuron and STDP rule index (-1: static synapse).
    rule_variant, rule_tau_plus, rule_tau_minus, rule_a_plus, rule_a_minus, rule_w_min, rule_w_max : ndarray
        Per-rule STDP parameters: variant (``TEXTBOOK`` or ``SPINNAKER``), trace time constants
        (ms), amplitudes and weight bounds (weight units).
    rec_v, rec_exc, rec_inh : ndarray of int64
        Global indices of the neurons whose membrane potential, excitatory or inhibitory
        synaptic variable is recorded every step.
    rec_weights : ndarray of int64
        Indices of the synapses whose weight is recorded every step.

    Returns
    -------
    spike_steps, spike_neurons : ndarray of int64
        Step and global neuron index of every spike (neurons and sources), in step order.
    weight : ndarray of float
        Final synaptic weights (the ``weight`` argument, updated in place).
    trace_v, trace_exc, trace_inh : ndarray of float
        Shape (n_steps, len(rec_*)): membrane potential (mV) after the step's update and reset,
        and the excitatory/inhibitory current (nA) or conductance (uS) that drove the step.
    trace_w : ndarray of float
        Shape (n_steps, len(rec_weights)): recorded weights after each step's plasticity.
    """
    n = v_init.size
    depth = 2
    for k in range(syn_delay.size):
        depth = max(depth, syn_delay[k] + 1)
    buffer_E = np.zeros((depth, n))
    buffer_I = np.zeros((depth, n))
    v = v_init.copy()
    g_E = np.zeros(n)
    g_I = np.zeros(n)
    refractory = np.zeros(n, np.int64)
    n_rules = rule_variant.size
    x_value = np.zeros((n_rules, n))
    x_step = np.full((n_rules, n), NEVER, np.int64)
    y_value = np.zeros((n_rules, n))
    y_step = np.full((n_rules, n), NEVER, np.int64)
    spiked = np.empty(n, np.int64)
    previous = np.empty(n, np.int64)
    n_previous = 0
    out_steps = np.empty(1024, np.int64)
    out_neurons = np.empty(1024, np.int64)
    n_out = 0
    trace_v = np.empty((n_steps, rec_v.size))
    trace_exc = np.empty((n_steps, rec_exc.size))
    trace_inh = np.empty((n_steps, rec_inh.size))
    trace_w = np.empty((n_steps, rec_weights.size))
    source_ptr = 0
    # A column per recorded neuron and variable (-1: not recorded), so recording costs one
    # branch per update instead of a second pass over the population.
    slot_v = _slots(rec_v, n)
    slot_exc = _slots(rec_exc, n)
    slot_inh = _slots(rec_inh, n)
    recorded = (slot_v >= 0) | (slot_exc >= 0) | (slot_inh >= 0)

    for step in range(n_steps):
        slot = step % depth
        n_spiked = 0
        for segment in range(segment_start.size):
            if segment_kind[segment] == SOURCE_SEGMENT:
                continue
            # Parameters are uniform within a segment: reading them once as scalars keeps the
            # per-neuron loop to its state arrays. The arithmetic is unchanged, bit for bit.
            p = segment_start[segment]
            is_conductance = segment_kind[segment] == CONDUCTANCE_SEGMENT
            s_E, s_I, d_E, d_I = scale_E[p], scale_I[p], decay_E[p], decay_I[p]
            c_m, t_m, d_m, offset = cm[p], tau_m[p], decay_m[p], i_offset[p]
            rest, reset, threshold, refrac = v_rest[p], v_reset[p], v_thresh[p], refrac_steps[p]
            E_E, E_I = e_rev_E[p], e_rev_I[p]
            leak = c_m / t_m
            for i in range(p, segment_stop[segment]):
                g_E[i] += buffer_E[slot, i] * s_E
                g_I[i] += buffer_I[slot, i] * s_I
                buffer_E[slot, i] = 0.0
                buffer_I[slot, i] = 0.0
                if refractory[i] > 0:
                    refractory[i] -= 1
                else:
                    if is_conductance:
                        total = leak + g_E[i] + g_I[i]
                        v_inf = (leak * rest + g_E[i] * E_E + g_I[i] * E_I + offset) / total
                        v[i] = v_inf - math.exp(-dt * total / c_m) * (v_inf - v[i])
                    else:
                        drive = (g_E[i] - g_I[i] + offset) * t_m / c_m + rest
                        v[i] = drive - d_m * (drive - v[i])
                    if v[i] >= threshold:
                        v[i] = reset
                        refractory[i] = refrac
                        spiked[n_spiked] = i
                        n_spiked += 1
                if recorded[i]:
                    if slot_v[i] >= 0:
                        trace_v[step, slot_v[i]] = v[i]
                    if slot_exc[i] >= 0:
                        trace_exc[step, slot_exc[i]] = g_E[i]
                    if slot_inh[i] >= 0:
                        trace_inh[step, slot_inh[i]] = g_I[i]
                g_E[i] *= d_E
                g_I[i] *= d_I
        while source_ptr < source_steps.size and source_steps[source_ptr] == step:
            spiked[n_spiked] = source_neurons[source_ptr]
            n_spiked += 1
            source_ptr += 1

        # Deferred potentiation (spinnaker variant) for targets that fired at step - 1.
        for q in range(n_previous):
            j = previous[q]
            for s in range(in_ptr[j], in_ptr[j + 1]):
                k = in_syn[s]
                r = syn_rule[k]
                if rule_variant[r] != SPINNAKER:
                    continue
                i = syn_pre[k]
                if x_step[r, i] == NEVER:
                    continue
                x = x_value[r, i] * math.exp(-(step - x_step[r, i]) * dt / rule_tau_plus[r])
                weight[k] = min(weight[k] + rule_a_plus[r] * x, rule_w_max[r])

        # Source side: depression, then transmission of the updated weight.
        for q in range(n_spiked):
            i = spiked[q]
            for s in range(out_ptr[i], out_ptr[i + 1]):
                k = out_syn[s]
                j = syn_post[k]
                r = syn_rule[k]
                if r >= 0 and y_step[r, j] != NEVER:
                    lag = step - y_step[r, j]
                    if rule_variant[r] == SPINNAKER:
                        lag -= 1
                    y = y_value[r, j] * math.exp(-lag * dt / rule_tau_minus[r])
                    weight[k] = max(weight[k] - rule_a_minus[r] * y, rule_w_min[r])
                target = (step + syn_delay[k]) % depth
                if syn_receptor[k] == 0:
                    buffer_E[target, j] += weight[k]
                else:
                    buffer_I[target, j] += weight[k]
            for r in range(n_rules):
                if x_step[r, i] == NEVER:
                    x_value[r, i] = 1.0
                else:
                    x_value[r, i] = x_value[r, i] * math.exp(-(step - x_step[r, i]) * dt / rule_tau_plus[r]) + 1.0
                x_step[r, i] = step

        # Target side: immediate potentiation (textbook variant), then target traces.
        for q in range(n_spiked):
            j = spiked[q]
            for s in range(in_ptr[j], in_ptr[j + 1]):
                k = in_syn[s]
                r = syn_rule[k]
                if rule_variant[r] != TEXTBOOK:
                    continue
                i = syn_pre[k]
                if x_step[r, i] == NEVER:
                    continue
                x = x_value[r, i] * math.exp(-(step - x_step[r, i]) * dt / rule_tau_plus[r])
                weight[k] = min(weight[k] + rule_a_plus[r] * x, rule_w_max[r])
            for r in range(n_rules):
                if y_step[r, j] == NEVER:
                    y_value[r, j] = 1.0
                else:
                    y_value[r, j] = y_value[r, j] * math.exp(-(step - y_step[r, j]) * dt / rule_tau_minus[r]) + 1.0
                y_step[r, j] = step

        for r in range(rec_weights.size):
            trace_w[step, r] = weight[rec_weights[r]]
        if n_out + n_spiked > out_steps.size:
            out_steps = _grow(out_steps, n_out + n_spiked)
            out_neurons = _grow(out_neurons, n_out + n_spiked)
        for q in range(n_spiked):
            out_steps[n_out] = step
            out_neurons[n_out] = spiked[q]
            n_out += 1
        for q in range(n_spiked):
            previous[q] = spiked[q]
        n_previous = n_spiked

    return out_steps[:n_out], out_neurons[:n_out], weight, trace_v, trace_exc, trace_inh, trace_w
