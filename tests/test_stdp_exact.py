"""STDP weight changes to rounding, for both rule variants, on every backend.

Each test builds independent pre/post pairs (one-to-one): source ``pre[i]`` fires at given
steps, and a strong one-step input from ``drive[i]`` makes ``post[i]`` fire at given steps.
The expected weights come straight from the formulae of :class:`biomem.description.STDP`,
as explicit sums over spike pairs (no traces), processed in the documented order.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomem.description import (STDP, IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                SpikeSourceArray)

DT = 0.1
# Fast synapse and a refractory period long enough that the drive's residual current is gone.
POST_CELL = IF_curr_exp(tau_syn_E=0.1, tau_syn_I=0.1, tau_refrac=2.0)


def one_step_weight(cell, dt) -> float:
    """A weight that takes the membrane from rest past threshold within the step it arrives."""
    scale = (cell.tau_syn_E / dt) * (1.0 - math.exp(-dt / cell.tau_syn_E))
    rise_per_na = (1.0 - math.exp(-dt / cell.tau_m)) * cell.tau_m / cell.cm
    return 3.0 * (cell.v_thresh - cell.v_rest) / (scale * rise_per_na)


def pair_network(pairs, rule, w0):
    """``pairs``: list of (pre_steps, post_steps). Returns the network; post spikes are driven."""
    n = len(pairs)
    network = Network("stdp")
    pre = network.add(Population("pre", n, SpikeSourceArray([[s * DT for s in p] for p, _ in pairs])))
    drive = network.add(Population("drive", n, SpikeSourceArray([[(s - 1) * DT for s in q] for _, q in pairs])))
    post = network.add(Population("post", n, POST_CELL))
    network.add(Projection(drive, post, OneToOneConnector(), weight=one_step_weight(POST_CELL, DT), delay=DT,
                           label="drive_post"))
    network.add(Projection(pre, post, OneToOneConnector(), weight=w0, delay=DT, plasticity=rule,
                           label="plastic", record_weights=True))
    return network


def reference_trace(pre_steps, post_steps, rule: STDP, w0: float, n_steps: int) -> np.ndarray:
    """The weight after each step, from the docstring's pair sums (all-to-all pairing)."""
    a_plus, a_minus = rule.potentiation_amplitude, rule.depression_amplitude
    w, trace = w0, np.empty(n_steps)
    for step in range(n_steps):
        if rule.variant == "textbook":
            for t in (t for t in pre_steps if t == step):
                w -= a_minus * sum(math.exp(-(t - s) * DT / rule.tau_minus) for s in post_steps if s < t)
                w = max(w, rule.w_min)
            for s in (s for s in post_steps if s == step):
                w += a_plus * sum(math.exp(-(s - u) * DT / rule.tau_plus) for u in pre_steps if u <= s)
                w = min(w, rule.w_max)
        else:
            # Potentiation for a target spike at s happens at s + 1, before depression.
            for s in (s for s in post_steps if s + 1 == step):
                w += a_plus * sum(math.exp(-(s + 1 - u) * DT / rule.tau_plus) for u in pre_steps if u <= s)
                w = min(w, rule.w_max)
            for t in (t for t in pre_steps if t == step):
                w -= a_minus * sum(math.exp(-(t - 1 - s) * DT / rule.tau_minus) for s in post_steps if s <= t - 1)
                w = max(w, rule.w_min)
        trace[step] = w
    return trace


def check_run(run, pairs, rule, w0, duration=25.0):
    result = run(pair_network(pairs, rule, w0), duration, DT)
    n_steps = result.network.n_steps
    steps, indices = result.spike_steps("post")
    for i, (_, post_steps) in enumerate(pairs):
        np.testing.assert_array_equal(steps[indices == i], post_steps, err_msg=f"post[{i}] did not fire as driven")
    expected = np.stack([reference_trace(p, q, rule, w0, n_steps) for p, q in pairs], axis=1)
    np.testing.assert_allclose(result.weight_trace("plastic"), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.weights("plastic"), expected[-1], rtol=1e-12, atol=1e-15)
    return result.weights("plastic")


# (pre steps, post steps): lag = post - pre.
LAGS = [25, 1, 0, -1, -25]
SINGLE_PAIRS = [([100], [100 + lag]) if lag >= 0 else ([100 - lag], [100]) for lag in LAGS]


