"""Every invalid input raises BiomemError with one line naming the parameter and what is accepted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from biomem import BiomemError, simulate
from biomem.description import (STDP, AllToAllConnector, ArrayConnector, FixedProbabilityConnector,
                                FromListConnector, IF_cond_exp, IF_curr_exp, Network, OneToOneConnector, Population,
                                Projection, SpikeSourceArray, SpikeSourcePoisson, Uniform)


def _network_with(*items) -> Network:
    network = Network("v")
    network.add(*items)
    return network


def _duplicate_label():
    network = Network("v")
    network.add(Population("a", 2, IF_curr_exp()))
    network.add(Population("a", 3, IF_curr_exp()))


def _projection_outside_network():
    network = Network("v")
    inside = network.add(Population("inside", 2, IF_curr_exp()))
    outside = Population("outside", 2, IF_curr_exp())
    network.add(Projection(outside, inside, AllToAllConnector(), weight=0.1, label="stray"))


def _cells():
    return Population("a", 3, IF_curr_exp()), Population("b", 2, IF_curr_exp())


# (id, callable, text naming the parameter, text of the accepted range)
CONSTRUCTION = [
    ("negative_tau_m", lambda: IF_curr_exp(tau_m=-1.0), "tau_m", "> 0"),
    ("nan_cm", lambda: IF_curr_exp(cm=math.nan), "cm", "> 0"),
    ("inf_i_offset", lambda: IF_cond_exp(i_offset=math.inf), "i_offset", "finite"),
    ("zero_tau_syn", lambda: IF_curr_exp(tau_syn_E=0.0), "tau_syn_E", "> 0"),
    ("negative_tau_refrac", lambda: IF_cond_exp(tau_refrac=-0.1), "tau_refrac", ">= 0"),
    ("v_reset_at_threshold", lambda: IF_curr_exp(v_reset=-50.0, v_thresh=-50.0), "v_reset", "v_reset < v_thresh"),
    ("v_reset_above_threshold", lambda: IF_cond_exp(v_reset=-40.0), "v_reset", "v_reset < v_thresh"),
    ("string_parameter", lambda: IF_curr_exp(tau_m="20"), "tau_m", "> 0"),
    ("nan_e_rev", lambda: IF_cond_exp(e_rev_E=math.nan), "e_rev_E", "finite"),
    ("negative_poisson_rate", lambda: SpikeSourcePoisson(rate=-5.0), "rate", ">= 0"),
    ("p_connect_above_one", lambda: FixedProbabilityConnector(1.5), "p_connect", "[0, 1]"),
    ("p_connect_negative", lambda: FixedProbabilityConnector(-0.1), "p_connect", "[0, 1]"),
    ("unsorted_spike_times", lambda: SpikeSourceArray([[1.0, 3.0, 2.0]]), "spike_times[0]", "non-decreasing"),
    ("negative_spike_time", lambda: SpikeSourceArray([[-1.0, 2.0]]), "spike_times[0]", ">= 0"),
    ("wrong_spike_times_length", lambda: Population("s", 3, SpikeSourceArray([[1.0], [2.0]])),
     "s.spike_times", "one list of times per neuron"),
    ("wrong_initial_v_shape", lambda: Population("p", 3, IF_curr_exp(), initial_v=[-65.0, -60.0]),
     "p.initial_v", "3 values"),
    ("initial_v_on_source", lambda: Population("s", 1, SpikeSourcePoisson(), initial_v=-65.0), "s.initial_v", "None"),
    ("zero_size", lambda: Population("p", 0, IF_curr_exp()), "p.size", ">= 1"),
    ("fractional_size", lambda: Population("p", 2.5, IF_curr_exp()), "p.size", "integer"),
    ("unrecordable_variable", lambda: Population("p", 2, IF_curr_exp(), record=("gsyn_exc",)), "p.record",
     "isyn_exc"),
    ("label_with_space", lambda: Population("my pop", 2, IF_curr_exp()), "label", "letters, digits"),
    ("label_with_quote", lambda: Population("pop'; drop", 2, IF_curr_exp()), "label", "letters, digits"),
    ("projection_label_quote", lambda: Projection(*_cells(), AllToAllConnector(), label='a"b'), "label",
     "letters, digits"),
    ("duplicate_population_label", _duplicate_label, "label", "unique"),
    ("projection_outside_network", _projection_outside_network, "stray", "add populations"),
    ("negative_weight", lambda: Projection(*_cells(), AllToAllConnector(), weight=-0.5), "a_to_b.weight", ">= 0"),
    ("nan_weight", lambda: Projection(*_cells(), AllToAllConnector(), weight=[0.1, math.nan]), "a_to_b.weight",
     "finite"),
    ("zero_delay", lambda: Projection(*_cells(), AllToAllConnector(), delay=0.0), "a_to_b.delay", "> 0"),
    ("unknown_receptor", lambda: Projection(*_cells(), AllToAllConnector(), receptor="nmda"), "a_to_b.receptor",
     "excitatory, inhibitory"),
    ("projection_to_spike_source",
     lambda: Projection(Population("a", 2, IF_curr_exp()), Population("s", 2, SpikeSourcePoisson()),
                        AllToAllConnector()), "a_to_s.post", "population of neurons"),
    ("connector_not_a_connector", lambda: Projection(*_cells(), "all_to_all"), "a_to_b.connector", "AllToAll"),
    ("stdp_w_max_below_w_min", lambda: STDP(w_min=0.5, w_max=0.2), "w_max", "w_max >= w_min"),
    ("stdp_unknown_variant", lambda: STDP(variant="pfister"), "variant", "textbook, spinnaker"),
    ("stdp_negative_tau_plus", lambda: STDP(tau_plus=-20.0), "tau_plus", "> 0"),
    ("stdp_negative_amplitude", lambda: STDP(A_minus=-0.1), "A_minus", ">= 0"),
    ("uniform_reversed", lambda: Uniform(-50.0, -60.0), "high", "high >= low"),
    ("array_connector_not_bool", lambda: ArrayConnector(np.ones((2, 2))), "mask", "bool array"),
    ("from_list_negative_index", lambda: FromListConnector([(0, 1), (-1, 0)]), "pairs", "index pairs"),
    ("from_list_duplicate", lambda: FromListConnector([(0, 1), (0, 1)]), "pairs", "at most once"),
    ("unknown_backend", lambda: simulate(_network_with(Population("a", 1, IF_curr_exp())), 1.0, backend="nest"),
     "backend", "numba"),
]


def check_message(error: BiomemError, parameter: str, accepted: str) -> None:
    message = str(error)
    assert "\n" not in message, f"message spans lines: {message!r}"
    assert message.startswith(parameter) or f"{parameter}:" in message, f"{parameter!r} not named in {message!r}"
    assert "(accepted: " in message and accepted in message.split("(accepted: ", 1)[1], \
        f"accepted range {accepted!r} missing from {message!r}"


@pytest.mark.parametrize("make, parameter, accepted", [case[1:] for case in CONSTRUCTION],
                         ids=[case[0] for case in CONSTRUCTION])
def test_invalid_description(make, parameter, accepted):
    with pytest.raises(BiomemError) as caught:
        make()
    check_message(caught.value, parameter, accepted)


def _two(size_a=3, size_b=3, connector=None, **projection):
    network = Network("v")
    a = network.add(Population("a", size_a, IF_curr_exp()))
    b = network.add(Population("b", size_b, IF_curr_exp()))
    network.add(Projection(a, b, connector or AllToAllConnector(), weight=projection.pop("weight", 0.1),
                           **projection))
    return network


def _single():
    return _network_with(Population("a", 1, IF_curr_exp()))


# Errors found when the network is lowered for a run: (id, network factory, run arguments, parameter, accepted).
AT_RUN = [
    ("negative_duration", _single, {"duration": -10.0}, "duration", "> 0"),
    ("zero_duration", _single, {"duration": 0.0}, "duration", "> 0"),
    ("zero_dt", _single, {"dt": 0.0}, "dt", "> 0"),
    ("negative_dt", _single, {"dt": -0.1}, "dt", "> 0"),
    ("nan_dt", _single, {"dt": math.nan}, "dt", "> 0"),
    ("duration_off_grid", _single, {"duration": 1.05}, "duration", "multiple of dt"),
    ("negative_seed", _single, {"seed": -1}, "seed", "integer in [0"),
    ("delay_off_grid", lambda: _two(delay=0.15), {}, "a_to_b.delay", "multiple of dt = 0.1"),
    ("delay_below_dt", lambda: _two(delay=0.5), {"dt": 1.0}, "a_to_b.delay", "multiple of dt = 1"),
    ("spike_time_off_grid", lambda: _network_with(Population("s", 1, SpikeSourceArray([[0.25]]))), {},
     "s.spike_times[0]", "multiple of dt"),
    ("poisson_rate_above_one_per_step", lambda: _network_with(Population("s", 2, SpikeSourcePoisson(rate=20000.0))),
     {}, "s.rate", "10000 Hz"),
    ("one_to_one_size_mismatch", lambda: _two(3, 4, OneToOneConnector()), {}, "connector", "same size"),
    ("from_list_index_out_of_range", lambda: _two(3, 3, FromListConnector([(0, 1), (2, 3)])), {}, "pairs",
     "post in [0, 2]"),
    ("array_connector_wrong_shape", lambda: _two(3, 3, ArrayConnector(np.ones((3, 2), bool))), {}, "mask",
     "shape (3, 3)"),
    ("weight_array_wrong_length", lambda: _two(2, 2, weight=[0.1, 0.2, 0.3]), {}, "a_to_b.weight", "one value per"),
    ("empty_network", lambda: Network("v"), {}, "network", "at least one population"),
]


@pytest.mark.parametrize("make, arguments, parameter, accepted", [case[1:] for case in AT_RUN],
                         ids=[case[0] for case in AT_RUN])
def test_invalid_run(run, make, arguments, parameter, accepted):
    arguments = {"duration": 1.0, "dt": 0.1, "seed": 0, **arguments}
    with pytest.raises(BiomemError) as caught:
        run(make(), arguments["duration"], arguments["dt"], seed=arguments["seed"])
    check_message(caught.value, parameter, accepted)


def test_errors_are_value_errors():
    """Callers that catch ValueError keep working."""
    with pytest.raises(ValueError):
        IF_curr_exp(tau_m=0.0)


def test_unrecorded_state_is_a_biomem_error(run):
    result = run(_single(), 1.0, 0.1)
    with pytest.raises(BiomemError) as caught:
        result.state("a", "v")
    check_message(caught.value, "variable", "record it")
