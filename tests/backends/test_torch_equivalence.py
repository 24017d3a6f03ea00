"""The torch backend reproduces the Numba kernel: identical spike steps, states and weights to 1e-9.

Every test lowers one network once and runs both backends on the same LoweredNetwork (via
``biomem.simulate`` with the same seed), so synapses, initial state and inputs are shared.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import biomem
from biomem.backends.torch.backend import TorchBackend
from biomem.description import (STDP, AllToAllConnector, FixedProbabilityConnector, FromListConnector,
                                IF_cond_exp, IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                SpikeSourceArray, SpikeSourcePoisson, Uniform, lower)
from biomem.models.ca3.network import build_network

TOLERANCE = 1e-9


def assert_same_run(expected, actual):
    """Identical spikes; final weights, recorded states and weight traces within 1e-9."""
    np.testing.assert_array_equal(actual.spike_steps, expected.spike_steps)
    np.testing.assert_array_equal(actual.spike_neurons, expected.spike_neurons)
    np.testing.assert_allclose(actual.final_weights, expected.final_weights, rtol=0, atol=TOLERANCE)
    assert sorted(actual.state) == sorted(expected.state)
    for key in expected.state:
        assert actual.state[key].shape == expected.state[key].shape
        np.testing.assert_allclose(actual.state[key], expected.state[key], rtol=0, atol=TOLERANCE)
    assert sorted(actual.weight_traces) == sorted(expected.weight_traces)
    for label in expected.weight_traces:
        np.testing.assert_allclose(actual.weight_traces[label], expected.weight_traces[label], rtol=0,
                                   atol=TOLERANCE)


def both(network, duration, dt, seed=0):
    reference = biomem.simulate(network, duration, dt=dt, seed=seed, backend="numba")
    result = biomem.simulate(network, duration, dt=dt, seed=seed, backend="torch")
    assert result.raw.build_s > 0 and result.raw.sim_s > 0
    return reference, result


def mixed_network() -> Network:
    """IF_curr_exp and IF_cond_exp neurons, driven by spike arrays, delays of 1 to 10 steps, both receptors."""
    rng = np.random.default_rng(7)
    times = [sorted(set(np.round(rng.uniform(0, 60, 12), 1))) for _ in range(6)]
    net = Network("mixed")
    source = net.add(Population("source", 6, SpikeSourceArray(times)))
    curr = net.add(Population("curr", 8, IF_curr_exp(tau_refrac=0.0, tau_syn_E=2.0, tau_syn_I=4.0, i_offset=0.3),
                              initial_v=np.linspace(-65, -52, 8), record=("spikes", "v", "isyn_exc", "isyn_inh")))
    cond = net.add(Population("cond", 8, IF_cond_exp(tau_refrac=2.0, cm=0.5, tau_m=10.0),
                              initial_v=Uniform(-65.0, -55.0), record=("spikes", "v", "gsyn_exc", "gsyn_inh")))
    quiet = net.add(Population("quiet", 3, IF_curr_exp(tau_refrac=1.0), record=("v",)))
    net.add(Projection(source, curr, AllToAllConnector(), "excitatory", rng.uniform(0.5, 3.0, 48), 0.1))
    net.add(Projection(source, cond, AllToAllConnector(), "excitatory", rng.uniform(0.01, 0.08, 48), 0.3))
    net.add(Projection(source, curr, FromListConnector(((0, 1), (2, 3), (5, 7), (4, 0))), "inhibitory",
                       [1.0, 2.0, 0.5, 1.5], 0.5, label="source_inhibits_curr"))
    net.add(Projection(curr, cond, AllToAllConnector(), "excitatory", 0.02, 0.2))
    net.add(Projection(cond, curr, OneToOneConnector(), "inhibitory", 0.8, 1.0))
    net.add(Projection(curr, curr, FixedProbabilityConnector(0.3, allow_self_connections=False), "excitatory",
                       0.6, 0.4))
    net.add(Projection(cond, quiet, FromListConnector(((0, 0), (1, 2))), "excitatory", 0.5, 0.7))
    return net


def test_deterministic_current_and_conductance_network():
    reference, result = both(mixed_network(), 100.0, 0.1, seed=3)
    counts = reference.spike_counts()
    assert counts["curr"] > 20 and counts["cond"] > 20, counts
    assert_same_run(reference.raw, result.raw)


def test_simultaneous_arrivals_sum_in_kernel_order():
    """The kernel adds one step's arrivals neuron by neuron, neurons before sources. With weights
    1, 1e16 from two sources and 1 from a neuron, that order gives 1e16 + 2, index order 1e16."""
    net = Network("order")
    source = net.add(Population("source", 2, SpikeSourceArray([[1.0], [1.0]])))
    kick = net.add(Population("kick", 1, SpikeSourceArray([[0.9]])))
    hub = net.add(Population("hub", 1, IF_curr_exp(tau_syn_E=0.1)))
    target = net.add(Population("target", 1, IF_curr_exp(v_thresh=1e30), record=("spikes", "isyn_exc")))
    net.add(Projection(kick, hub, OneToOneConnector(), "excitatory", 1000.0, 0.1))
    net.add(Projection(source, target, AllToAllConnector(), "excitatory", [1.0, 1e16], 0.1))
    net.add(Projection(hub, target, OneToOneConnector(), "excitatory", 1.0, 0.1))
    reference, result = both(net, 2.0, 0.1)
    assert reference.spike_steps("hub")[0].tolist() == [10]
    scale = reference.network.scale_E[reference.network.population("target").start]
    assert reference.raw.state["exc"][11, 0] == (1e16 + 2.0) * scale != 1e16 * scale
    assert_same_run(reference.raw, result.raw)
    dense = TorchBackend().module(reference.network, differentiable=True)()
    np.testing.assert_array_equal(dense.state["exc"][:, 0].numpy(), reference.raw.state["exc"])


def plastic_network(variant: str) -> Network:
    """Poisson input through STDP onto excitatory cells, with inhibition and recurrent plasticity.

    One STDP object is shared by two projections (shared traces); another rule of the other
    variant sits on the recurrent projection, so both variants run in one network.
    """
    other = "spinnaker" if variant == "textbook" else "textbook"
    amplitude = 0.3 if variant == "spinnaker" else 0.15  # large: weights often hit w_min and w_max
    rule = STDP(tau_plus=15.0, tau_minus=25.0, A_plus=amplitude, A_minus=amplitude * 1.1, w_min=0.0, w_max=2.0,
                variant=variant)
    recurrent = STDP(tau_plus=10.0, tau_minus=10.0, A_plus=0.05, A_minus=0.04, w_min=0.1, w_max=1.0, variant=other)
    net = Network(f"plastic_{variant}")
    poisson = net.add(Population("poisson", 20, SpikeSourcePoisson(rate=40.0)))
    burst = net.add(Population("burst", 4, SpikeSourceArray([[5.0, 5.1, 30.0], [12.0], [40.0, 60.0], []])))
    exc = net.add(Population("exc", 16, IF_curr_exp(tau_refrac=1.0, tau_syn_E=3.0), initial_v=Uniform(-65.0, -55.0),
                             record=("spikes", "v")))
    inh = net.add(Population("inh", 6, IF_cond_exp(tau_refrac=2.0), record=("spikes", "gsyn_inh")))
    net.add(Projection(poisson, exc, FixedProbabilityConnector(0.4), "excitatory", 1.2, 1.0, plasticity=rule,
                       label="input", record_weights=True))
    net.add(Projection(burst, exc, AllToAllConnector(), "excitatory", 0.9, 0.2, plasticity=rule, label="burst"))
    net.add(Projection(exc, inh, FixedProbabilityConnector(0.5), "excitatory", 0.03, 0.5))
    net.add(Projection(inh, exc, AllToAllConnector(), "inhibitory", 0.8, 0.3))
    net.add(Projection(exc, exc, FixedProbabilityConnector(0.3, allow_self_connections=False), "excitatory",
                       0.5, 0.1, plasticity=recurrent, label="recurrent", record_weights=True))
    add_forced_pairs(net, rule)
    return net


# Forced pairs, in steps (dt = 0.1 ms): (source spikes, target spikes). They place a source
# spike one step after a target spike (spinnaker: deferred potentiation and depression in one
# step), simultaneous pairs (textbook: potentiation counts the same-step source spike) and
# weights that start at the bounds, so that the order of clipped updates shows.
PAIRS = (((101, 150, 201), (100, 200)), ((100, 300), (100,)), ((51, 79, 81), (50, 80)), ((60, 62), (61,)))
PAIR_WEIGHTS = (1.95, 0.05, 2.0, 0.0)


def add_forced_pairs(net, rule):
    """Source ``pre[i]`` fires at PAIRS[i][0]; a one-step kick from ``kick[i]`` fires ``post[i]`` at PAIRS[i][1]."""
    cell = IF_curr_exp(tau_syn_E=0.1, tau_syn_I=0.1, tau_refrac=2.0)
    scale = (cell.tau_syn_E / 0.1) * (1.0 - np.exp(-0.1 / cell.tau_syn_E))
    kick_weight = 3.0 * (cell.v_thresh - cell.v_rest) / (scale * (1.0 - np.exp(-0.1 / cell.tau_m)) * cell.tau_m)
    pre = net.add(Population("pre", len(PAIRS), SpikeSourceArray([[s * 0.1 for s in p] for p, _ in PAIRS])))
    kick = net.add(Population("kick", len(PAIRS), SpikeSourceArray([[(s - 1) * 0.1 for s in q] for _, q in PAIRS])))
    post = net.add(Population("post", len(PAIRS), cell))
    net.add(Projection(kick, post, OneToOneConnector(), "excitatory", kick_weight, 0.1))
    net.add(Projection(pre, post, OneToOneConnector(), "excitatory", PAIR_WEIGHTS, 0.1, plasticity=rule,
                       label="pairs", record_weights=True))


@pytest.mark.parametrize("variant", ["textbook", "spinnaker"])
def test_stdp_with_inhibition(variant):
    reference, result = both(plastic_network(variant), 200.0, 0.1, seed=11)
    lowered = reference.network
    initial = lowered.syn_weight
    post = lowered.population("post")
    fired = reference.raw.spike_steps[(reference.raw.spike_neurons >= post.start)
                                      & (reference.raw.spike_neurons < post.stop)]
    assert sorted(fired) == sorted(s for _, q in PAIRS for s in q), "the forced target spikes did not happen"
    for label in ("input", "burst", "recurrent", "pairs"):
        piece = next(p for p in lowered.projections if p.label == label)
        changed = reference.raw.final_weights[piece.start:piece.stop] != initial[piece.start:piece.stop]
        assert changed.any(), f"{label}: STDP never changed a weight, the test would prove nothing"
    assert reference.spike_counts()["inh"] > 0
    assert_same_run(reference.raw, result.raw)


def test_ca3_functional_experiment_matches_spinnaker(ca3_reference):
    ref = ca3_reference
    network = build_network(5, 10, ref["cue"], ref["cont"], record_weights=True)
    reference, result = both(network, ref["simTime"], ref["dt_ms"])
    spikes = result.spikes_json()
    for label, expected in ref["expected_spikes"].items():
        assert sorted(map(tuple, spikes[label])) == sorted(map(tuple, expected)), label
    assert_same_run(reference.raw, result.raw)


def test_ca3_in_float32_keeps_the_spinnaker_spikes(ca3_reference):
    """float32 (the CUDA default) rounds differently, but the CA3 experiment's margins absorb it."""
    ref = ca3_reference
    network = build_network(5, 10, ref["cue"], ref["cont"])
    result = biomem.simulate(network, ref["simTime"], dt=ref["dt_ms"], backend="torch", dtype=torch.float32)
    spikes = result.spikes_json()
    for label, expected in ref["expected_spikes"].items():
        assert sorted(map(tuple, spikes[label])) == sorted(map(tuple, expected)), label
    assert result.raw.final_weights.dtype == np.float64


