"""Brian2 (runtime and C++ standalone) against the Numba kernel on the same lowered networks.

Required agreement: identical spike steps and neurons, final weights and weight traces within
1e-9 (they agree to about 1e-15). Recorded ``v``, ``exc`` and ``inh`` are compared with a
relative tolerance of 1e-12 because two things make the last bit differ, without moving any
spike:

- Brian2's numpy target evaluates ``exp`` with NumPy's SIMD implementation, which differs by
  one ulp from the glibc ``exp`` of the kernel for a few percent of arguments (conductance
  neurons, STDP traces); C++ standalone uses glibc and agrees bit for bit there;
- when three or more weights reach one neuron in one step, the kernel adds them in emission
  order across all projections, Brian2 one Synapses object after the other; floating-point
  addition is not associative, so an input current may differ by one ulp.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import biomem
from biomem.description import (STDP, AllToAllConnector, FixedProbabilityConnector, FromListConnector, IF_cond_exp,
                                IF_curr_exp, Network, OneToOneConnector, Population, Projection, SpikeSourceArray,
                                SpikeSourcePoisson, Uniform)
from biomem.errors import BiomemError
from biomem.models.ca3.network import build_network

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "ca3_functional_spinnaker.json"
SHARED = HERE.parent.parent.parent / "shared" / "reference" / "ca3_functional_spinnaker.json"
WEIGHT_TOLERANCE = 1e-9
STATE_RTOL = STATE_ATOL = 1e-12


def ca3_reference() -> dict:
    """The SpiNNaker recording, from tests/fixtures (copied there from shared/ when missing)."""
    if not FIXTURE.exists():
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED, FIXTURE)
    with open(FIXTURE) as handle:
        return json.load(handle)


def both(network, duration, dt, seed=0, backend="brian2", **options):
    """The same network simulated on numba (reference) and on ``backend``."""
    reference = biomem.simulate(network, duration, dt=dt, seed=seed, backend="numba")
    result = biomem.simulate(network, duration, dt=dt, seed=seed, backend=backend, **options)
    return reference, result


def assert_equivalent(reference, result):
    expected, actual = reference.raw, result.raw
    np.testing.assert_array_equal(actual.spike_steps, expected.spike_steps)
    np.testing.assert_array_equal(actual.spike_neurons, expected.spike_neurons)
    np.testing.assert_allclose(actual.final_weights, expected.final_weights, rtol=0, atol=WEIGHT_TOLERANCE)
    assert sorted(actual.weight_traces) == sorted(expected.weight_traces)
    for label, trace in expected.weight_traces.items():
        np.testing.assert_allclose(actual.weight_traces[label], trace, rtol=0, atol=WEIGHT_TOLERANCE, err_msg=label)
    assert sorted(actual.state) == sorted(expected.state)
    for key, trace in expected.state.items():
        assert actual.state[key].shape == trace.shape
        np.testing.assert_allclose(actual.state[key], trace, rtol=STATE_RTOL, atol=STATE_ATOL, err_msg=key)


def source_times(rng, n, count, stop, dt):
    """``n`` spike trains of up to ``count`` distinct times on the ``dt`` grid before ``stop``."""
    return tuple(tuple(sorted(set(np.round(rng.uniform(0.0, stop, count) / dt) * dt))) for _ in range(n))


def mixed_network(dt):
    """Current- and conductance-based neurons, array and Poisson sources, delays of 1-10 steps."""
    rng = np.random.default_rng(11)
    net = Network("mixed")
    src = net.add(Population("src", 10, SpikeSourceArray(source_times(rng, 10, 14, 55.0, dt))))
    noise = net.add(Population("noise", 4, SpikeSourcePoisson(rate=200.0, start=5.0, duration=40.0)))
    curr = net.add(Population("curr", 8, IF_curr_exp(cm=0.5, tau_m=10.0, tau_refrac=2.0, tau_syn_E=1.5, tau_syn_I=3.0,
                                                     v_rest=-65.0, v_reset=-70.0, v_thresh=-55.0, i_offset=0.3),
                              initial_v=Uniform(-70.0, -56.0), record=("spikes", "v", "isyn_exc", "isyn_inh")))
    cond = net.add(Population("cond", 6, IF_cond_exp(cm=0.4, tau_m=15.0, tau_refrac=1.0, tau_syn_E=2.0, tau_syn_I=5.0,
                                                     e_rev_E=0.0, e_rev_I=-80.0, v_rest=-65.0, v_reset=-68.0,
                                                     v_thresh=-52.0, i_offset=0.1),
                              initial_v=Uniform(-66.0, -53.0), record=("spikes", "v", "gsyn_exc", "gsyn_inh")))
    net.add(Projection(src, curr, AllToAllConnector(), weight=rng.uniform(0.0, 0.9, 80), delay=dt, label="src_curr"))
    net.add(Projection(src, curr, FromListConnector(((0, 1), (3, 1), (4, 1), (5, 6), (9, 2), (9, 7))), "inhibitory",
                       weight=(1.5, 0.7, 0.9, 2.0, 1.1, 0.4), delay=3 * dt, label="src_curr_inh"))
    net.add(Projection(src, cond, AllToAllConnector(), weight=rng.uniform(0.0, 0.03, 60), delay=2 * dt,
                       label="src_cond"))
    net.add(Projection(noise, cond, AllToAllConnector(), "inhibitory", weight=0.01, delay=dt, label="noise_cond"))
    net.add(Projection(curr, cond, FixedProbabilityConnector(0.5), "inhibitory", weight=0.04, delay=4 * dt,
                       label="curr_cond_inh"))
    net.add(Projection(cond, curr, AllToAllConnector(), weight=0.35, delay=10 * dt, label="cond_curr"))
    net.add(Projection(curr, curr, AllToAllConnector(allow_self_connections=False), "inhibitory", weight=0.25,
                       delay=2 * dt, label="curr_curr_inh"))
    net.add(Projection(cond, cond, OneToOneConnector(), weight=0.01, delay=dt, label="cond_self"))
    return net


def plastic_network(variant, dt):
    """STDP from sources and between neurons (delays 1-3 steps, two rules), with inhibition."""
    rng = np.random.default_rng(5)
    net = Network("plastic")
    src = net.add(Population("src", 12, SpikeSourceArray(source_times(rng, 12, 25, 190.0, dt))))
    drive = net.add(Population("drive", 6, SpikeSourceArray(source_times(rng, 6, 12, 190.0, dt))))
    exc = net.add(Population("exc", 6, IF_curr_exp(cm=0.3, tau_m=8.0, tau_refrac=1.0, tau_syn_E=1.0, tau_syn_I=2.0,
                                                   v_thresh=-55.0), record=("spikes", "v", "isyn_exc", "isyn_inh")))
    inh = net.add(Population("inh", 3, IF_cond_exp(tau_refrac=1.5, tau_syn_E=1.0), record=("spikes", "v")))
    amplitude = 0.05 if variant == "textbook" else 0.08
    rule = STDP(tau_plus=15.0, tau_minus=20.0, A_plus=amplitude, A_minus=1.1 * amplitude, w_min=0.05, w_max=1.2,
                variant=variant)
    small = STDP(tau_plus=10.0, tau_minus=10.0, A_plus=amplitude, A_minus=amplitude, w_min=0.0, w_max=0.08,
                 variant=variant)
    net.add(Projection(drive, exc, OneToOneConnector(), weight=2.5, delay=dt, label="drive_exc"))
    net.add(Projection(src, exc, AllToAllConnector(), weight=rng.uniform(0.1, 0.9, 72), delay=dt, plasticity=rule,
                       label="src_exc", record_weights=True))
    net.add(Projection(src, exc, FixedProbabilityConnector(0.4), weight=0.3, delay=3 * dt, plasticity=rule,
                       label="src_exc_late", record_weights=True))
    net.add(Projection(exc, inh, AllToAllConnector(), weight=0.02, delay=2 * dt, plasticity=small, label="exc_inh",
                       record_weights=True))
    net.add(Projection(inh, exc, AllToAllConnector(), "inhibitory", weight=1.0, delay=dt, label="inh_exc"))
    net.add(Projection(exc, exc, AllToAllConnector(allow_self_connections=False), weight=0.2, delay=2 * dt,
                       plasticity=rule, label="exc_exc"))
    return net


def test_static_network_of_both_cell_types_matches_numba():
    dt = 0.1
    reference, result = both(mixed_network(dt), 60.0, dt, seed=3)
    lowered = reference.network
    # The network exercises what it claims to: both cell types and receptors, several delays,
    # refractory periods of several steps, and enough spikes in every population.
    assert set(np.unique(lowered.syn_delay)) == {1, 2, 3, 4, 10}
    assert set(np.unique(lowered.syn_receptor)) == {0, 1}
    assert lowered.conductance.any() and (~lowered.conductance & ~lowered.is_source).any()
    assert set(np.unique(lowered.refrac_steps[~lowered.is_source])) == {10, 20}
    counts = reference.spike_counts()
    assert min(counts.values()) >= 20, counts
    assert_equivalent(reference, result)
    assert result.raw.state["v"].shape == (600, 14)
    assert result.raw.build_s > 0 and result.raw.sim_s > 0


@pytest.mark.parametrize("variant", ["textbook", "spinnaker"])
def test_stdp_with_inhibition_matches_numba(variant):
    dt = 0.5
    reference, result = both(plastic_network(variant, dt), 200.0, dt, seed=3)
    lowered = reference.network
    counts = reference.spike_counts()
    assert counts["exc"] >= 50 and counts["inh"] >= 5, counts
    initial, final = lowered.syn_weight, reference.raw.final_weights
    plastic = np.zeros(lowered.n_synapses, bool)
    for projection in lowered.projections:
        if projection.plasticity is not None:
            plastic[projection.start:projection.stop] = True
            span = slice(projection.start, projection.stop)
            assert (final[span] != initial[span]).any(), projection.label
    assert ((final > initial) & plastic).sum() >= 20 and ((final < initial) & plastic).sum() >= 60
    assert (final[plastic] == 0.05).sum() >= 10  # clipped at w_min
    assert_equivalent(reference, result)
    assert sorted(result.raw.weight_traces) == ["exc_inh", "src_exc", "src_exc_late"]


def test_ca3_functional_experiment_reproduces_spinnaker():
    ref = ca3_reference()
    network = build_network(ref["cue_size"], ref["content_size"], ref["cue"], ref["cont"], record_weights=True)
    reference, result = both(network, ref["simTime"], ref["dt_ms"])
    spikes = result.spikes_json()
    assert sorted(spikes) == sorted(ref["expected_spikes"])
    for label, expected in ref["expected_spikes"].items():
        assert sorted(map(tuple, spikes[label])) == sorted(map(tuple, expected)), label
    assert_equivalent(reference, result)


def test_run_restores_brian2_and_numba_state():
    import brian2
    from brian2.utils.logger import BrianLogger

    names = ("codegen.target", "codegen.loop_invariant_optimisations", "codegen.cpp.extra_compile_args_gcc")
    before = {name: brian2.prefs[name] for name in names}
    level = BrianLogger.console_handler.level
    dt = 0.5
    reference, result = both(plastic_network("spinnaker", dt), 40.0, dt)
    assert {name: brian2.prefs[name] for name in names} == before
    assert BrianLogger.console_handler.level == level
    assert type(brian2.get_device()).__name__ == "RuntimeDevice"
    again = biomem.simulate(plastic_network("spinnaker", dt), 40.0, dt=dt, backend="numba")
    np.testing.assert_array_equal(again.raw.spike_steps, reference.raw.spike_steps)
    np.testing.assert_array_equal(again.raw.final_weights, reference.raw.final_weights)
    assert_equivalent(reference, result)


def test_unknown_runtime_target_is_refused():
    with pytest.raises(BiomemError, match="target"):
        biomem.backends.get("brian2", target="cpp_standalone")


@pytest.mark.slow
def test_standalone_ca3_functional_experiment_twice(tmp_path):
    """cpp_standalone (compiles for ~20 s), twice in one process, then runtime mode again."""
    import brian2

    ref = ca3_reference()
    network = build_network(ref["cue_size"], ref["content_size"], ref["cue"], ref["cont"], record_weights=True)
    reference = biomem.simulate(network, ref["simTime"], dt=ref["dt_ms"], backend="numba")
    for _ in range(2):  # the second build reuses the compiled project in tmp_path
        result = biomem.simulate(network, ref["simTime"], dt=ref["dt_ms"], backend="brian2-standalone",
                                 directory=str(tmp_path))
        spikes = result.spikes_json()
        for label, expected in ref["expected_spikes"].items():
            assert sorted(map(tuple, spikes[label])) == sorted(map(tuple, expected)), label
        assert_equivalent(reference, result)
        assert result.raw.build_s > 0 and result.raw.sim_s > 0
    assert type(brian2.get_device()).__name__ == "RuntimeDevice"
    assert_equivalent(reference, biomem.simulate(network, ref["simTime"], dt=ref["dt_ms"], backend="brian2"))
