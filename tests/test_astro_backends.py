"""numba, torch and brian2 give the same astrocyte traces on the same input.

Same scheme on every backend (RK4 in Brian2's form for the astrocytes, exact updates for the
tripartite synapses, Brian2's schedule), float64. Tolerance: 1e-9 relative to each trace's scale
(measured differences are ~1e-14; only the order of floating-point operations differs). Coupled
networks: identical spike trains, membrane potentials within 1e-9 mV.
"""

from __future__ import annotations

import numpy as np
import pytest

from biomem.backends.brian2 import astrocytes as brian2_astrocytes
from biomem.backends.numba import astrocytes as numba_astrocytes
from biomem.backends.torch import astrocytes as torch_astrocytes
from biomem.astrocytes.common import SpikeInput
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse

RTOL = 1e-9
OTHERS = {"torch": torch_astrocytes, "brian2": brian2_astrocytes}


def _close(reference, other, name):
    scale = max(float(np.abs(reference).max()), 1e-12)
    error = float(np.abs(reference - other).max()) / scale
    assert error < RTOL, f"{name}: relative difference {error:.2e}"


@pytest.fixture(scope="module")
def li_rinzel_input():
    rng = np.random.default_rng(3)
    steps = np.sort(rng.choice(np.arange(20, 700), 90, replace=False))
    return SpikeInput.from_steps(steps, rng.integers(0, 3, steps.size), rng.uniform(0.5, 1.5, steps.size))


@pytest.mark.parametrize("other", ["torch", "brian2"])
def test_li_rinzel_backends_agree(other, li_rinzel_input):
    model = LiRinzelAstrocyte(delta_IP3=0.2)
    kwargs = dict(record_every=1, initial={"h_IP3R": [0.793, 0.7, 0.9]})
    reference = numba_astrocytes.simulate_li_rinzel(model, 3, 1200, 1.0, li_rinzel_input, **kwargs)
    result = OTHERS[other].simulate_li_rinzel(model, 3, 1200, 1.0, li_rinzel_input, **kwargs)
    assert reference["Ca_astro"].max() > 0.5   # calcium crossed SIC_th: the SIC branch is exercised
    assert result.times.shape == reference.times.shape
    for name in ("IP3", "Ca_astro", "h_IP3R", "SIC"):
        _close(reference[name], result[name], f"{other} {name}")


@pytest.mark.parametrize("other", ["torch", "brian2"])
def test_tripartite_backends_agree(other):
    """Three synapses (the first without astrocyte), two G-ChI astrocytes with exogenous IP3 (as
    Brian2's example 3), closed loop for the first: release events and every trace agree."""
    astrocyte, synapse = GChIAstrocyte(F_ex=2.0), TripartiteSynapse()
    spikes = SpikeInput.from_steps(np.repeat([1100, 1150, 1200, 1250, 1300, 1310, 1320, 1330, 1340], 3),
                                   np.tile([0, 1, 2], 9))
    kwargs = dict(syn_to_astro=([1], [0]), astro_to_syn=([0, 1], [1, 2]), I_bias=[0.8, 1.25],
                  initial={"I": 0.4, "x_S": [1.0, 0.9, 0.8]})
    reference = numba_astrocytes.simulate_tripartite(astrocyte, synapse, 2, 3, 1400, 1.0, spikes, **kwargs)
    result = OTHERS[other].simulate_tripartite(astrocyte, synapse, 2, 3, 1400, 1.0, spikes, **kwargs)
    assert reference.events["release"][0].size >= 1          # gliotransmitter was released
    for mine, theirs in zip(reference.events["release"], result.events["release"]):
        np.testing.assert_array_equal(mine, theirs)
    _close(reference.events["r_S"], result.events["r_S"], f"{other} r_S")
    for name in reference.state:
        _close(reference[name], result[name], f"{other} {name}")
    # Gliotransmission changes release: the modulated synapses release less than the bare one.
    first = reference.events["r_S"][:3]
    assert first[1] < first[0] and first[2] < first[0]


