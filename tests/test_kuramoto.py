"""Classic Kuramoto model: frequencies, description checks, exact theory and finite-N simulations."""

import math

import numpy as np
import pytest
from scipy import stats

from biomem.errors import BiomemError
from biomem.oscillators import frequencies as freq
from biomem.backends.numba import kuramoto as numba_kuramoto
from biomem.backends.torch import kuramoto as torch_kuramoto
from biomem.oscillators import theory
from biomem.oscillators.description import KuramotoModel, erdos_renyi, realize


def test_lorentzian_quantiles_match_the_closed_form():
    N, width = 101, 0.7
    i = np.arange(1, N + 1)
    expected = width * np.tan(np.pi * (i - 0.5) / N - np.pi / 2)
    np.testing.assert_allclose(freq.quantiles("lorentzian", N, width), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("distribution, ppf", [("gaussian", stats.norm(scale=0.3).ppf),
                                                ("uniform", stats.uniform(loc=-0.3, scale=0.6).ppf)])
def test_other_quantiles_are_inverse_cdf_values(distribution, ppf):
    N = 64
    omega = freq.quantiles(distribution, N, 0.3, center=1.0)
    np.testing.assert_allclose(omega, 1.0 + ppf((np.arange(1, N + 1) - 0.5) / N), atol=1e-12)
    assert omega.mean() == pytest.approx(1.0, abs=1e-14)


def test_random_frequencies_are_seeded():
    a = freq.frequencies("gaussian", 50, 1.0, "random", rng=np.random.default_rng(3))
    b = freq.frequencies("gaussian", 50, 1.0, "random", rng=np.random.default_rng(3))
    assert np.array_equal(a, b)
    with pytest.raises(BiomemError, match="rng"):
        freq.frequencies("gaussian", 50, 1.0, "random")


@pytest.mark.parametrize("kwargs, name", [({"N": 0}, "N"), ({"distribution": "cauchy"}, "distribution"),
                                          ({"width": -1.0}, "width"), ({"dt": 0.0}, "dt"),
                                          ({"coupling": "explicit"}, "matrix"), ({"integrator": "rk45"}, "integrator"),
                                          ({"p": 0.0}, "p"), ({"t_max": 0.01, "dt": 0.05}, "t_max")])
def test_bad_values_are_rejected_with_the_parameter_name(kwargs, name):
    with pytest.raises(BiomemError) as error:
        KuramotoModel(**kwargs)
    assert str(error.value).startswith(name)


def test_critical_couplings():
    assert theory.critical_coupling("lorentzian", 0.5) == pytest.approx(1.0)
    assert theory.critical_coupling("gaussian", 1.0) == pytest.approx(math.sqrt(8 / math.pi))
    assert theory.critical_coupling("uniform", 1.0) == pytest.approx(4 / math.pi)


def test_self_consistency_reproduces_the_lorentzian_closed_form():
    for K in (1.2, 2.0, 5.0):
        r = math.sqrt(1 - 1.0 / K)
        assert theory._h(r, K, "lorentzian", 0.5) == pytest.approx(1.0, abs=1e-10)


def test_uniform_transition_is_first_order():
    Kc = theory.critical_coupling("uniform", 1.0)
    assert theory.stationary_r("uniform", 1.0, Kc * (1 - 1e-9)) == 0.0
    assert theory.stationary_r("uniform", 1.0, Kc * (1 + 1e-6)) == pytest.approx(math.pi / 4, abs=1e-3)


def test_ott_antonsen_solution_solves_its_ode():
    t = np.linspace(0, 20, 2001)
    r = theory.ott_antonsen(t, 0.05, 2.0, 0.5)
    drdt = np.gradient(r, t)
    np.testing.assert_allclose(drdt[1:-1], (-0.5 * r + r * (1 - r ** 2))[1:-1], atol=2e-4)
    assert r[-1] == pytest.approx(math.sqrt(0.5), abs=1e-6)


@pytest.mark.parametrize("N", [500, 2000])
def test_no_synchronisation_below_kc(N):
    """K = K_c/2 with Lorentzian quantiles: r stays O(1/sqrt(N)); stated bound r_mean < 3/sqrt(N)
    (the linear-response scale is sqrt(pi/4N)/sqrt(1-K/K_c) = 1.25/sqrt(N))."""
    result = numba_kuramoto.simulate(KuramotoModel(N=N, K=0.5, width=0.5, dt=0.1, t_max=100), seed=1)
    assert result.r_mean() < 3 / math.sqrt(N)


def test_lorentzian_r_matches_exact_result_within_finite_n_tolerance():
    """N = 2000 deterministic quantiles, all K at once on torch: |r - sqrt(1 - K_c/K)| < 0.005."""
    Ks = np.array([1.5, 2.0, 3.0, 4.0])
    result = torch_kuramoto.simulate_batch(KuramotoModel(N=2000, width=0.5, dt=0.05, t_max=100), Ks, seed=0)
    expected = np.sqrt(1 - 1.0 / Ks)
    np.testing.assert_allclose(result.r_mean(), expected, atol=0.005)


@pytest.mark.parametrize("distribution", ["gaussian", "uniform"])
def test_self_consistent_r_for_other_distributions(distribution):
    Kc = theory.critical_coupling(distribution, 0.5)
    for K in (1.5 * Kc, 3 * Kc):
        model = KuramotoModel(N=1000, K=K, width=0.5, distribution=distribution, dt=0.05, t_max=60)
        r = numba_kuramoto.simulate(model, seed=0).r_mean()
        assert r == pytest.approx(theory.stationary_r(distribution, 0.5, K), abs=0.005)


def test_seeded_runs_are_bit_identical():
    model = KuramotoModel(N=300, K=1.3, sampling="random", coupling="sparse", p=0.2, t_max=5)
    a, b = numba_kuramoto.simulate(model, seed=5), numba_kuramoto.simulate(model, seed=5)
    assert np.array_equal(a.r, b.r) and np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, numba_kuramoto.simulate(model, seed=6).theta)


def test_erdos_renyi_graph():
    indptr, indices = erdos_renyi(400, 0.05, np.random.default_rng(0))
    rows = np.repeat(np.arange(400), np.diff(indptr))
    assert not np.any(rows == indices)
    assert abs(indices.size - 0.05 * 400 * 399) < 5 * math.sqrt(0.05 * 400 * 399)
    assert all(np.all(np.diff(indices[indptr[i]:indptr[i + 1]]) > 0) for i in range(400))


def test_explicit_uniform_matrix_equals_mean_field():
    N = 64
    base = KuramotoModel(N=N, K=1.7, width=0.3, t_max=10)
    explicit = base.replace(coupling="explicit", matrix=np.full((N, N), 1.0 / N))
    a = numba_kuramoto.simulate(base, seed=2)
    b = numba_kuramoto.simulate(explicit, seed=2)
    np.testing.assert_allclose(a.theta, b.theta, atol=1e-11)
    assert realize(explicit, 2).dense() == pytest.approx(realize(base, 2).dense())
