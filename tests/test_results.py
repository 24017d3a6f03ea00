"""SimulationResult: accessors, ``to_xarray`` variables and the ``spikes.json`` format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from biomem.description import (STDP, AllToAllConnector, IF_cond_exp, IF_curr_exp, Network, OneToOneConnector,
                                Population, Projection, SpikeSourceArray)


def small_network() -> Network:
    network = Network("results")
    source = network.add(Population("src", 2, SpikeSourceArray([[1.0, 4.0], [2.5]])))
    curr = network.add(Population("curr", 2, IF_curr_exp(i_offset=1.0), record=("spikes", "v", "isyn_exc")))
    cond = network.add(Population("cond", 3, IF_cond_exp(), record=("spikes", "v", "gsyn_exc", "gsyn_inh")))
    network.add(Projection(source, curr, OneToOneConnector(), weight=0.5, delay=0.2,
                           plasticity=STDP(A_plus=0.05, w_max=1.0), label="src_curr", record_weights=True))
    network.add(Projection(curr, cond, AllToAllConnector(), weight=0.05, delay=1.0, label="curr_cond"))
    network.add(Projection(source, cond, AllToAllConnector(), receptor="inhibitory", weight=0.01, label="src_cond"))
    return network


@pytest.fixture
def result(run):
    return run(small_network(), 40.0, 0.1, seed=3)


def test_xarray_variables(result):
    data = result.to_xarray()
    n_steps = result.network.n_steps
    expected = {f"{p}_spike_{kind}" for p in ("src", "curr", "cond") for kind in ("time", "index")}
    expected |= {"curr_v", "curr_isyn_exc", "cond_v", "cond_gsyn_exc", "cond_gsyn_inh"}
    expected |= {f"{proj}_{kind}" for proj in ("src_curr", "curr_cond", "src_cond")
                 for kind in ("weight", "pre", "post")}
    assert set(data.data_vars) == expected
    np.testing.assert_array_equal(data["time"].values, np.arange(n_steps) * 0.1)
    assert data["time"].attrs["units"] == "ms"
    assert data["curr_v"].dims == ("time", "curr_neuron") and data["curr_v"].shape == (n_steps, 2)
    assert data["cond_gsyn_exc"].shape == (n_steps, 3)
    assert data["curr_v"].attrs["units"] == "mV"
    assert data["curr_isyn_exc"].attrs["units"] == "nA"
    assert data["cond_gsyn_inh"].attrs["units"] == "uS"
    np.testing.assert_array_equal(data["curr_v"].values, result.state("curr", "v"))
    np.testing.assert_array_equal(data["cond_gsyn_exc"].values, result.state("cond", "gsyn_exc"))
    times, indices = result.spikes("curr")
    np.testing.assert_array_equal(data["curr_spike_time"].values, times)
    np.testing.assert_array_equal(data["curr_spike_index"].values, indices)
    assert data["curr_cond_weight"].shape == (6,)
    np.testing.assert_array_equal(data["src_curr_weight"].values, result.weights("src_curr"))
    np.testing.assert_array_equal(data["curr_cond_pre"].values, [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(data["curr_cond_post"].values, [0, 1, 2, 0, 1, 2])
    assert data.attrs["backend"] == result.backend
    assert data.attrs["dt_ms"] == 0.1 and data.attrs["seed"] == 3


def test_spikes_json_format(result):
    spikes = result.spikes_json()
    assert set(spikes) == {"src", "curr", "cond"}
    # Times in ms: the source fires at 1.0, 2.5 and 4.0 ms; integral times print as integers.
    assert spikes["src"] == [[1, 0], [2.5, 1], [4, 0]]
    assert isinstance(spikes["src"][0][0], int) and isinstance(spikes["src"][1][0], float)
    assert len(spikes["curr"]) > 0
    for pairs in spikes.values():
        for pair in pairs:
            assert len(pair) == 2 and isinstance(pair[1], int)
        times = [t for t, _ in pairs]
        assert times == sorted(times)
    text = json.dumps(spikes)
    assert json.loads(text) == spikes
    times, indices = result.spikes("curr")
    np.testing.assert_allclose([t for t, _ in spikes["curr"]], times, rtol=0, atol=1e-9)
    assert [i for _, i in spikes["curr"]] == indices.tolist()


def test_accessors(result):
    n_steps = result.network.n_steps
    steps, indices = result.spike_steps("curr")
    times, same = result.spikes("curr")
    np.testing.assert_array_equal(indices, same)
    np.testing.assert_allclose(times, steps * 0.1)
    assert result.spike_counts()["src"] == 3
    assert result.spike_counts()["curr"] == steps.size
    assert result.weight_trace("src_curr").shape == (n_steps, 2)
    np.testing.assert_array_equal(result.weight_trace("src_curr")[-1], result.weights("src_curr"))
    pre, post = result.connections("src_cond")
    assert pre.tolist() == [0, 0, 0, 1, 1, 1] and post.tolist() == [0, 1, 2, 0, 1, 2]
    assert result.provenance["backend"] == result.backend
    assert result.state("cond", "v").shape == (n_steps, 3)
