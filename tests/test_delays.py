"""Synaptic delays: a spike emitted at step n with a delay of d steps acts at step n + d."""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomem.description import (AllToAllConnector, IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                SpikeSourceArray)

CELL = IF_curr_exp(tau_syn_E=0.1, tau_syn_I=0.1, tau_refrac=5.0)
DELAY_STEPS = (1, 2, 7)


def one_step_weight(cell, dt) -> float:
    scale = (cell.tau_syn_E / dt) * (1.0 - math.exp(-dt / cell.tau_syn_E))
    rise_per_na = (1.0 - math.exp(-dt / cell.tau_m)) * cell.tau_m / cell.cm
    return 3.0 * (cell.v_thresh - cell.v_rest) / (scale * rise_per_na)


@pytest.mark.parametrize("dt", [0.1, 1.0])
def test_source_delays_shift_the_response(run, dt):
    source_step = 10
    network = Network("delays")
    source = network.add(Population("src", 1, SpikeSourceArray([[source_step * dt]])))
    post = network.add(Population("post", len(DELAY_STEPS), CELL))
    for i, d in enumerate(DELAY_STEPS):
        network.add(Projection(source, post[i:i + 1], AllToAllConnector(), weight=one_step_weight(CELL, dt),
                               delay=d * dt, label=f"d{d}"))
    result = run(network, 30 * dt, dt)
    steps, indices = result.spike_steps("post")
    np.testing.assert_array_equal(indices, np.arange(len(DELAY_STEPS)))
    np.testing.assert_array_equal(steps, source_step + np.asarray(DELAY_STEPS))
    np.testing.assert_array_equal(np.diff(steps), np.diff(DELAY_STEPS))


def test_neuron_emitted_spikes_are_delayed_alike(run):
    """A relay neuron's spike travels through delays of 1, 2 and 7 steps to three targets."""
    dt, source_step = 0.1, 5
    weight = one_step_weight(CELL, dt)
    network = Network("relay")
    source = network.add(Population("src", 1, SpikeSourceArray([[source_step * dt]])))
    relay = network.add(Population("relay", 1, CELL))
    post = network.add(Population("post", len(DELAY_STEPS), CELL))
    network.add(Projection(source, relay, OneToOneConnector(), weight=weight, delay=dt))
    for i, d in enumerate(DELAY_STEPS):
        network.add(Projection(relay, post[i:i + 1], AllToAllConnector(), weight=weight, delay=d * dt,
                               label=f"relay_d{d}"))
    result = run(network, 3.0, dt)
    relay_steps = result.spike_steps("relay")[0]
    np.testing.assert_array_equal(relay_steps, [source_step + 1])
    steps, indices = result.spike_steps("post")
    np.testing.assert_array_equal(indices, np.arange(len(DELAY_STEPS)))
    np.testing.assert_array_equal(steps - relay_steps[0], DELAY_STEPS)


def test_mixed_delays_in_one_projection_population(run):
    """Two sources with different delays converging on one neuron: each input arrives on its own step."""
    dt = 0.1
    cell = IF_curr_exp(tau_syn_E=0.1, tau_syn_I=0.1)
    network = Network("converge")
    source = network.add(Population("src", 2, SpikeSourceArray([[1.0], [1.0]])))
    post = network.add(Population("post", 1, cell, record=("spikes", "isyn_exc")))
    network.add(Projection(source[0:1], post, AllToAllConnector(), weight=1.0, delay=2 * dt, label="short"))
    network.add(Projection(source[1:2], post, AllToAllConnector(), weight=2.0, delay=7 * dt, label="long"))
    result = run(network, 3.0, dt)
    current = result.state("post", "isyn_exc")[:, 0]
    scale = (cell.tau_syn_E / dt) * (1.0 - math.exp(-dt / cell.tau_syn_E))
    assert current[11] == 0.0
    assert abs(current[12] - 1.0 * scale) < 1e-12
    assert abs(current[17] - (2.0 * scale + current[16] * math.exp(-dt / cell.tau_syn_E))) < 1e-12
