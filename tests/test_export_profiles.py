"""Hardware profiles (hardware/*.toml), quantisation and the core mapping."""

from __future__ import annotations

import numpy as np
import pytest

from biomem.description import (AllToAllConnector, IF_curr_exp, Network, Population, Projection, SpikeSourceArray,
                                lower)
from biomem.errors import BiomemError
from biomem.export import profiles
from biomem.export.examples import ca3_functional
from biomem.export.mapping import map_network
from biomem.export.quantise import power_of_two_step, quantise

SHIPPED = ("loihi", "loihi2", "spinnaker", "spinnaker2", "generic-nir")


def test_shipped_profiles_load():
    found = profiles.available()
    assert set(SHIPPED) <= set(found)
    loihi = found["loihi"]
    assert loihi.limits["neurons_per_core"] == 1024 and loihi.limits["input_axons_per_core"] == 4096
    assert loihi.numerics["weight_bits"] == 8 and loihi.numerics["decay_bits"] == 12
    assert found["spinnaker"].features["plasticity"] == ["STDP"]
    assert found["generic-nir"].numerics["refractory"] == "none"


@pytest.mark.parametrize("text, fragment", [
    ('name = "x"\nexporter = "nir"\nbogus = 1\n', "bogus: unknown key"),
    ('name = "x"\nexporter = "fpga"\n', "unknown exporter 'fpga'"),
    ('name = "x"\nexporter = "nir"\n[limits]\nneurons_per_core = "many"\n', "limits.neurons_per_core"),
    ('name = "x"\nexporter = "nir"\n[limits]\nneurons_per_core = -1\n', "out of range"),
    ('name = "x"\nexporter = "nir"\n[features]\nplasticity = ["BCM"]\n', "unknown entry 'BCM'"),
    ('name = "x"\nexporter = "nir"\n[time]\ndelay_min_steps = 5\ndelay_max_steps = 2\n', "delay_min_steps"),
    ('exporter = "nir"\n', "name: missing"),
    ('name = "x"\nexporter = \n', "invalid TOML"),
])
def test_bad_profiles_are_one_line_errors(tmp_path, text, fragment):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(BiomemError) as caught:
        profiles.load(path)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_user_profile_and_unknown_name(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text('name = "tiny"\nexporter = "nir"\n[limits]\nneurons_per_core = 4\ncores_per_chip = 2\n')
    profile = profiles.load(path)
    assert profile.limits["neurons_per_core"] == 4 and profile.numerics["weight_bits"] == 0
    with pytest.raises(BiomemError, match="unknown profile"):
        profiles.get("no-such-chip")
    with pytest.raises(BiomemError, match="no such file"):
        profiles.load(tmp_path / "missing.toml")


def test_power_of_two_step():
    assert power_of_two_step(255.0, 255) == 1.0
    assert power_of_two_step(256.0, 255) == 2.0
    assert power_of_two_step(0.0, 255) == 1.0


def test_quantisation_bounds_and_report():
    network, duration = ca3_functional()
    lowered = lower(network, duration, 1.0, 0)
    loihi = profiles.get("loihi")
    quantised, report = quantise(lowered, loihi)
    for group in report.weight_groups:
        assert group["top"] <= 255 * group["step"] + 1e-12
    # every weight within half a step of its group
    assert report.weights["max_abs_error"] <= max(g["step"] for g in report.weight_groups) / 2 + 1e-12
    assert report.decays["decay_m"]["max_abs_error"] <= 2 ** -13 + 1e-15
    assert np.all(quantised.syn_weight >= 0)
    # SpiNNaker: 16-bit words; S16.15 voltages represent the CA3 values exactly
    _, spinnaker = quantise(lowered, profiles.get("spinnaker"))
    assert spinnaker.weights["max_rel_error"] < 1e-3
    assert spinnaker.voltages["v_thresh"]["max_abs_error"] == 0.0
    # no profile: nothing changes
    same, empty = quantise(lowered, None)
    assert same is lowered and empty.applied == []


def test_ca3_mapping_counts_cores():
    network, duration = ca3_functional()
    lowered = lower(network, duration, 1.0, 0)
    loihi = map_network(lowered, profiles.get("loihi"))
    neuron_populations = sum(not p.is_source for p in lowered.populations)
    assert loihi.cores == neuron_populations and loihi.chips == 1  # one core per population, none for inputs
    spinnaker = map_network(lowered, profiles.get("spinnaker"))
    assert spinnaker.cores == len(lowered.populations)  # sources take cores on SpiNNaker
    assert 0 < spinnaker.utilisation["neurons"]["max"] <= 1
    assert map_network(lowered, profiles.get("generic-nir")) is None


def _fan_in_network(n_pre: int, n_post: int) -> Network:
    net = Network("fan_in")
    source = net.add(Population("src", n_pre, SpikeSourceArray(tuple(() for _ in range(n_pre)))))
    cells = net.add(Population("cells", n_post, IF_curr_exp()))
    net.add(Projection(source, cells, AllToAllConnector(), weight=0.1))
    return net


def test_mapping_splits_for_synapse_memory_and_refuses_fan_in():
    profile = profiles.get("loihi")
    # 4000 inputs x 300 neurons: fits the axons, not the synapse memory of one core
    lowered = lower(_fan_in_network(4000, 300), 1.0, 1.0)
    mapping = map_network(lowered, profile)
    assert mapping.cores > 1
    assert mapping.utilisation["synapse_memory"]["max"] <= 1.0
    # 5000 source neurons into one neuron: more than 4096 input axons, whatever the split
    with pytest.raises(BiomemError, match="input axons"):
        map_network(lower(_fan_in_network(5000, 2), 1.0, 1.0), profile)


def test_time_step_outside_the_profile_is_unsupported(tmp_path):
    from biomem.errors import UnsupportedFeature
    from biomem.export import api

    network, _ = ca3_functional()
    with pytest.raises(UnsupportedFeature) as caught:  # SpiNNaker runs 1 ms or 0.1 ms steps
        api.export(network, 10.0, dt=0.5, target="spinnaker", out=tmp_path / "x.py", approximate=True)
    assert caught.value.feature == "time step"
