"""Patterns and datasets: statistics, seeding, digits."""

import numpy as np
import pytest

from biomem.errors import BiomemError
from biomem.hebbian import couplings, patterns


def test_random_and_noisy_examples_statistics():
    rng = patterns.generator(1)
    xi = patterns.random_patterns(4, 20000, rng)
    assert set(np.unique(xi)) == {-1, 1} and abs(xi.mean()) < 0.02
    r = patterns.quality_for(0.5, 50)
    examples = patterns.noisy_examples(xi, 50, r, rng)
    assert examples.shape == (4, 50, 20000)
    assert (examples * xi[:, None, :]).mean() == pytest.approx(r, abs=0.005)
    stats = couplings.dataset_stats(examples)               # r estimated from E eta_bar^2
    assert stats["r"] == pytest.approx(r, abs=0.01) and stats["rho"] == pytest.approx(0.5, abs=0.05)


def test_diluted_and_sparse():
    rng = patterns.generator(2)
    xi = patterns.diluted_patterns(3, 50000, 0.3, rng)
    assert (xi == 0).mean() == pytest.approx(0.3, abs=0.01)
    sparse = patterns.sparse_patterns(20, 1000, 12, rng)
    assert (sparse.sum(axis=1) == 12).all()


def test_seeds_fix_everything():
    a = patterns.random_patterns(3, 100, patterns.generator(5))
    b = patterns.random_patterns(3, 100, patterns.generator(5))
    c = patterns.random_patterns(3, 100, patterns.generator(6))
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()
    with pytest.raises(BiomemError, match="seed"):
        patterns.generator(-1)


def test_digits_are_bundled_and_binarised():
    data = patterns.digits((0, 1, 7), M=10, n_test=5, rng=patterns.generator(0), upscale=2)
    assert data["examples"].shape == (3, 10, 256) and data["test"].shape == (3, 5, 256)
    assert set(np.unique(data["archetypes"])) == {-1, 1}
    # examples resemble their own class prototype more than the others'
    overlaps = np.einsum("kan,ln->kl", data["examples"].astype(float), data["archetypes"]) / (10 * 256)
    assert (np.argmax(overlaps, axis=1) == np.arange(3)).all()
    with pytest.raises(BiomemError, match="M"):
        patterns.digits((0,), M=500)


def test_bad_values():
    with pytest.raises(BiomemError, match="d"):
        patterns.diluted_patterns(2, 10, 1.0, patterns.generator(0))
    with pytest.raises(BiomemError, match="r"):
        patterns.noisy_examples(np.ones((1, 5), np.int8), 3, 1.5, patterns.generator(0))
