"""Batched trials on the torch backend: B trials in one pass equal B single runs (torch and Numba)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from biomem import backends
from biomem.backends.torch import synapses
from biomem.backends.torch.backend import TorchBackend
from biomem.description import (STDP, AllToAllConnector, FromListConnector, IF_cond_exp, IF_curr_exp, Network,
                                OneToOneConnector, Population, Projection, SpikeSourceArray, SpikeSourcePoisson,
                                Uniform, lower)
from biomem.errors import BiomemError

TOLERANCE = 1e-9


def assert_same_run(expected, actual):
    np.testing.assert_array_equal(actual.spike_steps, expected.spike_steps)
    np.testing.assert_array_equal(actual.spike_neurons, expected.spike_neurons)
    np.testing.assert_allclose(actual.final_weights, expected.final_weights, rtol=0, atol=TOLERANCE)
    assert sorted(actual.state) == sorted(expected.state)
    for key in expected.state:
        np.testing.assert_allclose(actual.state[key], expected.state[key], rtol=0, atol=TOLERANCE)
    assert sorted(actual.weight_traces) == sorted(expected.weight_traces)
    for label in expected.weight_traces:
        np.testing.assert_allclose(actual.weight_traces[label], expected.weight_traces[label], rtol=0,
                                   atol=TOLERANCE)


def network(delay: float = 0.3) -> Network:
    """Connectors that use no randomness: a different seed changes only the Poisson input and v_init."""
    net = Network("batch")
    noise = net.add(Population("noise", 10, SpikeSourcePoisson(rate=60.0)))
    cue = net.add(Population("cue", 2, SpikeSourceArray([[2.0, 20.0], [7.5]])))
    exc = net.add(Population("exc", 12, IF_curr_exp(tau_refrac=1.0, tau_syn_E=2.0), initial_v=Uniform(-65.0, -52.0),
                             record=("spikes", "v", "isyn_exc")))
    inh = net.add(Population("inh", 5, IF_cond_exp(tau_refrac=2.0), initial_v=Uniform(-65.0, -55.0),
                             record=("spikes", "gsyn_exc", "gsyn_inh")))
    net.add(Projection(noise, exc, AllToAllConnector(), "excitatory", 0.9, 1.0, label="noise_exc",
                       plasticity=STDP(A_plus=0.05, A_minus=0.06, w_max=1.5), record_weights=True))
    net.add(Projection(cue, exc, AllToAllConnector(), "excitatory", 3.0, delay))
    net.add(Projection(exc, inh, AllToAllConnector(), "excitatory", 0.01, 0.5, label="exc_inh",
                       plasticity=STDP(A_plus=0.004, A_minus=0.004, w_max=0.02, variant="spinnaker")))
    net.add(Projection(inh, exc, AllToAllConnector(), "inhibitory", 1.0, 0.2))
    net.add(Projection(exc, exc, FromListConnector(((0, 1), (1, 2), (2, 0), (5, 6))), "excitatory", 2.0, 0.1))
    net.add(Projection(exc[:5], inh, OneToOneConnector(), "excitatory", 0.02, 1.5))
    return net


def check_batch(trials):
    single, numba = TorchBackend(), backends.get("numba")
    batch = single.run_batch(trials)
    assert len(batch) == len(trials)
    for trial, raw in zip(trials, batch):
        assert_same_run(single.run(trial), raw)
        assert_same_run(numba.run(trial), raw)
        assert raw.build_s > 0 and raw.sim_s > 0
    return batch


def test_batch_of_seeds_equals_single_runs():
    trials = [lower(network(), 120.0, 0.1, seed) for seed in (1, 2, 3, 4)]
    batch = check_batch(trials)
    counts = [raw.spike_steps.size for raw in batch]
    assert min(counts) > 50, counts
    assert len({(raw.spike_steps.tobytes(), raw.spike_neurons.tobytes()) for raw in batch}) == 4, "trials identical"


def test_per_trial_overrides_equal_single_runs():
    lowered = lower(network(), 80.0, 0.1, 5)
    rng = np.random.default_rng(0)
    weights = [lowered.syn_weight * factor for factor in (0.5, 1.0, 1.7)]
    v_init = [lowered.v_init + rng.uniform(-3, 3, lowered.n_neurons) for _ in range(3)]
    cue = lowered.population("cue")
    sources = [(lowered.source_steps, lowered.source_neurons),
               (np.array([10, 10, 300]), cue.start + np.array([0, 1, 0])),
               (np.zeros(0, int), np.zeros(0, int))]
    backend = TorchBackend()
    batch = backend.run_trials(lowered, v_init=v_init, weights=weights, source_spikes=sources)
    trials = [lower(network(), 80.0, 0.1, 5) for _ in range(3)]
    for b, trial in enumerate(trials):
        trial.syn_weight, trial.v_init = weights[b], v_init[b]
        trial.source_steps, trial.source_neurons = (np.asarray(a, np.int64) for a in sources[b])
        assert_same_run(backends.get("numba").run(trial), batch[b])
    assert batch[2].spike_steps.size < batch[0].spike_steps.size


def test_fallback_gather_and_ring_paths(monkeypatch):
    """The CSR gather and on-the-fly ring targets (used for huge fan-outs) agree with the kernel too."""
    monkeypatch.setattr(synapses, "_PADDING_FACTOR", 0)
    monkeypatch.setattr(synapses, "_TABLE_LIMIT", 0)
    trials = [lower(network(), 60.0, 0.1, seed) for seed in (7, 8, 9)]
    check_batch(trials)
    check_batch(trials[:1])


def test_differentiable_batch_matches_and_has_gradients():
    trials = [lower(network(), 40.0, 0.1, seed) for seed in (1, 2)]
    backend = TorchBackend()
    expected = backend.run_batch(trials)
    module = backend.module(trials, differentiable=True)
    out = module()
    n = trials[0].n_neurons
    for b, raw in enumerate(expected):
        mine = out.spike_flat // n == b
        steps, neurons = out.spike_steps[mine], out.spike_flat[mine] % n
        order = np.lexsort((neurons, steps))
        np.testing.assert_array_equal(steps[order], raw.spike_steps)
        np.testing.assert_array_equal(neurons[order], raw.spike_neurons)
        np.testing.assert_allclose(out.final_weights[b].detach().numpy(), raw.final_weights, rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(out.state["v"][:, b].numpy(), raw.state["v"], rtol=0, atol=TOLERANCE)
    again = module()  # every call is a fresh run from the initial state
    np.testing.assert_array_equal(again.spike_flat, out.spike_flat)
    exc = trials[0].population("exc")
    out.spike_counts[:, exc.start:exc.stop].sum().backward()
    grad = module.weight.grad
    assert grad.shape == (2, trials[0].n_synapses) and bool(torch.isfinite(grad).all())
    assert bool((grad != 0).any(dim=1).all()), "a trial got no gradient"


def test_mismatched_topologies_are_refused():
    base = lower(network(), 50.0, 0.1, 1)
    backend = TorchBackend()
    with pytest.raises(BiomemError, match=r"trials\[1\].*syn_delay"):
        backend.run_batch([base, lower(network(delay=0.4), 50.0, 0.1, 1)])
    with pytest.raises(BiomemError, match=r"trials\[2\].*n_steps"):
        backend.run_batch([base, base, lower(network(), 60.0, 0.1, 1)])
    with pytest.raises(BiomemError, match="empty"):
        backend.run_batch([])
    with pytest.raises(BiomemError, match=r"weights\[0\]"):
        backend.run_trials(base, weights=[np.ones(3)])
    with pytest.raises(BiomemError, match="not a spike source"):
        backend.run_trials(base, source_spikes=[(np.array([1]), np.array([base.population("exc").start]))])
    with pytest.raises(BiomemError, match="different numbers of trials"):
        backend.run_trials(base, v_init=[base.v_init], weights=[base.syn_weight] * 2)


def test_backend_options_are_checked():
    with pytest.raises(BiomemError, match="dtype"):
        TorchBackend(dtype="int8")
    with pytest.raises(BiomemError, match="device"):
        TorchBackend(device="tpu")
