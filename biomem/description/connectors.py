"""Connectors: rules that expand into explicit (pre, post) index pairs.

``connect(n_pre, n_post, rng)`` returns two int arrays of equal length, sorted by
(pre, post). Random connectors draw from the generator they are given, which the
lowering step derives from the network seed, so every backend sees the same synapses.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from biomem.description import validate as check
from biomem.errors import BiomemError


class Connector(ABC):
    """A rule that expands into explicit (pre, post) index pairs between two populations."""

    @abstractmethod
    def connect(self, n_pre: int, n_post: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Expand into sorted (pre, post) index arrays."""

    def _sorted(self, pre, post):
        pre = np.asarray(pre, dtype=np.int64)
        post = np.asarray(post, dtype=np.int64)
        order = np.lexsort((post, pre))
        return pre[order], post[order]


@dataclass(frozen=True)
class OneToOneConnector(Connector):
    """Neuron i of the source connects to neuron i of the target; sizes must match."""

    def connect(self, n_pre, n_post, rng):
        """The pairs (i, i); source and target sizes must match."""
        if n_pre != n_post:
            raise BiomemError("connector", f"one-to-one needs equal sizes, got {n_pre} and {n_post}",
                              "source and target of the same size")
        index = np.arange(n_pre)
        return index, index.copy()


@dataclass(frozen=True)
class AllToAllConnector(Connector):
    """Every source neuron connects to every target neuron.

    With ``allow_self_connections=False`` the pairs with equal index (i -> i) are left out;
    on a recurrent projection these are autapses, on two populations the "partner" neuron.
    """

    allow_self_connections: bool = True

    def connect(self, n_pre, n_post, rng):
        """Every (pre, post) pair, without i -> i when self-connections are not allowed."""
        pre, post = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
        pre, post = pre.ravel(), post.ravel()
        if not self.allow_self_connections:
            keep = pre != post
            pre, post = pre[keep], post[keep]
        return pre, post


@dataclass(frozen=True)
class FixedProbabilityConnector(Connector):
    """Each pair is connected independently with probability ``p_connect``."""

    p_connect: float
    allow_self_connections: bool = True

    def __post_init__(self):
        check.real("p_connect", self.p_connect, low=0.0, high=1.0)

    def connect(self, n_pre, n_post, rng):
        """Pairs drawn independently from ``rng``, each with probability ``p_connect``."""
        # Rows are drawn in blocks: the generator fills arrays in order, so the draws are the same
        # as one row at a time, while memory stays bounded for large networks.
        rows_per_block = max(1, (1 << 20) // max(n_post, 1))
        pres, posts = [], []
        for first in range(0, n_pre, rows_per_block):
            rows = min(rows_per_block, n_pre - first)
            pre, post = np.nonzero(rng.random((rows, n_post)) < self.p_connect)
            pre += first
            if not self.allow_self_connections:
                keep = pre != post
                pre, post = pre[keep], post[keep]
            pres.append(pre)
            posts.append(post)
        if not pres:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64)


@dataclass(frozen=True)
class FromListConnector(Connector):
    """Explicit list of ``(pre, post)`` pairs."""

    pairs: tuple[tuple[int, int], ...]

    def __post_init__(self):
        array = np.asarray(self.pairs, dtype=float).reshape(-1, 2) if len(self.pairs) else np.zeros((0, 2))
        if array.ndim != 2 or array.shape[1] != 2 or np.any(array != np.round(array)) or np.any(array < 0):
            raise BiomemError("pairs", "expected (pre, post) pairs of non-negative integers",
                              "list of [pre, post] index pairs")
        object.__setattr__(self, "pairs", tuple((int(a), int(b)) for a, b in array))
        if len(set(self.pairs)) != len(self.pairs):
            raise BiomemError("pairs", "contains a duplicate pair", "each (pre, post) pair at most once")

    def connect(self, n_pre, n_post, rng):
        """The listed pairs, sorted; indices must lie within the population sizes."""
        array = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        if array.size and (array[:, 0].max() >= n_pre or array[:, 1].max() >= n_post):
            raise BiomemError("pairs", "index out of range",
                              f"pre in [0, {n_pre - 1}], post in [0, {n_post - 1}]")
        return self._sorted(array[:, 0], array[:, 1])


@dataclass(frozen=True, eq=False)
class ArrayConnector(Connector):
    """Boolean matrix of shape (n_pre, n_post): True where a synapse exists."""

    mask: np.ndarray

    def __post_init__(self):
        mask = np.asarray(self.mask)
        if mask.ndim != 2 or mask.dtype != bool:
            raise BiomemError("mask", f"expected a 2-D boolean matrix, got shape {mask.shape} of {mask.dtype}",
                              "bool array of shape (n_pre, n_post)")
        mask = mask.copy()
        mask.setflags(write=False)
        object.__setattr__(self, "mask", mask)

    def connect(self, n_pre, n_post, rng):
        """The pairs where the mask is True; its shape must be (n_pre, n_post)."""
        if self.mask.shape != (n_pre, n_post):
            raise BiomemError("mask", f"wrong shape {self.mask.shape}", f"shape ({n_pre}, {n_post})")
        pre, post = np.nonzero(self.mask)
        return pre.astype(np.int64), post.astype(np.int64)
