"""Same seed, same backend: bit-identical spikes and weights. Different seeds: different runs."""

from __future__ import annotations

import numpy as np

from biomem.description import (STDP, FixedProbabilityConnector, IF_cond_exp, IF_curr_exp, Network, Population,
                                Projection, SpikeSourcePoisson, Uniform)


def random_network() -> Network:
    """Poisson input, random connectivity, random initial state and plasticity: every source of randomness."""
    network = Network("random")
    inputs = network.add(Population("inputs", 20, SpikeSourcePoisson(rate=80.0)))
    exc = network.add(Population("exc", 16, IF_curr_exp(tau_refrac=2.0), initial_v=Uniform(-65.0, -52.0)))
    inh = network.add(Population("inh", 6, IF_cond_exp(tau_refrac=1.0), initial_v=Uniform(-65.0, -55.0)))
    network.add(Projection(inputs, exc, FixedProbabilityConnector(0.4), weight=1.5, delay=0.5,
                           plasticity=STDP(A_plus=0.02, A_minus=0.022, w_max=3.0), label="in_exc"))
    network.add(Projection(exc, exc, FixedProbabilityConnector(0.3, allow_self_connections=False), weight=0.4,
                           delay=1.0, plasticity=STDP(variant="spinnaker", A_plus=0.01, A_minus=0.01, w_max=1.0),
                           label="exc_exc"))
    network.add(Projection(exc, inh, FixedProbabilityConnector(0.5), weight=0.02, delay=0.3, label="exc_inh"))
    network.add(Projection(inh, exc, FixedProbabilityConnector(0.5), receptor="inhibitory", weight=1.0, delay=0.2,
                           label="inh_exc"))
    return network


def fingerprint(result):
    raw = result.raw
    return raw.spike_steps, raw.spike_neurons, raw.final_weights


def test_same_seed_bit_identical(run):
    first = run(random_network(), 60.0, 0.1, seed=7)
    second = run(random_network(), 60.0, 0.1, seed=7)
    for a, b in zip(fingerprint(first), fingerprint(second)):
        assert np.array_equal(a, b)
    # The run is not trivial: the neurons fire and the plastic weights moved.
    counts = first.spike_counts()
    assert counts["inputs"] > 50 and counts["exc"] > 20 and counts["inh"] > 0, counts
    for label in ("in_exc", "exc_exc"):
        piece = next(p for p in first.network.projections if p.label == label)
        initial = first.network.syn_weight[piece.start:piece.stop]
        assert not np.array_equal(first.weights(label), initial), f"{label} did not learn"


def test_different_seeds_differ(run):
    first = fingerprint(run(random_network(), 60.0, 0.1, seed=7))
    other = fingerprint(run(random_network(), 60.0, 0.1, seed=8))
    assert not (np.array_equal(first[0], other[0]) and np.array_equal(first[1], other[1]))
    assert first[2].shape != other[2].shape or not np.array_equal(first[2], other[2])
