"""Inputs and results shared by the astrocyte integrators of every backend.

An input is a list of events ``(step, target, weight)``: a spike of step ``k`` reaching astrocyte
(or synapse) ``target`` with weight ``weight``. Results are sampled state traces: sample ``k`` is the
state at time ``k dt`` (see the step convention in :mod:`biomem.astrocytes.description`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.description import validate as check
from biomem.errors import BiomemError

BACKENDS = ("numba", "torch", "brian2")


@dataclass(frozen=True)
class SpikeInput:
    """Input events sorted by step: ``steps[i]`` (int), ``targets[i]`` (int), ``weights[i]`` (float).

    Build one with :meth:`from_times` (times in ms) or :meth:`from_steps`.
    """

    steps: np.ndarray
    targets: np.ndarray
    weights: np.ndarray

    @classmethod
    def from_steps(cls, steps, targets, weights=1.0, *, n_targets: int | None = None,
                   n_steps: int | None = None) -> "SpikeInput":
        """Events at integer ``steps``, sorted by (step, target).

        A scalar ``targets`` or ``weights`` applies to every event. With ``n_targets`` or ``n_steps``
        the targets must be ``< n_targets`` and the steps ``< n_steps``; negative steps or targets, a
        ``targets`` of another length than ``steps`` or non-finite weights raise
        :class:`~biomem.errors.BiomemError`.
        """
        steps = np.asarray(steps, dtype=np.int64).reshape(-1)
        targets = np.asarray(targets, dtype=np.int64)
        targets = np.broadcast_to(targets, steps.shape).copy() if targets.ndim == 0 else targets.reshape(-1)
        if targets.size != steps.size:
            raise BiomemError("targets", f"has {targets.size} entries for {steps.size} steps", "one per event")
        weights = np.broadcast_to(np.asarray(weights, float), steps.shape).copy()
        check.real_array("weights", weights)
        if steps.size and steps.min() < 0:
            raise BiomemError("steps", f"negative step {steps.min()}", "steps >= 0")
        if n_steps is not None and steps.size and steps.max() >= n_steps:
            raise BiomemError("steps", f"step {steps.max()} is beyond the run ({n_steps} steps)",
                              f"steps < {n_steps}")
        if targets.size and targets.min() < 0:
            raise BiomemError("targets", f"negative index {targets.min()}", "indices >= 0")
        if n_targets is not None and targets.size and targets.max() >= n_targets:
            raise BiomemError("targets", f"index {targets.max()} out of range", f"indices < {n_targets}")
        order = np.lexsort((targets, steps))
        return cls(steps[order], targets[order], weights[order])

    @classmethod
    def from_times(cls, times_ms, targets, weights=1.0, *, dt: float, **kwargs) -> "SpikeInput":
        """Events at ``times_ms`` (each rounded to the nearest step of ``dt`` ms)."""
        times = check.real_array("times_ms", np.asarray(times_ms, float).reshape(-1), low=0.0)
        return cls.from_steps(np.rint(times / dt).astype(np.int64), targets, weights, **kwargs)

    @classmethod
    def empty(cls) -> "SpikeInput":
        """An input without events."""
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

    def dense(self, n_steps: int, n_targets: int) -> np.ndarray:
        """Summed weight per (step, target), shape (n_steps, n_targets)."""
        out = np.zeros((n_steps, n_targets))
        np.add.at(out, (self.steps, self.targets), self.weights)
        return out

    def rebinned(self, every: int) -> "SpikeInput":
        """The same events on a step ``every`` times longer (step ``k`` -> ``k // every``)."""
        return SpikeInput(self.steps // every, self.targets, self.weights)

    def pointers(self, n_steps: int) -> np.ndarray:
        """``ptr[k]:ptr[k+1]`` are the events of step ``k``."""
        return np.searchsorted(self.steps, np.arange(n_steps + 1), side="left").astype(np.int64)


@dataclass
class AstroTraces:
    """Sampled states: ``state[name]`` has shape (n_samples, n_units); ``times`` in ms.

    ``events`` holds discrete outputs where a model has them (G-ChI: gliotransmitter release
    ``(steps, astrocytes)``; tripartite synapses: ``r_S`` released at each presynaptic spike).
    """

    times: np.ndarray
    state: dict
    backend: str
    events: dict = field(default_factory=dict)
    wall_s: float = 0.0

    def __getitem__(self, name: str) -> np.ndarray:
        return self.state[name]


def check_backend(name: str) -> str:
    """``name`` if it is one of :data:`BACKENDS`, else a BiomemError."""
    return check.choice("backend", name, BACKENDS)


def record_steps(n_steps: int, record_every: int) -> np.ndarray:
    """Sample indices 0, r, 2r, ..., up to n_steps (the last one included when it falls on the grid)."""
    check.integer("record_every", record_every, low=1)
    return np.arange(0, n_steps + 1, record_every, dtype=np.int64)


def initial_array(name: str, default: float, overrides: dict | None, n: int) -> np.ndarray:
    """Per-unit initial value: the model's default, or ``overrides[name]`` (number or n values)."""
    if overrides and name in overrides:
        value = np.broadcast_to(np.asarray(overrides[name], float), (n,)).copy()
        check.real_array(f"initial[{name!r}]", value)
        return value
    return np.full(n, float(default))


def unknown_initial(overrides: dict | None, allowed) -> None:
    """Reject initial-state overrides that name no state variable of the model."""
    for name in overrides or {}:
        if name not in allowed:
            raise BiomemError("initial", f"unknown state variable {name!r}", ", ".join(allowed))
