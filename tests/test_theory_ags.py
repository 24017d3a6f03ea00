"""AGS replica-symmetric theory of the Hopfield network against the reference card."""

import math

import numpy as np
import pytest

from biomem.theory import ags
from biomem.theory.integrals import expect, moments


def test_alpha_c_at_zero_temperature():
    alpha_c, m_c = ags.alpha_c()
    assert 0.137 <= alpha_c <= 0.139
    assert m_c == pytest.approx(0.967, abs=0.002)
    # the iterated T = 0 solution exists just below alpha_c and not above
    assert ags.solve(alpha_c - 1e-4, 0.0).m > 0.96
    assert ags.solve(alpha_c + 1e-4, 0.0).m == 0.0


def test_zero_temperature_is_the_limit_of_small_temperature():
    exact = ags.solve(0.1, 0.0)
    near = ags.solve(0.1, 1e-3)
    assert near.m == pytest.approx(exact.m, abs=1e-6)
    assert near.r == pytest.approx(exact.r, rel=1e-3)
    assert near.f == pytest.approx(exact.f, abs=1e-5)
    # the RS spin glass keeps a (negative) entropy at T -> 0: extrapolate f linearly
    f1, f2 = ags.spin_glass(0.1, 1e-3).f, ags.spin_glass(0.1, 2e-3).f
    assert 2 * f1 - f2 == pytest.approx(ags.spin_glass(0.1, 0.0).f, abs=1e-6)


def test_zero_temperature_equations_hold():
    state = ags.solve(0.08, 0.0)
    s = math.sqrt(2 * 0.08 * state.r)
    assert state.m == pytest.approx(math.erf(state.m / s), abs=1e-12)
    C = math.sqrt(2 / (math.pi * 0.08 * state.r)) * math.exp(-state.m ** 2 / (2 * 0.08 * state.r))
    assert state.r == pytest.approx((1 - C) ** -2, rel=1e-10)


def test_finite_temperature_fixed_point_and_curie_weiss_limit():
    state = ags.solve(0.05, 0.4)
    s = math.sqrt(0.05 * state.r)
    m = expect(lambda z: np.tanh((state.m + s * z) / 0.4), 200001)
    q = expect(lambda z: np.tanh((state.m + s * z) / 0.4) ** 2, 200001)
    assert state.m == pytest.approx(m, abs=1e-9)
    assert state.q == pytest.approx(q, abs=1e-9)
    assert state.r == pytest.approx(state.q / (1 - (1 - state.q) / 0.4) ** 2, rel=1e-8)
    cw = ags.solve(0.0, 0.5)
    assert cw.m == pytest.approx(math.tanh(cw.m / 0.5), abs=1e-12)


def test_lines_of_the_phase_diagram():
    for alpha in (0.0, 0.04, 0.2):
        assert ags.T_g(alpha) == pytest.approx(1 + math.sqrt(alpha))
    # T_g is where the spin-glass q vanishes
    assert ags.spin_glass(0.1, ags.T_g(0.1) - 0.02).q > 1e-3
    assert ags.spin_glass(0.1, ags.T_g(0.1) + 0.02).q < 1e-8
    tm = ags.T_M(0.05, xtol=1e-4)
    assert 0.5 < tm < 0.6
    assert ags.solve(0.05, tm - 1e-3).m > 0.5 and ags.solve(0.05, tm + 1e-3).m == 0
    tc = ags.T_c(0.02, xtol=1e-5)
    assert 0 < tc < ags.T_M(0.02, 1e-4)
    assert ags.phase(0.02, tc - 0.01)["phase"] == "retrieval-global"
    assert ags.phase(0.02, tc + 0.01)["phase"] == "retrieval-metastable"
    assert ags.alpha_global_zero_temperature() == pytest.approx(0.051, abs=0.002)


def test_phase_labels():
    assert ags.phase(0.02, 0.1)["phase"] == "retrieval-global"
    assert ags.phase(0.1, 0.1)["phase"] == "retrieval-metastable"
    assert ags.phase(0.2, 0.3)["phase"] == "spin-glass"
    assert ags.phase(0.2, 1.6)["phase"] == "paramagnetic"
    assert ags.phase(0.0, 1.2)["phase"] == "paramagnetic"


def test_gaussian_moments_are_exact_at_low_temperature():
    # the split (closed-form sign part + localised remainder) against a 400 001-point grid
    for a, s, T in [(0.5, 0.3, 0.003), (0.9, 0.4, 0.05), (-0.2, 1.0, 1.5)]:
        t, u, bu, lnc = moments(a, s, 1 / T)
        assert t == pytest.approx(expect(lambda z: np.tanh((a + s * z) / T), 400001), abs=1e-10)
        assert u == pytest.approx(expect(lambda z: np.cosh(np.clip((a + s * z) / T, -300, 300)) ** -2, 400001),
                                  abs=1e-10)
