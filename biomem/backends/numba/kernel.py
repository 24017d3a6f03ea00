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

The code computes exactly this, operation for operation, but arranged for speed (see the
comment above :func:`_conductance_drive`): the neuron update runs as branch-free passes over
each segment that compile to SIMD code, the decay of step 4 is applied at the start of the
next step (so the recorded input is the one that drove the step), and the conductance-based
``exp`` runs in a pass of its own (:func:`_exp_into`), so the calls into the C library do not
break up the vectorised arithmetic around them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _exp_into(x, out):
    """``out[i] = exp(x[i])`` with the C library's ``exp``: the value every backend computes."""
    for i in range(x.size):
        out[i] = math.exp(x[i])


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


# The neuron update is split into passes over one segment (contiguous neurons of equal
# parameters), each a loop without branches or calls that LLVM turns into SIMD code: the
# input and the closed-form coefficients of every neuron, then exp (conductance-based cells),
# then membrane, threshold and refractoriness, then the collection of the few that fired.
# Every value is computed with the same operations in the same order as the one-neuron-at-a-
# time form in the module docstring, so the results are the same, bit for bit. Refractory
# neurons compute a membrane update that is then discarded (cheaper than a branch per neuron).


@njit(cache=True, error_model="numpy", nogil=True)
def _conductance_drive(g_E, g_I, arriving_E, arriving_I, d_E, d_I, s_E, s_I, leak, leak_rest, E_E, E_I, offset,
                       minus_dt, c_m, v_inf, exponent):
    """Conductances of this step, ``v_inf`` and the exponent ``-dt g / cm``; empties the ring slot.

    ``g_E``/``g_I`` arrive holding the previous step's values and are decayed here, first
    (``g d + w s`` is the ``g *= d`` after the previous step, then ``g += w s``)."""
    for i in range(g_E.size):
        gE = g_E[i] * d_E + arriving_E[i] * s_E
        gI = g_I[i] * d_I + arriving_I[i] * s_I
        g_E[i] = gE
        g_I[i] = gI
        arriving_E[i] = 0.0
        arriving_I[i] = 0.0
        total = leak + gE + gI
        v_inf[i] = (leak_rest + gE * E_E + gI * E_I + offset) / total
        exponent[i] = minus_dt * total / c_m


@njit(cache=True, error_model="numpy", nogil=True)
def _current_drive(g_E, g_I, arriving_E, arriving_I, d_E, d_I, s_E, s_I, offset, t_m, c_m, rest, v_inf):
    """Currents of this step and the asymptote ``a`` of the current-based update, as above."""
    for i in range(g_E.size):
        gE = g_E[i] * d_E + arriving_E[i] * s_E
        gI = g_I[i] * d_I + arriving_I[i] * s_I
        g_E[i] = gE
        g_I[i] = gI
        arriving_E[i] = 0.0
        arriving_I[i] = 0.0
        v_inf[i] = (gE - gI + offset) * t_m / c_m + rest


@njit(cache=True, error_model="numpy", nogil=True)
def _membrane(v, v_inf, factor, refractory, fired, threshold, reset, refrac):
    """``v = v_inf - factor (v_inf - v)`` for non-refractory neurons, then threshold and reset;
    ``fired[i]`` marks the spikes. Returns whether any neuron fired."""
    any_fired = False
    for i in range(v.size):
        r = refractory[i]
        free = r <= 0
        u = v_inf[i] - factor[i] * (v_inf[i] - v[i])
        fire = free & (u >= threshold)
        v[i] = reset if fire else (u if free else v[i])
        refractory[i] = refrac if fire else (r if free else r - 1)
        fired[i] = fire
        any_fired |= fire
    return any_fired


@njit(cache=True, error_model="numpy", nogil=True)
def _collect(fired, fired_words, start, stop, spiked, n_spiked):
    """Append the neurons of ``[start, stop)`` marked in ``fired`` to ``spiked``, in index order.

    Spikes are rare: eight flags are tested at once through ``fired_words``, a uint64 view."""
    for w in range(start >> 3, (stop + 7) >> 3):
        if fired_words[w] != 0:
            for i in range(max(w << 3, start), min((w << 3) + 8, stop)):
                if fired[i]:
                    spiked[n_spiked] = i
                    n_spiked += 1
    return n_spiked


