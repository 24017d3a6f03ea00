"""Patterns and datasets: random, diluted, sparse binary, noisy examples, and scikit-learn digits.

Every function draws from a ``numpy.random.Generator`` (:func:`generator` builds one from a seed)
so that a seed fixes the data exactly. Spins and patterns are ``int8`` in ``{-1, +1}`` (``{-1, 0, +1}``
for diluted patterns, ``{0, 1}`` for sparse binary ones); arrays are ``(K, N)``.
"""

from __future__ import annotations

import numpy as np

from biomem.description.validate import integer, real
from biomem.errors import BiomemError


def generator(seed) -> np.random.Generator:
    """A PCG64 generator from an integer seed (or a ``SeedSequence``)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    integer("seed", seed, low=0)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed))))


def random_patterns(K: int, N: int, rng: np.random.Generator) -> np.ndarray:
    """``K`` unbiased patterns ``xi_i^mu = +-1`` with probability 1/2 each."""
    integer("K", K, low=1)
    integer("N", N, low=1)
    return (2 * rng.integers(0, 2, size=(K, N), dtype=np.int8) - 1).astype(np.int8)


def diluted_patterns(K: int, N: int, d: float, rng: np.random.Generator) -> np.ndarray:
    """Patterns in ``{-1, 0, +1}`` with ``P(0) = d`` and ``P(+-1) = (1 - d)/2`` (multitasking)."""
    real("d", d, low=0.0, high=1.0, high_open=True)
    signs = random_patterns(K, N, rng)
    return (signs * (rng.random((K, N)) >= d)).astype(np.int8)


def sparse_patterns(K: int, N: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Binary ``{0, 1}`` patterns with exactly ``k`` active units each, at random positions."""
    integer("K", K, low=1)
    integer("N", N, low=2)
    integer("k", k, low=1, high=N)
    out = np.zeros((K, N), dtype=np.uint8)
    for mu in range(K):
        out[mu, rng.choice(N, size=k, replace=False)] = 1
    return out


def noisy_examples(xi: np.ndarray, M: int, r: float, rng: np.random.Generator) -> np.ndarray:
    """``M`` examples per archetype: ``eta^{mu,a}_i = chi xi^mu_i``, ``P(chi = +-1) = (1 +- r)/2``.

    Returns ``(K, M, N)`` int8.
    """
    integer("M", M, low=1)
    real("r", r, low=0.0, high=1.0)
    K, N = xi.shape
    chi = np.where(rng.random((K, M, N)) < 0.5 * (1.0 + r), 1, -1).astype(np.int8)
    return (chi * xi[:, None, :]).astype(np.int8)


def quality_for(rho: float, M: int) -> float:
    """Example quality ``r`` that gives dataset entropy ``rho = (1 - r^2)/(M r^2)`` with ``M`` examples."""
    real("rho", rho, low=0.0)
    integer("M", M, low=1)
    return float(1.0 / np.sqrt(1.0 + M * rho))


def _digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:      # pragma: no cover - scikit-learn is a dependency
        raise BiomemError("patterns", "scikit-learn is needed for the digits dataset", "pip install scikit-learn") \
            from error
    data = load_digits()              # bundled with scikit-learn: no network access
    return data.images, data.target


def binarise(images: np.ndarray, threshold: float = 8.0, upscale: int = 1) -> np.ndarray:
    """``+1`` where a pixel exceeds ``threshold`` (digits range 0..16), else ``-1``; flattened.

    ``upscale`` repeats each pixel ``upscale x upscale`` times (more neurons per image).
    """
    integer("upscale", upscale, low=1)
    images = np.asarray(images)
    if upscale > 1:
        images = np.kron(images, np.ones((1, upscale, upscale)))
    return np.where(images.reshape(len(images), -1) > threshold, 1, -1).astype(np.int8)


def digits(classes=tuple(range(10)), M: int = 20, n_test: int = 20, rng: np.random.Generator | None = None,
           threshold: float = 8.0, upscale: int = 1) -> dict:
    """Binarised scikit-learn digits grouped by class.

    Returns ``examples`` ``(K, M, N)`` (training examples per class, drawn without replacement),
    ``test`` ``(K, n_test, N)`` (held-out images), ``archetypes`` ``(K, N)`` (sign of the class
    mean over *all* images of the class, ties to +1: a stand-in for the unknown archetype) and
    ``classes``.
    """
    rng = rng if rng is not None else generator(0)
    images, labels = _digits()
    spins = binarise(images, threshold, upscale)
    examples, test, archetypes = [], [], []
    for c in classes:
        integer("class", c, low=0, high=9)
        members = np.flatnonzero(labels == c)
        if M + n_test > members.size:
            raise BiomemError("M", f"class {c} has only {members.size} images for M + n_test = {M + n_test}",
                              f"M + n_test <= {members.size}")
        chosen = rng.permutation(members)
        examples.append(spins[chosen[:M]])
        test.append(spins[chosen[M:M + n_test]])
        archetypes.append(np.where(spins[members].mean(axis=0) >= 0, 1, -1))
    return {"examples": np.array(examples, dtype=np.int8), "test": np.array(test, dtype=np.int8),
            "archetypes": np.array(archetypes, dtype=np.int8), "classes": tuple(classes)}
