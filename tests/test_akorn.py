"""AKOrN layers: the n = 2 reduction to the classic model, energy descent, training, binding data."""

import numpy as np
import pytest
import torch

from biomem.errors import BiomemError
from biomem.oscillators.akorn import (AKOrNLayer, Omega, classic_layer, normalize, phases_to_state, random_state,
                                      state_to_phases)
from biomem.oscillators.akorn_coupling import ConvCoupling
from biomem.oscillators.binding import fg_ari, kmeans_segment, make_scenes, object_counts, tetrominoes
from biomem.oscillators.binding_model import binding_experiment
from biomem.oscillators.description import KuramotoModel, realize


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _classic_rhs(theta, omega, K):
    return omega + K * np.mean(np.sin(theta[None, :] - theta[:, None]), axis=1)


def test_n2_akorn_vector_field_is_the_classic_kuramoto_model():
    real = realize(KuramotoModel(N=25, K=1.3, width=0.5), seed=2)
    layer = classic_layer(real.omega, 1.3)
    theta = torch.tensor(real.theta0)
    x = phases_to_state(theta)[None]
    with torch.no_grad():
        v = layer.velocity(x, torch.zeros_like(x)).reshape(25, 2)
    tangent = torch.stack([-torch.sin(theta), torch.cos(theta)], dim=-1)
    dtheta = (v * tangent).sum(-1).numpy()
    np.testing.assert_allclose(dtheta, _classic_rhs(real.theta0, real.omega, 1.3), atol=1e-12)
    # v is tangent: no radial part
    assert torch.abs((v * x.reshape(25, 2)).sum(-1)).max() < 1e-12


def test_n2_discrete_step_is_theta_plus_atan_gamma_f():
    real = realize(KuramotoModel(N=25, K=2.0, width=0.5), seed=3)
    layer = classic_layer(real.omega, 2.0, gamma=0.3)
    x = phases_to_state(torch.tensor(real.theta0))[None]
    with torch.no_grad():
        new = state_to_phases(layer.step(x, torch.zeros_like(x)))[0].numpy()
    expected = real.theta0 + np.arctan(0.3 * _classic_rhs(real.theta0, real.omega, 2.0))
    np.testing.assert_allclose(np.angle(np.exp(1j * (new - expected))), 0.0, atol=1e-12)


def test_omega_sign_convention_positive_frequency_advances_the_phase():
    omega = Omega(2, 1, "pairs")
    with torch.no_grad():
        omega.frequency.fill_(0.7)
        m = omega.matrix()[0]
    assert torch.allclose(m, torch.tensor([[0.0, -0.7], [0.7, 0.0]]))
    x = phases_to_state(torch.tensor([0.4]))[None]
    with torch.no_grad():
        v = omega(x)[0]
    assert float(v[0] * -np.sin(0.4) + v[1] * np.cos(0.4)) == pytest.approx(0.7)


@pytest.mark.parametrize("mode", ["pairs", "full"])
def test_omega_is_antisymmetric_and_states_stay_on_the_sphere(mode):
    torch.manual_seed(0)
    layer = AKOrNLayer(12, n=4, coupling="conv", T=5, omega=mode, kernel_size=3)
    m = layer.omega.matrix()
    assert torch.allclose(m, -m.transpose(1, 2))
    c = torch.randn(2, 12, 6, 6)
    with torch.no_grad():
        x, info = layer(c, generator=torch.Generator().manual_seed(1), return_states=True)
    norms = x.reshape(2, 3, 4, 6, 6).norm(dim=2)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-6)
    assert info["energy"].shape == (6, 2)


def test_symmetric_conv_coupling_is_self_adjoint():
    torch.manual_seed(0)
    J = ConvCoupling(8, 4, kernel_size=5, symmetric=True).double()
    x, y = torch.randn(1, 8, 7, 9, dtype=torch.float64), torch.randn(1, 8, 7, 9, dtype=torch.float64)
    with torch.no_grad():
        assert float((y * J(x)).sum()) == pytest.approx(float((J(y) * x).sum()), rel=1e-12)


@pytest.mark.parametrize("coupling, options", [("dense", {"spatial_size": 16, "symmetric": True}),
                                               ("conv", {"kernel_size": 3, "symmetric": True})])