def _network(conductance: bool):
    from biomem.description import (FixedProbabilityConnector, IF_cond_exp, IF_curr_exp, Network, Population,
                                    Projection, SpikeSourcePoisson)
    net = Network("astro_backends")
    source = net.add(Population("src", 15, SpikeSourcePoisson(rate=80.0)))
    cell = IF_cond_exp(tau_refrac=1.0) if conductance else IF_curr_exp(tau_refrac=2.0)
    exc = net.add(Population("exc", 24, cell, record=("spikes", "v")))
    net.add(Projection(source, exc, FixedProbabilityConnector(0.4), weight=0.03 if conductance else 1.5, delay=0.2))
    net.add(Projection(exc, exc, FixedProbabilityConnector(0.15), weight=0.01 if conductance else 0.4, delay=0.1))
    net.add(Projection(exc, exc, FixedProbabilityConnector(0.1), receptor="inhibitory",
                       weight=0.02 if conductance else 0.3, delay=0.5, label="inhibition"))
    return net


@pytest.mark.parametrize("conductance", [False, True])
def test_coupled_network_backends_agree(conductance):
    from biomem.astrocytes.coupling import AstrocyteLayer, domains, run_lowered
    from biomem.description import lower
    layer = AstrocyteLayer(LiRinzelAstrocyte(delta_IP3=0.5), 3, gather=(domains("exc", 24, 3, 1.0),),
                           sic=(domains("exc", 24, 3, 0.02 if conductance else 0.08),), astro_every=5,
                           initial={"IP3": [0.16, 2.0, 4.0]})
    lowered = lower(_network(conductance), 300.0, 0.1, 5)
    reference = run_lowered(lowered, layer, backend="numba")
    assert reference.I_SIC.max() > 0
    for other in ("torch", "brian2"):
        result = run_lowered(lowered, layer, backend=other)
        np.testing.assert_array_equal(result.spike_steps, reference.spike_steps)
        np.testing.assert_array_equal(result.spike_neurons, reference.spike_neurons)
        assert np.abs(result.v - reference.v).max() < 1e-9
        _close(reference.I_SIC, result.I_SIC, f"{other} I_SIC")
        for name in ("IP3", "Ca_astro", "h_IP3R"):
            _close(reference.astro[name], result.astro[name], f"{other} {name}")


def test_no_sic_is_the_numba_backend():
    """With the astrocytes' output switched off, the coupled engine is biomem's numba kernel, bit for bit."""
    from biomem import simulate
    from biomem.astrocytes.coupling import AstrocyteLayer, domains
    from biomem.astrocytes.coupling import simulate as simulate_coupled
    net = _network(False)
    layer = AstrocyteLayer(LiRinzelAstrocyte(delta_IP3=0.5), 3, gather=(domains("exc", 24, 3),),
                           sic=(domains("exc", 24, 3, 0.0),), astro_every=5)
    plain = simulate(net, 300.0, dt=0.1, seed=2)
    coupled = simulate_coupled(net, layer, 300.0, dt=0.1, seed=2)
    np.testing.assert_array_equal(coupled.spike_steps, plain.raw.spike_steps)
    np.testing.assert_array_equal(coupled.spike_neurons, plain.raw.spike_neurons)
    np.testing.assert_array_equal(coupled.v, plain.raw.state["v"])
    assert coupled.astro["IP3"][-1].max() > 0.16   # the astrocytes still listened


def test_torch_batch_matches_single_trials():
    from biomem.astrocytes.coupling import AstrocyteLayer, domains, run_lowered, simulate_batch
    from biomem.backends.torch.batch import trials_from
    from biomem.description import lower
    layer = AstrocyteLayer(LiRinzelAstrocyte(delta_IP3=0.5), 3, gather=(domains("exc", 24, 3),),
                           sic=(domains("exc", 24, 3, 0.08),), astro_every=5, sic_delay=2)
    base, other = lower(_network(False), 200.0, 0.1, 1), lower(_network(False), 200.0, 0.1, 2)
    trials = trials_from(base, source_spikes=[(base.source_steps, base.source_neurons),
                                              (base.source_steps[::2], base.source_neurons[::2])])
    batched = simulate_batch(trials, layer, backend="torch")
    for trial, result in zip(trials, batched):
        single = run_lowered(trial, layer, backend="numba")
        np.testing.assert_array_equal(result.spike_steps, single.spike_steps)
        np.testing.assert_array_equal(result.spike_neurons, single.spike_neurons)
        _close(single.astro["Ca_astro"], result.astro["Ca_astro"], "batched Ca")
    assert other.n_steps == base.n_steps
