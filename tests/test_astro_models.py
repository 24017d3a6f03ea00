"""Astrocyte descriptions (validation, one-line errors), the AM-SU module and the task generators."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from biomem.astrocytes.amsu import AMSUConfig, AMSUNetwork, train_classifier
from biomem.astrocytes.common import SpikeInput
from biomem.astrocytes.coupling import AstroConnection, AstrocyteLayer, domains
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse
from biomem.astrocytes.tasks import DelayedRecall, DigitsRows, RetentionConfig
from biomem.errors import BiomemError


@pytest.mark.parametrize("build, parameter", [
    (lambda: LiRinzelAstrocyte(Ca_tot=0.0), "Ca_tot"),
    (lambda: LiRinzelAstrocyte(h_IP3R=1.5), "h_IP3R"),
    (lambda: LiRinzelAstrocyte(tau_IP3=float("nan")), "tau_IP3"),
    (lambda: LiRinzelAstrocyte(delta_IP3=-1.0), "delta_IP3"),
    (lambda: GChIAstrocyte(U_A=2.0), "U_A"),
    (lambda: GChIAstrocyte(K_P=0.0), "K_P"),
    (lambda: TripartiteSynapse(alpha=-0.1), "alpha"),
    (lambda: TripartiteSynapse(Omega_d="fast"), "Omega_d"),
    (lambda: AstrocyteLayer(LiRinzelAstrocyte(), 2, astro_every=0), "astro_every"),
    (lambda: AstrocyteLayer(LiRinzelAstrocyte(), 2, gather=(AstroConnection("cells", [0], [5]),)),
     "gather.astrocytes"),
    (lambda: AstroConnection("cells", [0, 1], [0]), "astrocytes"),
    (lambda: AMSUConfig(n_in=0), "n_in"),
    (lambda: DelayedRecall(delay=-1), "delay"),
    (lambda: DigitsRows(split="validation"), "split"),
    (lambda: RetentionConfig(n_items=1), "n_items"),
    (lambda: SpikeInput.from_steps([0, 1], [0, 1, 2]), "targets"),
])
def test_bad_values_are_one_line_errors(build, parameter):
    with pytest.raises(BiomemError) as error:
        build()
    assert error.value.parameter == parameter
    assert "\n" not in str(error.value)


def test_descriptions_are_frozen_and_complete():
    model = LiRinzelAstrocyte()
    with pytest.raises(Exception):
        model.Ca_tot = 3.0
    params = model.nest_params()
    assert set(LiRinzelAstrocyte.NEST_PARAMETERS) <= set(params) and params["IP3"] == model.IP3_0
    assert model.sic(model.SIC_th) == 0.0 and model.sic(model.SIC_th + 0.002) == pytest.approx(np.log(2.0))
    assert len(GChIAstrocyte().initial_state()) == 6 and len(TripartiteSynapse().initial_state()) == 4


def test_domains_tile_a_population():
    connection = domains("cells", 10, 3, weight=0.5)
    assert connection.astrocytes == (0, 0, 0, 0, 1, 1, 1, 2, 2, 2)
    assert set(connection.weight) == {0.5}


def test_numba_input_must_fit_the_run():
    from biomem.backends.numba import astrocytes as numba_astrocytes
    with pytest.raises(BiomemError) as error:
        numba_astrocytes.simulate_li_rinzel(LiRinzelAstrocyte(), 2, 10, 1.0, SpikeInput.from_steps([3], [2]))
    assert error.value.parameter == "targets"
    with pytest.raises(BiomemError):
        numba_astrocytes.simulate_li_rinzel(LiRinzelAstrocyte(), 1, 10, 1.0, SpikeInput.from_steps([10], [0]))


def test_li_rinzel_relaxes_and_spikes_raise_ip3():
    from biomem.backends.numba import astrocytes as numba_astrocytes
    model = LiRinzelAstrocyte(delta_IP3=0.5)
    spikes = SpikeInput.from_steps([100], [1], 2.0)
    traces = numba_astrocytes.simulate_li_rinzel(model, 2, 300, 1.0, spikes, record_every=10)
    assert traces["IP3"].shape == (31, 2) and traces.times[-1] == 300.0
    assert traces["IP3"][10, 0] == pytest.approx(model.IP3_0)           # no input: IP3 stays at baseline
    jump = traces["IP3"][11, 1] - traces["IP3"][10, 1]
    assert jump == pytest.approx(1.0, rel=1e-2)                           # delta_IP3 * w, minus decay


def test_amsu_batched_and_differentiable():
    config = AMSUConfig(n_in=5, n_units=12, n_out=3, n_astrocytes=4)
    model = AMSUNetwork(config, seed=1)
    x = (torch.rand(30, 7, 5, generator=torch.Generator().manual_seed(0)) < 0.3).float()
    y = model(x)
    assert y.shape == (30, 7, 3) and model.last["s"].shape == (30, 7, 12) and model.last["a"].shape == (30, 7, 4)
    assert torch.all(model.tau_a > config.tau_a_min) and torch.all(model.tau_a <= config.tau_a_init[1] * 1.001)
    y[-5:].sum().backward()
    for name in ("w_in", "w_rec", "w_out", "rho_tau", "rho_delta", "g_sic", "kappa_theta", "alpha_logit"):
        grad = getattr(model, name).grad
        assert grad is not None and torch.isfinite(grad).all(), name
    assert float(model.g_sic.grad.abs().sum()) > 0
    # Each batch entry is independent: running one alone gives its slice of the batch.
    with torch.no_grad():
        alone = model(x[:, 2:3])
        together = model(x)
    torch.testing.assert_close(alone[:, 0], together[:, 2])


def test_lif_baseline_has_no_astrocyte():
    config = AMSUConfig(n_in=5, n_units=12, n_out=3, astro=False)
    model = AMSUNetwork(config)
    model(torch.zeros(4, 2, 5))
    assert model.last["a"] is None and not hasattr(model, "rho_tau")
    assert model.n_parameters() < AMSUNetwork(AMSUConfig(n_in=5, n_units=12, n_out=3)).n_parameters()


def test_amsu_device_is_checked():
    if not torch.cuda.is_available():
        from biomem.backends.torch.astrocytes import resolve
        with pytest.raises(BiomemError):
            resolve("cuda")


def test_tasks_shapes():
    rng = np.random.default_rng(0)
    recall = DelayedRecall(delay=20)
    x, labels, mask = recall(6, rng)
    assert x.shape == (recall.steps, 6, recall.n_in) and labels.shape == (6,) and mask.sum() == recall.recall_steps
    # The cue lines of the label fire during the cue, others only as noise.
    cue = x[:recall.cue_steps].sum(0)
    for b, label in enumerate(labels):
        lines = slice(label * recall.channels, (label + 1) * recall.channels)
        assert cue[b, lines].sum() > cue[b, :recall.n_cues * recall.channels].sum() / 2
    digits = DigitsRows(delay=5)
    x, labels, mask = digits(4, rng)
    assert x.shape == (digits.steps, 4, digits.n_in) and set(labels) <= set(range(10))
    assert x[:32, :, :8].max() <= 1.0 and x[32:32 + 5].sum() == 0


def test_training_learns_a_short_delay():
    """A few dozen Adam steps already beat chance on a short delayed recall (both networks)."""
    task = DelayedRecall(delay=3, n_cues=2, cue_steps=5, recall_steps=5)
    for astro in (True, False):
        model = AMSUNetwork(AMSUConfig(n_in=task.n_in, n_units=12, n_out=2, astro=astro), seed=0)
        result = train_classifier(model, task, iterations=25, batch_size=16, test_batches=2, seed=0)
        assert result.accuracy > 0.7, (astro, result.accuracy)
        assert len(result.losses) == 25 and result.losses[-1] < result.losses[0]