def test_energy_never_increases_for_symmetric_coupling_without_omega(coupling, options):
    """Symmetric J, Omega = 0, c = 0, small gamma: E = -sum x.Jx is non-increasing step by step;
    with c != 0 the Lyapunov function -1/2 x.Jx - x.c is."""
    torch.manual_seed(0)
    layer = AKOrNLayer(8, n=4, coupling=coupling, T=60, gamma=0.05, omega="none", normalize_c=False,
                       **options).double()
    shape = (3, 8, 4, 4)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        _, info = layer(torch.zeros(shape, dtype=torch.float64), x0=random_state(shape, 4, g, torch.float64),
                        return_states=True)
        assert torch.all(torch.diff(info["energy"], dim=0) <= 1e-12)
        c = torch.randn(shape, generator=g, dtype=torch.float64)
        _, info = layer(c, x0=random_state(shape, 4, g, torch.float64), return_states=True)
        lyapunov = torch.stack([layer.lyapunov(x, c) for x in info["states"]])
        assert torch.all(torch.diff(lyapunov, dim=0) <= 1e-12)


@pytest.mark.parametrize("coupling, options", [("conv", {"kernel_size": 3}), ("attention", {"heads": 2}),
                                               ("dense", {"spatial_size": 25})])
def test_a_gradient_step_reduces_the_loss(coupling, options):
    torch.manual_seed(0)
    layer = AKOrNLayer(8, n=4, coupling=coupling, T=4, gamma=1.0, out_channels=3, **options)
    c = torch.randn(4, 8, 5, 5)
    target = torch.randn(4, 3, 5, 5)
    x0 = random_state(c.shape, 4, torch.Generator().manual_seed(1))
    loss = lambda: torch.nn.functional.mse_loss(layer(c, x0=x0), target)  # noqa: E731
    opt = torch.optim.SGD(layer.parameters(), lr=0.05)
    before = loss()
    opt.zero_grad()
    before.backward()
    assert all(p.grad is not None for p in layer.coupling.parameters())
    opt.step()
    assert float(loss().detach()) < float(before.detach())


def test_bad_layer_arguments():
    with pytest.raises(BiomemError, match="channels"):
        AKOrNLayer(10, n=4)
    with pytest.raises(BiomemError, match="omega"):
        AKOrNLayer(9, n=3, omega="pairs")
    with pytest.raises(BiomemError, match="coupling"):
        AKOrNLayer(8, n=4, coupling="graph")


def test_normalize_and_phase_round_trip():
    theta = torch.tensor([0.1, -2.0, 3.0])
    assert torch.allclose(state_to_phases(phases_to_state(theta)), theta)
    x = normalize(torch.randn(2, 6, 3), 3)
    assert torch.allclose(x.reshape(2, 2, 3, 3).norm(dim=2), torch.ones(2, 2, 3))


def test_scenes_are_seeded_and_masks_match_images():
    a, ma = make_scenes(5, 24, kind="tetrominoes", seed=4, noise=0.05)
    b, mb = make_scenes(5, 24, kind="tetrominoes", seed=4, noise=0.05)
    assert np.array_equal(a, b) and np.array_equal(ma, mb)
    assert len(tetrominoes()) == 19
    clean, masks = make_scenes(6, 24, seed=1)
    assert np.all((clean.max(axis=1) > 0) == (masks > 0))
    assert np.all(object_counts(masks) >= 1)


def test_fg_ari_and_kmeans_on_clean_colours():
    images, masks = make_scenes(3, 24, seed=2)
    assert fg_ari(masks, masks) == 1.0
    assert fg_ari(masks, masks + 7) == 1.0
    labels = kmeans_segment(images, object_counts(masks) + 1, seed=0)
    assert 0.0 <= fg_ari(masks, labels) <= 1.0


def test_binding_experiment_runs_small():
    scores = binding_experiment(images=3, size=24, T=4, train_steps=2, train_images=8, max_objects=3, seed=0)
    for key in ("fg_ari_akorn", "fg_ari_kmeans", "fg_ari_akorn_trained", "fg_ari_kmeans_trained"):
        assert -1.0 <= scores[key] <= 1.0
    again = binding_experiment(images=3, size=24, T=4, max_objects=3, seed=0)
    assert again["fg_ari_akorn"] == scores["fg_ari_akorn"]