@njit(cache=True, error_model="numpy", nogil=True)
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
    # Ring buffer, slot by slot: the excitatory input of all neurons, then the inhibitory one.
    # Each synapse's place in a slot (receptor and target) and its delay are gathered in CSR
    # order once, so a spike reads them sequentially; ``row[d]`` is where the slot of the step
    # ``d`` ahead starts, so the modulo is taken per step, not per synapse.
    buffer = np.zeros(depth * 2 * n)
    row = np.empty(depth, np.int64)
    out_target = np.empty(out_syn.size, np.int64)
    out_delay = np.empty(out_syn.size, np.int64)
    for s in range(out_syn.size):
        k = out_syn[s]
        out_target[s] = syn_post[k] + (n if syn_receptor[k] != 0 else 0)
        out_delay[s] = syn_delay[k]
    v = v_init.copy()
    g_E = np.zeros(n)
    g_I = np.zeros(n)
    refractory = np.zeros(n, np.int64)
    # Per-step scratch of the membrane update (see _conductance_drive and _membrane).
    v_inf = np.empty(n)
    exponent = np.empty(n)
    factor = np.empty(n)
    fired = np.zeros((n + 7) // 8 * 8, np.uint8)
    fired_words = fired.view(np.uint64)
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

    for step in range(n_steps):
        for d in range(depth):
            row[d] = (step + d) % depth * 2 * n
        arriving_E = buffer[row[0]:row[0] + n]
        arriving_I = buffer[row[0] + n:row[0] + 2 * n]
        n_spiked = 0
        for segment in range(segment_start.size):
            if segment_kind[segment] == SOURCE_SEGMENT:
                continue
            # Parameters are uniform within a segment: reading them once as scalars keeps the
            # per-neuron loops to their state arrays. The arithmetic is unchanged, bit for bit.
            p, stop = segment_start[segment], segment_stop[segment]
            if segment_kind[segment] == CONDUCTANCE_SEGMENT:
                leak = cm[p] / tau_m[p]
                _conductance_drive(g_E[p:stop], g_I[p:stop], arriving_E[p:stop], arriving_I[p:stop],
                                   decay_E[p], decay_I[p], scale_E[p], scale_I[p], leak, leak * v_rest[p],
                                   e_rev_E[p], e_rev_I[p], i_offset[p], -dt, cm[p], v_inf[p:stop], exponent[p:stop])
                _exp_into(exponent[p:stop], factor[p:stop])
            else:
                _current_drive(g_E[p:stop], g_I[p:stop], arriving_E[p:stop], arriving_I[p:stop],
                               decay_E[p], decay_I[p], scale_E[p], scale_I[p], i_offset[p], tau_m[p], cm[p],
                               v_rest[p], v_inf[p:stop])
                factor[p:stop] = decay_m[p]
            if _membrane(v[p:stop], v_inf[p:stop], factor[p:stop], refractory[p:stop], fired[p:stop],
                         v_thresh[p], v_reset[p], refrac_steps[p]):
                n_spiked = _collect(fired, fired_words, p, stop, spiked, n_spiked)
        # g_E and g_I hold the input that drove this step (decayed at the start of the next).
        for r in range(rec_v.size):
            trace_v[step, r] = v[rec_v[r]]
        for r in range(rec_exc.size):
            trace_exc[step, r] = g_E[rec_exc[r]]
        for r in range(rec_inh.size):
            trace_inh[step, r] = g_I[rec_inh[r]]
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
                if n_rules > 0:  # (a network without STDP skips the lookups)
                    j = syn_post[k]
                    r = syn_rule[k]
                    if r >= 0 and y_step[r, j] != NEVER:
                        lag = step - y_step[r, j]
                        if rule_variant[r] == SPINNAKER:
                            lag -= 1
                        y = y_value[r, j] * math.exp(-lag * dt / rule_tau_minus[r])
                        weight[k] = max(weight[k] - rule_a_minus[r] * y, rule_w_min[r])
                buffer[row[out_delay[s]] + out_target[s]] += weight[k]
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
