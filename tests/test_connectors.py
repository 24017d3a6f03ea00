"""Connectors expand to the right (pre, post) pairs, and every backend routes spikes along them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomem.description import (AllToAllConnector, ArrayConnector, FixedProbabilityConnector, FromListConnector,
                                IF_curr_exp, Network, OneToOneConnector, Population, Projection, SpikeSourceArray,
                                lower)

CELL = IF_curr_exp(tau_syn_E=0.1, tau_syn_I=0.1, tau_refrac=5.0)


def one_step_weight(cell, dt) -> float:
    """A weight that takes the membrane from rest past threshold within the step it arrives."""
    scale = (cell.tau_syn_E / dt) * (1.0 - math.exp(-dt / cell.tau_syn_E))
    rise_per_na = (1.0 - math.exp(-dt / cell.tau_m)) * cell.tau_m / cell.cm
    return 3.0 * (cell.v_thresh - cell.v_rest) / (scale * rise_per_na)


def pairs_of(network, label):
    lowered = lower(network, 1.0, 0.1, seed=0)
    piece = next(p for p in lowered.projections if p.label == label)
    return lowered.syn_pre[piece.start:piece.stop], lowered.syn_post[piece.start:piece.stop]


def two_populations(n_pre, n_post):
    network = Network("conn")
    pre = network.add(Population("a", n_pre, IF_curr_exp()))
    post = network.add(Population("b", n_post, IF_curr_exp()))
    return network, pre, post


def connect(connector, n_pre=5, n_post=5, recurrent=False, seed=0):
    """Local (pre, post) pairs of one projection after lowering."""
    network, pre, post = two_populations(n_pre, n_post)
    target = pre if recurrent else post
    network.add(Projection(pre, target, connector, weight=0.1, label="p"))
    lowered = lower(network, 1.0, 0.1, seed=seed)
    offset = 0 if recurrent else n_pre
    return lowered.syn_pre.copy(), lowered.syn_post - offset


def test_one_to_one():
    pre, post = connect(OneToOneConnector(), 6, 6)
    np.testing.assert_array_equal(pre, np.arange(6))
    np.testing.assert_array_equal(post, np.arange(6))


@pytest.mark.parametrize("recurrent", [False, True])
def test_all_to_all(recurrent):
    n = 4
    pre, post = connect(AllToAllConnector(), n, n, recurrent=recurrent)
    assert set(zip(pre.tolist(), post.tolist())) == {(i, j) for i in range(n) for j in range(n)}
    assert pre.size == n * n
    pre, post = connect(AllToAllConnector(allow_self_connections=False), n, n, recurrent=recurrent)
    assert set(zip(pre.tolist(), post.tolist())) == {(i, j) for i in range(n) for j in range(n) if i != j}
    assert pre.size == n * (n - 1)


def test_all_to_all_rectangular():
    pre, post = connect(AllToAllConnector(), 3, 5)
    assert pre.size == 15
    assert list(zip(pre.tolist(), post.tolist())) == [(i, j) for i in range(3) for j in range(5)]


def test_fixed_probability_count_and_seed():
    n, p = 200, 0.1
    pre, post = connect(FixedProbabilityConnector(p), n, n, seed=3)
    mean, sigma = n * n * p, math.sqrt(n * n * p * (1 - p))
    assert abs(pre.size - mean) < 4 * sigma
    again = connect(FixedProbabilityConnector(p), n, n, seed=3)
    np.testing.assert_array_equal(pre, again[0])
    np.testing.assert_array_equal(post, again[1])
    other = connect(FixedProbabilityConnector(p), n, n, seed=4)
    assert other[0].size != pre.size or not np.array_equal(other[1], post)
    # Sorted by (pre, post), no duplicate pair.
    keys = pre * n + post
    assert np.all(np.diff(keys) > 0)


def test_fixed_probability_without_self_connections():
    n, p = 150, 0.3
    pre, post = connect(FixedProbabilityConnector(p, allow_self_connections=False), n, n, recurrent=True, seed=1)
    assert not np.any(pre == post)
    mean, sigma = n * (n - 1) * p, math.sqrt(n * (n - 1) * p * (1 - p))
    assert abs(pre.size - mean) < 4 * sigma


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_fixed_probability_extremes(p):
    pre, _ = connect(FixedProbabilityConnector(p), 7, 9)
    assert pre.size == (0 if p == 0.0 else 63)


def test_from_list_sorted():
    listed = [(3, 1), (0, 4), (3, 0), (1, 1)]
    pre, post = connect(FromListConnector(listed), 5, 5)
    assert list(zip(pre.tolist(), post.tolist())) == sorted(listed)


def test_array_connector():
    mask = np.zeros((4, 3), bool)
    mask[0, 2] = mask[3, 0] = mask[3, 1] = True
    pre, post = connect(ArrayConnector(mask), 4, 3)
    assert list(zip(pre.tolist(), post.tolist())) == [(0, 2), (3, 0), (3, 1)]


def test_population_view_global_indices():
    network = Network("views")
    first = network.add(Population("first", 4, IF_curr_exp()))      # global 0..3
    pre = network.add(Population("pre", 6, IF_curr_exp()))          # global 4..9
    post = network.add(Population("post", 10, IF_curr_exp()))       # global 10..19
    network.add(Projection(pre[2:5], post[[7, 1, 4]], OneToOneConnector(), weight=0.1, label="view_view"))
    network.add(Projection(pre[::2], post[9:], AllToAllConnector(), weight=0.1, label="strided"))
    network.add(Projection(pre[np.array([5])], first[1:3], FromListConnector([(0, 1)]), weight=0.1, label="listed"))
    pre_g, post_g = pairs_of(network, "view_view")
    np.testing.assert_array_equal(pre_g, [6, 7, 8])
    np.testing.assert_array_equal(post_g, [17, 11, 14])
    pre_g, post_g = pairs_of(network, "strided")
    np.testing.assert_array_equal(pre_g, [4, 6, 8])
    np.testing.assert_array_equal(post_g, [19, 19, 19])
    pre_g, post_g = pairs_of(network, "listed")
    np.testing.assert_array_equal(pre_g, [9])
    np.testing.assert_array_equal(post_g, [2])


def test_spikes_follow_the_connections(run):
    """Each source neuron fires at its own step; the targets that fire identify the routing."""
    dt = 0.1
    weight = one_step_weight(CELL, dt)
    fire = [10, 20, 30, 40]
    network = Network("routing")
    source = network.add(Population("src", 4, SpikeSourceArray([[s * dt] for s in fire])))
    listed = network.add(Population("listed", 6, CELL))
    viewed = network.add(Population("viewed", 6, CELL))
    masked = network.add(Population("masked", 3, CELL))
    network.add(Projection(source, listed, FromListConnector([(0, 5), (1, 2), (2, 0), (3, 3)]), weight=weight,
                           delay=dt))
    network.add(Projection(source[1:3], viewed[[4, 1]], OneToOneConnector(), weight=weight, delay=dt))
    mask = np.zeros((4, 3), bool)
    mask[3, 0] = mask[0, 2] = True
    network.add(Projection(source, masked, ArrayConnector(mask), weight=weight, delay=dt))
    result = run(network, 6.0, dt)

    def fired(label):
        steps, indices = result.spike_steps(label)
        return sorted(zip(indices.tolist(), steps.tolist()))

    assert fired("listed") == [(0, 31), (2, 21), (3, 41), (5, 11)]
    assert fired("viewed") == [(1, 31), (4, 21)]
    assert fired("masked") == [(0, 41), (2, 11)]
    assert fired("src") == [(i, s) for i, s in enumerate(fire)]
