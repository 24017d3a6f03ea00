"""The three classic-Kuramoto backends integrate the same equations: same trajectories to rounding."""

import json

import numpy as np
import pytest

from biomem.errors import BiomemError
from biomem.models import registry
from biomem.models.context import RunContext
from biomem.backends.brian2 import kuramoto as brian2_kuramoto
from biomem.backends.numba import kuramoto as numba_kuramoto
from biomem.backends.torch import kuramoto as torch_kuramoto
from biomem.oscillators import simulate
from biomem.oscillators.description import KuramotoModel


def _model(coupling, integrator):
    matrix = None
    if coupling == "explicit":
        matrix = np.random.default_rng(7).uniform(-0.5, 1.0, (30, 30)) / 30
    return KuramotoModel(N=30, K=1.5, width=0.5, sampling="random", coupling=coupling, p=0.3, matrix=matrix,
                         integrator=integrator, dt=0.05, t_max=5.0)


@pytest.mark.parametrize("integrator", ["rk4", "euler"])
@pytest.mark.parametrize("coupling", ["all_to_all", "sparse", "explicit"])
def test_backends_agree_to_rounding(coupling, integrator):
    """float64, same integrator and dt, 100 steps: phases agree to 1e-10 (seen: ~1e-14)."""
    model = _model(coupling, integrator)
    a = numba_kuramoto.simulate(model, seed=4, record_phases=True)
    b = torch_kuramoto.simulate(model, seed=4, record_phases=True)
    c = brian2_kuramoto.simulate(model, seed=4, record_phases=True)
    assert a.phases.shape == b.phases.shape == c.phases.shape == (101, 30)
    np.testing.assert_allclose(b.phases, a.phases, atol=1e-10, rtol=0)
    np.testing.assert_allclose(c.phases, a.phases, atol=1e-10, rtol=0)
    np.testing.assert_allclose(c.r, a.r, atol=1e-12)


def test_brian2_native_rk4_freezes_the_coupling_over_a_step():
    """Brian2's method='rk4' keeps the summed coupling fixed within a step: no longer the same RK4."""
    model = _model("all_to_all", "rk4")
    a = numba_kuramoto.simulate(model, seed=4)
    native = brian2_kuramoto.simulate(model, seed=4, rk4="native")
    assert np.abs(native.theta - a.theta).max() > 1e-4


def test_torch_batch_equals_single_runs():
    model = KuramotoModel(N=50, width=0.5, t_max=5, coupling="sparse", p=0.2)
    Ks = [0.5, 1.0, 2.5]
    batch = torch_kuramoto.simulate_batch(model, Ks, seed=1)
    for k, K in enumerate(Ks):
        single = numba_kuramoto.simulate(model.replace(K=K), seed=1)
        np.testing.assert_allclose(batch.theta[k], single.theta, atol=1e-11)
        np.testing.assert_allclose(batch.r[k], single.r, atol=1e-12)


def test_unknown_backend_names_the_accepted_ones():
    with pytest.raises(BiomemError, match="numba, torch, brian2"):
        simulate(KuramotoModel(N=10, t_max=1), backend="nest")


def test_run_entry_writes_metrics_and_figure(tmp_path):
    config = registry.get("kuramoto")
    params = config.resolve(["N=200", "K=2.0", "width=0.5", "distribution=lorentzian", "t_max=40"])
    out = config.entry("run")(RunContext(params=params, backend="torch", seed=3, out=tmp_path))
    assert out.metrics["r"] == pytest.approx(np.sqrt(0.5), abs=0.03)
    assert out.metrics["r_theory"] == pytest.approx(np.sqrt(0.5))
    json.dumps(out.metrics)
    assert all(path.exists() for path in out.figures)
    again = config.entry("run")(RunContext(params=params, backend="numba", seed=3, out=tmp_path))
    assert again.metrics["r"] == pytest.approx(out.metrics["r"], abs=1e-12)
    with pytest.raises(BiomemError, match="backend"):
        config.entry("run")(RunContext(params=params, backend="loihi", seed=3, out=tmp_path))


def test_sweep_points():
    config = registry.get("kuramoto")
    theory_point, montecarlo_point = config.entry("theory"), config.entry("montecarlo")
    assert theory_point({"K": 0.0}, 0)["r"] == 0.0
    assert theory_point({"K": 4.0, "width": 0.5}, 0)["r"] == pytest.approx(np.sqrt(0.75))
    point = montecarlo_point({"K": 3.0, "N": 400, "t_max": 40.0}, 0)
    assert point["r"] == pytest.approx(np.sqrt(1 - 1 / 3), abs=0.01)
    assert montecarlo_point({"K": 3.0, "N": 400, "t_max": 40.0}, 0) == point