def test_textbook_single_pairs(run):
    rule = STDP(tau_plus=16.0, tau_minus=33.0, A_plus=0.05, A_minus=0.06, w_min=0.0, w_max=2.0,
                variant="textbook")
    w0 = 1.0
    final = check_run(run, SINGLE_PAIRS, rule, w0)
    # Written out from the docstring: A * w_max * exp(-|lag| dt / tau); a simultaneous pair potentiates.
    expected = [w0 + 0.05 * 2.0 * math.exp(-25 * DT / 16.0),
                w0 + 0.05 * 2.0 * math.exp(-1 * DT / 16.0),
                w0 + 0.05 * 2.0,
                w0 - 0.06 * 2.0 * math.exp(-1 * DT / 33.0),
                w0 - 0.06 * 2.0 * math.exp(-25 * DT / 33.0)]
    np.testing.assert_allclose(final, expected, rtol=1e-12)


def test_spinnaker_single_pairs(run):
    rule = STDP(tau_plus=16.0, tau_minus=33.0, A_plus=0.05, A_minus=0.06, w_min=0.0, w_max=2.0,
                variant="spinnaker")
    w0 = 1.0
    final = check_run(run, SINGLE_PAIRS, rule, w0)
    # Absolute amplitudes and one-step offsets: potentiation sees lag + 1, depression lag + 1 ... - 1,
    # a simultaneous pair potentiates by A_plus exp(-dt/tau_plus), and lag -1 depresses by A_minus.
    expected = [w0 + 0.05 * math.exp(-26 * DT / 16.0),
                w0 + 0.05 * math.exp(-2 * DT / 16.0),
                w0 + 0.05 * math.exp(-1 * DT / 16.0),
                w0 - 0.06,
                w0 - 0.06 * math.exp(-24 * DT / 33.0)]
    np.testing.assert_allclose(final, expected, rtol=1e-12)


def test_change_happens_at_the_documented_step(run):
    """Textbook potentiation shows in the weight at the target spike's step, spinnaker's one step later."""
    pairs = [([50], [80])]
    for variant, step in (("textbook", 80), ("spinnaker", 81)):
        rule = STDP(A_plus=0.1, variant=variant)
        trace = run(pair_network(pairs, rule, 0.5), 12.0, DT).weight_trace("plastic")[:, 0]
        changed = np.flatnonzero(trace != 0.5)
        assert changed.size and changed[0] == step, f"{variant}: weight changed first at step {changed[:1]}"


@pytest.mark.parametrize("variant", ["textbook", "spinnaker"])
def test_clipping(run, variant):
    # Amplitudes large enough to cross the bounds in one pairing.
    rule = STDP(tau_plus=20.0, tau_minus=20.0, A_plus=0.5, A_minus=0.5, w_min=0.5, w_max=1.0, variant=variant)
    pairs = [([100], [110]),        # potentiation past w_max
             ([110], [100]),        # depression past w_min
             ([100], [300]),        # potentiation inside the bounds: 0.8 + 0.5 exp(-20/20)
             ([40, 100], [60, 130])]  # four updates, clipped along the way
    final = check_run(run, pairs, rule, 0.8, duration=32.0)
    assert final[0] == 1.0
    assert final[1] == 0.5
    assert 0.5 < final[2] < 1.0


@pytest.mark.parametrize("variant", ["textbook", "spinnaker"])
def test_all_to_all_accumulation(run, variant):
    rule = STDP(tau_plus=10.0, tau_minus=15.0, A_plus=0.02, A_minus=0.03, w_max=1.0, variant=variant)
    w0 = 0.5
    pairs = [([40, 60], [80]),          # two source spikes, then a target spike
             ([150], [100, 130]),       # two target spikes, then a source spike
             ([40, 90, 160], [60, 100, 200])]  # interleaved
    final = check_run(run, pairs, rule, w0)
    if variant == "textbook":
        up = 0.02 * 1.0 * (math.exp(-40 * DT / 10.0) + math.exp(-20 * DT / 10.0))
        down = 0.03 * 1.0 * (math.exp(-50 * DT / 15.0) + math.exp(-20 * DT / 15.0))
    else:
        up = 0.02 * (math.exp(-41 * DT / 10.0) + math.exp(-21 * DT / 10.0))
        down = 0.03 * (math.exp(-49 * DT / 15.0) + math.exp(-19 * DT / 15.0))
    np.testing.assert_allclose(final[:2], [w0 + up, w0 - down], rtol=1e-12)
