"""Dense Hebbian theory: the card's P = 4 low-load table and P = 3 high-load capacities."""

import math

import pytest

from biomem.theory import dense, unsupervised

# P = 4 low load: (rho, T_spinodal, T_thermodynamic, m at T = 0.4) from the card. Our values are
# solved to 1e-9 (checked against a 200 001-point brute force); the card's lie within 0.003.
CARD_P4 = [(0.0, 0.99, 0.725, 1.000), (0.25, 0.677, 0.515, 0.917), (0.5, 0.578, 0.442, 0.786)]
CARD_P3_ALPHA_C = {0.0: 0.757, 0.1: 0.597, 0.2: 0.513, 0.5: 0.405, 1.0: 0.350, 2.0: 0.322}


@pytest.mark.parametrize("rho, t_sp, t_th, m04", CARD_P4)
def test_p4_low_load_table(rho, t_sp, t_th, m04):
    assert dense.spinodal_temperature(4, rho) == pytest.approx(t_sp, abs=0.003)
    assert dense.thermodynamic_temperature(4, rho) == pytest.approx(t_th, abs=0.003)
    assert dense.low_load(4, rho, 0.4).m == pytest.approx(m04, abs=0.001)


def test_p4_low_load_precise_values():
    assert dense.spinodal_temperature(4, 0.5) == pytest.approx(0.578168560, abs=1e-6)
    assert dense.thermodynamic_temperature(4, 0.5) == pytest.approx(0.444380336, abs=1e-6)


def test_low_load_zero_temperature_is_the_majority_vote():
    for rho in (0.1, 0.5, 2.0):
        state = dense.low_load(4, rho, 0.0)
        assert state.m == pytest.approx(math.erf(1 / math.sqrt(2 * rho)), abs=1e-12)
        nu0 = math.sqrt(2 * rho / math.pi) * math.exp(-0.5 / rho) + math.erf(1 / math.sqrt(2 * rho))
        assert state.m_hat == pytest.approx(nu0, abs=1e-12)


def test_p2_transition_is_continuous_at_one():
    assert dense.low_load(2, 0.5, 0.98).m > 0.05
    assert dense.low_load(2, 0.5, 1.02).m == 0.0
    assert dense.thermodynamic_temperature(2, 0.5) == 1.0


@pytest.mark.parametrize("rho, expected", sorted(CARD_P3_ALPHA_C.items()))
def test_p3_alpha_c_table(rho, expected):
    assert dense.alpha_c(3, rho) == pytest.approx(expected, abs=0.0015)


def test_p3_alpha_c_by_iteration_agrees():
    assert dense.alpha_c_iterated(3, 0.5, 1e-4) == pytest.approx(dense.alpha_c(3, 0.5), abs=2e-4)


def test_high_load_zero_temperature_formulas():
    state = dense.high_load(3, 0.5, 0.0, 0.2)
    a = 3 * state.m_hat ** 2 / 1.5 ** 1.5
    s = math.sqrt(a * a * 0.5 + 0.2 * 3)
    assert state.m == pytest.approx(math.erf(a / (math.sqrt(2) * s)), abs=1e-10)
    assert state.m_hat == pytest.approx(state.m + 0.5 * a * math.sqrt(2 / math.pi) * math.exp(-a * a / (2 * s * s)) / s,
                                        abs=1e-10)
    assert state.m == pytest.approx(0.758, abs=0.001)             # card's MC comparison value
    assert dense.high_load(3, 0.0, 0.0, 0.5).m == pytest.approx(0.982, abs=0.001)
    # small T approaches T = 0
    assert dense.high_load(3, 0.5, 1e-4, 0.2).m == pytest.approx(state.m, abs=1e-5)


def test_phases_and_conventions():
    assert dense.phase(4, 0.5, 0.4)["phase"] == "retrieval-global"
    assert dense.phase(4, 0.5, 0.5)["phase"] == "retrieval-metastable"
    assert dense.phase(4, 0.5, 0.7)["phase"] == "paramagnetic"
    assert dense.phase(3, 0.0, 0.0, 1.0)["phase"] == "spin-glass"
    assert dense.convert_load(0.757, 3, "gardner", "krotov") == pytest.approx(0.757 / 6)
    assert dense.convert_temperature(0.8, "gardner", "half") == pytest.approx(0.4)
    assert dense.quality(0.5, 50) == pytest.approx(1 / math.sqrt(26))
    assert dense.entropy(dense.quality(0.5, 50), 50) == pytest.approx(0.5)


def test_unsupervised_parts_from_supervised():
    # symmetric (archetype) state = supervised theory with the exact binomial law of xi_hat
    sym = unsupervised.solve(4, 0.5, 1000, 0.4, 1 / math.sqrt(501), 1 / math.sqrt(501))
    assert sym["m"] == pytest.approx(dense.low_load(4, 0.5, 0.4).m, abs=2e-3)
    # M r^4 small: the archetype is only metastable, single-example states are far lower
    state = unsupervised.phase(4, 0.5, 50, 0.4)
    assert state["phase"] == "retrieval-metastable"
    assert state["f_example"] < state["f_symmetric"] - 1.0
    assert state["m_example"] == pytest.approx(1 / math.sqrt(26), abs=0.01)
    assert state["archetype_margin"] < 1
    # few examples: the archetype state is unstable and decays into one example
    few = unsupervised.phase(4, 0.5, 2, 0.4)
    assert few["phase"] == "example" and few["example_growth"] > 1
    # informative examples: the archetype wins
    good = unsupervised.phase(4, 0.1, 50, 0.4)
    assert good["phase"] == "retrieval-global" and good["archetype_margin"] > 1