def small_network(plastic: bool) -> Network:
    net = Network("small")
    source = net.add(Population("source", 3, SpikeSourceArray([[1.0, 6.0, 11.0], [2.0, 9.0], [4.0, 4.5, 15.0]])))
    hidden = net.add(Population("hidden", 4, IF_curr_exp(tau_refrac=1.0, tau_syn_E=2.0)))
    out = net.add(Population("out", 2, IF_cond_exp(tau_refrac=1.0, tau_m=10.0)))
    rule = STDP(A_plus=0.02, A_minus=0.02, w_max=4.0, variant="spinnaker") if plastic else None
    net.add(Projection(source, hidden, AllToAllConnector(), "excitatory", [2.6, 1.1, 3.0, 0.4] * 3, 0.2,
                       plasticity=rule))
    net.add(Projection(hidden, out, AllToAllConnector(), "excitatory", 0.05, 0.3))
    net.add(Projection(source[:2], out, OneToOneConnector(), "inhibitory", 0.02, 0.1))
    return net


@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "atan"])
@pytest.mark.parametrize("plastic", [False, True])
def test_surrogate_gradient_reaches_weights(surrogate, plastic):
    lowered = lower(small_network(plastic), 20.0, 0.1, 0)
    backend = TorchBackend()
    expected = backend.run(lowered)
    module = backend.module(lowered, differentiable=True, surrogate=surrogate)
    out = module()
    order = np.lexsort((out.spike_flat, out.spike_steps))  # RawRun sorts by (step, neuron)
    np.testing.assert_array_equal(out.spike_steps[order], expected.spike_steps)
    np.testing.assert_array_equal(out.spike_flat[order], expected.spike_neurons)
    np.testing.assert_allclose(out.final_weights.detach().numpy()[0], expected.final_weights, rtol=0, atol=TOLERANCE)
    counts = np.bincount(expected.spike_neurons, minlength=lowered.n_neurons)
    np.testing.assert_array_equal(out.spike_counts.detach().numpy()[0], counts)
    hidden, last = lowered.population("hidden"), lowered.population("out")
    assert counts[hidden.start:last.stop].sum() > 0
    loss = out.spike_counts[:, last.start:last.stop].sum() + out.spike_counts[:, hidden.start:hidden.stop].sum()
    loss.backward()
    grad = module.weight.grad
    assert grad is not None and grad.shape == (1, lowered.n_synapses)
    assert torch.isfinite(grad).all()
    assert (grad != 0).sum() >= 3, grad
