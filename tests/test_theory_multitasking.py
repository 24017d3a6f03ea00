"""Multitasking (diluted patterns) and Willshaw theory."""

import numpy as np
import pytest

from biomem.errors import BiomemError
from biomem.theory import multitasking, willshaw


@pytest.mark.parametrize("K, d", [(2, 0.3), (3, 0.3), (4, 0.5), (5, 0.2), (2, 0.9)])
def test_zero_temperature_hierarchical_amplitudes(K, d):
    state = multitasking.phase(K, d, 0.0)
    expected = [(1 - d) * d ** (k - 1) for k in range(1, K + 1)]
    assert state["m_k"] == pytest.approx(expected, abs=1e-12)
    assert state["phase"] == "hierarchical"
    assert multitasking.hierarchical_stable(K, d)


def test_beyond_stability_amplitudes_equalise():
    K, d = 3, 0.8
    assert not multitasking.hierarchical_stable(K, d)
    m = multitasking.phase(K, d, 0.0)["m_k"]
    hierarchical = multitasking.hierarchical_amplitudes(K, d)
    assert np.ptp(m) < np.ptp(hierarchical)              # closer to the parallel regime


def test_temperature_kills_small_amplitudes_first():
    m = multitasking.phase(3, 0.3, 0.5)["m_k"]
    assert m[0] > 0.3 and m[2] == pytest.approx(0, abs=1e-6)
    assert multitasking.phase(3, 0.3, 1.5)["phase"] == "paramagnetic"


def test_bad_values():
    with pytest.raises(BiomemError, match="d"):
        multitasking.phase(3, 1.0, 0.0)
    with pytest.raises(BiomemError, match="K"):
        multitasking.phase(13, 0.2, 0.0)


def test_willshaw_theory():
    out = willshaw.retrieval(1024, 10, 5000, 1.0, "hetero")
    assert out["p1"] == pytest.approx(1 - (1 - (10 / 1024) ** 2) ** 5000)
    assert out["false_positives"] == pytest.approx((1024 - 10) * out["p1"] ** 10)
    big = willshaw.capacity_at_half(2 ** 20, 20)
    assert big["p1"] == pytest.approx(0.5, abs=1e-3)
    assert 0.5 < big["bits_per_synapse"] < np.log(2)     # approaches ln 2 from below
    assert willshaw.retrieval(1024, 10, 50000)["phase"] == "overloaded"
