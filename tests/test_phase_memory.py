"""Oscillatory associative memory with Hebbian phase couplings."""

import numpy as np
import pytest

from biomem.oscillators import phase_memory as pm


def test_couplings_are_hermitian_with_zero_diagonal():
    patterns = pm.random_patterns(3, 20, np.random.default_rng(0))
    J = pm.hebbian_couplings(patterns)
    assert np.allclose(J, J.conj().T)
    assert np.all(np.diag(J) == 0)


def test_a_single_stored_pattern_is_a_fixed_point_up_to_global_phase():
    pattern = pm.random_patterns(1, 30, np.random.default_rng(1))
    J = pm.hebbian_couplings(pattern)
    assert np.abs(pm.velocity(J, pattern + 1.234)).max() < 1e-12


def test_recall_from_a_corrupted_cue_and_energy_descent():
    out = pm.recall_trial(N=200, P=4, seed=3, fraction=0.4, t_max=30.0)
    assert np.all(out["overlap_cue"] < 0.7)
    assert np.all(out["overlap_final"] > 0.95)
    rng = np.random.default_rng(5)
    patterns = pm.random_patterns(4, 100, rng)
    J = pm.hebbian_couplings(patterns)
    _, energies = pm.recall(J, pm.corrupt(patterns, rng, fraction=0.5), t_max=10.0, record_energy=True, tol=0)
    assert np.all(np.diff(energies, axis=0) <= 1e-10)


def test_overloaded_memory_fails():
    assert pm.recall_trial(N=100, P=30, seed=0, fraction=0.1, cues_per_run=10, t_max=30.0)["overlap_final"].mean() < 0.8


def test_capacity_grows_with_n():
    """Seen over seeds 0-4: P_max(40) in {2, 4}, P_max(200) in {7, 9} with these loads."""
    small = pm.capacity(40, [1, 2, 3, 4, 6], seed=0, cues_per_run=4, t_max=30.0)
    large = pm.capacity(200, [5, 7, 9], seed=0, cues_per_run=4, t_max=30.0)
    assert 1 <= small["P_max"] < large["P_max"]


def test_seeded_and_validated():
    a = pm.recall_trial(N=40, P=2, seed=9, fraction=0.2, t_max=5.0)
    b = pm.recall_trial(N=40, P=2, seed=9, fraction=0.2, t_max=5.0)
    assert np.array_equal(a["overlap_final"], b["overlap_final"])
    with pytest.raises(ValueError, match="fraction"):
        pm.corrupt(np.zeros((1, 5)), np.random.default_rng(0), fraction=1.5)
