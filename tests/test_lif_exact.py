"""Exact LIF dynamics: firing period under constant current, and the closed-form membrane
trajectory between spikes, on every backend.

The step semantics (see ``biomem.backends.numba.kernel``): with input held constant over a
step, ``v <- a - exp(-dt/tau_m) (a - v)`` with ``a = v_rest + (I_E - I_I + i_offset) tau_m / cm``;
an input weight ``w`` arriving at step ``n`` adds ``w (tau_syn/dt)(1 - exp(-dt/tau_syn))`` to the
current used in that step, which then decays by ``exp(-dt/tau_syn)`` per step; after a spike
the membrane is held at ``v_reset`` for ``ceil(tau_refrac/dt)`` steps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomem.description import (IF_cond_exp, IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                SpikeSourceArray)

TIGHT = 1e-12


def charge_time(cell) -> float:
    """Analytic time (ms) from v_rest to v_thresh under the constant current i_offset."""
    drive = cell.tau_m / cell.cm * cell.i_offset
    return cell.tau_m * math.log(drive / (drive - (cell.v_thresh - cell.v_rest)))


def single_neuron(cell, record=("spikes",), initial_v=None) -> Network:
    network = Network("single")
    network.add(Population("n", 1, cell, initial_v=initial_v, record=record))
    return network


@pytest.mark.parametrize("i_offset, tau_refrac, dt, duration", [
    (1.0, 2.0, 0.1, 100.0),   # t_charge = 27.73 ms
    (0.8, 5.0, 0.1, 200.0),   # t_charge = 55.45 ms, close to rheobase (R I = 16 mV for 15 mV)
    (3.0, 1.0, 0.01, 30.0),   # small dt: t_charge = 5.75 ms
    (3.0, 0.25, 0.1, 30.0),   # tau_refrac not a multiple of dt: ceil(2.5) = 3 steps
])
def test_constant_current_period(run, i_offset, tau_refrac, dt, duration):
    cell = IF_curr_exp(i_offset=i_offset, tau_refrac=tau_refrac)
    result = run(single_neuron(cell), duration, dt)
    steps, indices = result.spike_steps("n")

    t_charge = charge_time(cell)
    fraction = t_charge / dt - math.floor(t_charge / dt)
    assert 0.01 < fraction < 0.99, "test parameters put the threshold crossing too close to a step boundary"
    charge_steps = math.ceil(t_charge / dt)
    refrac_steps = math.ceil(tau_refrac / dt - 1e-9)
    period = refrac_steps + charge_steps
    expected = np.arange(charge_steps - 1, result.network.n_steps, period)

    assert expected.size >= 3
    assert np.all(indices == 0)
    np.testing.assert_array_equal(steps, expected, err_msg=f"expected a spike every {period} steps")

    # The analytic period T = tau_refrac + t_charge; each part is rounded up to whole steps,
    # so the discrete period is never early, and under dt late when tau_refrac is a whole
    # number of steps (under 2 dt otherwise).
    analytic = tau_refrac + t_charge
    slack = dt if abs(tau_refrac / dt - round(tau_refrac / dt)) < 1e-9 else 2 * dt
    assert 0.0 <= period * dt - analytic < slack


@pytest.mark.parametrize("i_offset", [0.0, 0.5, 0.74])
def test_below_rheobase_never_fires(run, i_offset):
    # Rheobase: R I = v_thresh - v_rest, i.e. 0.75 nA here.
    cell = IF_curr_exp(i_offset=i_offset)
    result = run(single_neuron(cell, record=("spikes", "v")), 150.0, 0.1)
    assert result.spike_steps("n")[0].size == 0
    v = result.state("n", "v")[:, 0]
    plateau = cell.v_rest + cell.tau_m / cell.cm * i_offset
    assert v.max() < cell.v_thresh
    assert abs(v[-1] - (plateau - math.exp(-150.0 / cell.tau_m) * (plateau - cell.v_rest))) < 1e-9


@pytest.mark.parametrize("receptor", ["excitatory", "inhibitory"])
def test_current_based_closed_form(run, receptor):
    dt, delay, weight, spike_time = 0.1, 1.0, 1.0, 5.0
    cell = IF_curr_exp(i_offset=0.4, tau_m=20.0, cm=1.0, tau_syn_E=5.0, tau_syn_I=3.0)
    v0 = -70.0
    network = Network("closed_form")
    neuron = network.add(Population("n", 1, cell, initial_v=v0, record=("spikes", "v", "isyn_exc", "isyn_inh")))
    source = network.add(Population("s", 1, SpikeSourceArray([[spike_time]])))
    network.add(Projection(source, neuron, OneToOneConnector(), receptor=receptor, weight=weight, delay=delay))
    result = run(network, 40.0, dt)
    n_steps = result.network.n_steps
    assert result.spike_steps("n")[0].size == 0

    tau_syn = cell.tau_syn_E if receptor == "excitatory" else cell.tau_syn_I
    sign = 1.0 if receptor == "excitatory" else -1.0
    arrival = round(spike_time / dt) + round(delay / dt)
    jump = weight * (tau_syn / dt) * (1.0 - math.exp(-dt / tau_syn))

    # Synaptic current: zero before arrival, the jump at arrival, then exp(-dt/tau_syn) per step.
    current = result.state("n", "isyn_exc" if receptor == "excitatory" else "isyn_inh")[:, 0]
    other = result.state("n", "isyn_inh" if receptor == "excitatory" else "isyn_exc")[:, 0]
    assert np.all(other == 0.0)
    assert np.all(current[:arrival] == 0.0)
    assert abs(current[arrival] - jump) <= TIGHT * jump
    ratios = current[arrival + 1:] / current[arrival:-1]
    np.testing.assert_allclose(ratios, math.exp(-dt / tau_syn), rtol=TIGHT, atol=0)

    # Membrane: trace[n] is v after n + 1 integrations. Before arrival the drive is constant,
    # v(k) = a - exp(-k dt/tau_m)(a - v0); from arrival on the current adds
    # R (1 - d_m) J sum_{m<M} d_m^(M-1-m) d_s^m = R (1 - d_m) J (d_m^M - d_s^M) / (d_m - d_s).
    resistance = cell.tau_m / cell.cm
    plateau = cell.v_rest + resistance * cell.i_offset
    k = np.arange(1, n_steps + 1)
    expected = plateau - np.exp(-k * dt / cell.tau_m) * (plateau - v0)
    d_m, d_s = math.exp(-dt / cell.tau_m), math.exp(-dt / tau_syn)
    after = k > arrival
    m = k[after] - arrival
    expected[after] += sign * resistance * (1.0 - d_m) * jump * (
        (np.exp(-m * dt / cell.tau_m) - np.exp(-m * dt / tau_syn)) / (d_m - d_s))
    v = result.state("n", "v")[:, 0]
    np.testing.assert_allclose(v, expected, rtol=0, atol=TIGHT)


@pytest.mark.parametrize("receptor", ["excitatory", "inhibitory"])
def test_conductance_based_closed_form_constant_input(run, receptor):
    # A source firing every step into a synapse with tau_syn = 1 us: exp(-dt/tau_syn) = exp(-100)
    # vanishes next to 1 in double precision, so the conductance is exactly w (tau_syn/dt)(1 - e^-100)
    # at every step from the first arrival on: a constant conductance.
    dt, weight = 0.1, 1.0
    cell = IF_cond_exp(i_offset=0.1, tau_syn_E=1e-3, tau_syn_I=1e-3)
    v0 = -60.0
    n_steps = 300
    network = Network("cond")
    neuron = network.add(Population("n", 1, cell, initial_v=v0, record=("spikes", "v", "gsyn_exc", "gsyn_inh")))
    source = network.add(Population("s", 1, SpikeSourceArray([list(np.arange(n_steps) * dt)])))
    network.add(Projection(source, neuron, OneToOneConnector(), receptor=receptor, weight=weight, delay=dt))
    result = run(network, n_steps * dt, dt)
    assert result.spike_steps("n")[0].size == 0

    g = weight * (1e-3 / dt) * (1.0 - math.exp(-dt / 1e-3))
    recorded_g = result.state("n", "gsyn_exc" if receptor == "excitatory" else "gsyn_inh")[:, 0]
    assert recorded_g[0] == 0.0
    np.testing.assert_allclose(recorded_g[1:], g, rtol=TIGHT, atol=0)

    leak = cell.cm / cell.tau_m
    reversal = cell.e_rev_E if receptor == "excitatory" else cell.e_rev_I
    # Step 0: leak and i_offset only.
    rest_target = cell.v_rest + cell.i_offset / leak
    v1 = rest_target - math.exp(-dt / cell.tau_m) * (rest_target - v0)
    # Steps 1..: v(k) = v_inf - exp(-k dt g_total/cm)(v_inf - v1).
    total = leak + g
    v_inf = (leak * cell.v_rest + g * reversal + cell.i_offset) / total
    k = np.arange(1, n_steps)
    expected = np.concatenate([[v1], v_inf - np.exp(-k * dt * total / cell.cm) * (v_inf - v1)])
    v = result.state("n", "v")[:, 0]
    np.testing.assert_allclose(v, expected, rtol=0, atol=TIGHT)


def test_conductance_based_single_input(run):
    """A decaying conductance is piecewise constant per step; each step is the exact solution."""
    dt, weight, spike_time, delay = 0.1, 0.02, 2.0, 0.3
    cell = IF_cond_exp(tau_syn_E=4.0)
    network = Network("cond_single")
    neuron = network.add(Population("n", 1, cell, record=("spikes", "v", "gsyn_exc")))
    source = network.add(Population("s", 1, SpikeSourceArray([[spike_time]])))
    network.add(Projection(source, neuron, OneToOneConnector(), weight=weight, delay=delay))
    result = run(network, 20.0, dt)
    assert result.spike_steps("n")[0].size == 0

    arrival = round(spike_time / dt) + round(delay / dt)
    leak = cell.cm / cell.tau_m
    expected_v, expected_g = [], []
    v, g = cell.v_rest, 0.0
    for step in range(result.network.n_steps):
        if step == arrival:
            g += weight * (cell.tau_syn_E / dt) * (1.0 - math.exp(-dt / cell.tau_syn_E))
        total = leak + g
        v_inf = (leak * cell.v_rest + g * cell.e_rev_E + cell.i_offset) / total
        v = v_inf - math.exp(-dt * total / cell.cm) * (v_inf - v)
        expected_v.append(v)
        expected_g.append(g)
        g *= math.exp(-dt / cell.tau_syn_E)
    np.testing.assert_allclose(result.state("n", "gsyn_exc")[:, 0], expected_g, rtol=TIGHT, atol=0)
    np.testing.assert_allclose(result.state("n", "v")[:, 0], expected_v, rtol=0, atol=TIGHT)
    assert result.state("n", "v")[arrival, 0] > cell.v_rest


def test_refractory_holds_reset(run):
    """After a spike v reads v_reset for exactly ceil(tau_refrac/dt) steps, then integrates."""
    dt = 0.1
    cell = IF_curr_exp(i_offset=2.0, tau_refrac=1.5, v_reset=-70.0)
    result = run(single_neuron(cell, record=("spikes", "v")), 30.0, dt)
    steps = result.spike_steps("n")[0]
    assert steps.size >= 2
    v = result.state("n", "v")[:, 0]
    refrac_steps = 15
    first = steps[0]
    np.testing.assert_array_equal(v[first:first + refrac_steps + 1], cell.v_reset)
    plateau = cell.v_rest + cell.tau_m / cell.cm * cell.i_offset
    after = plateau - math.exp(-dt / cell.tau_m) * (plateau - cell.v_reset)
    assert abs(v[first + refrac_steps + 1] - after) < TIGHT
