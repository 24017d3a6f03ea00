"""Trials of one topology, stacked along a batch dimension.

A batch is B lowered networks that share everything but their initial membrane
potentials, their source spikes and their initial weights (for instance one network
lowered with B seeds whose randomness only reaches the inputs, or one network with
per-trial overrides from :func:`trials_from`). Everything else must be identical, and
:func:`check_topology` names the first field that is not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from biomem.description.lowered import LoweredNetwork
from biomem.errors import BiomemError

# What must be equal across trials (per-trial fields: v_init, source_steps/neurons, syn_weight, seed).
SHARED_SCALARS = ("dt", "n_steps")
SHARED_ARRAYS = ("is_source", "conductance", "v_rest", "v_reset", "v_thresh", "cm", "tau_m", "i_offset",
                 "e_rev_E", "e_rev_I", "refrac_steps", "decay_m", "decay_E", "decay_I", "scale_E", "scale_I",
                 "syn_pre", "syn_post", "syn_delay", "syn_receptor")
ACCEPTED = "trials of one topology: only v_init, source spikes and syn_weight may differ"


def differences(first: LoweredNetwork, other: LoweredNetwork) -> list[str]:
    """Names of the topology fields in which ``other`` differs from ``first``."""
    found = [name for name in SHARED_SCALARS if getattr(first, name) != getattr(other, name)]
    found += [name for name in SHARED_ARRAYS if not _same_array(getattr(first, name), getattr(other, name))]
    if first.populations != other.populations:
        found.append("populations")
    if first.projections != other.projections:
        found.append("projections")
    keys = set(first.record_state) | set(other.record_state)
    if any(not _same_array(first.recorded_neurons(k), other.recorded_neurons(k)) for k in sorted(keys)):
        found.append("record_state")
    for name in ("v_init", "syn_weight"):
        if getattr(other, name).shape != getattr(first, name).shape:
            found.append(f"{name} shape")
    return found


def check_topology(trials) -> list[LoweredNetwork]:
    """``trials`` as a list, after checking that every trial shares the first one's topology."""
    trials = list(trials)
    if not trials:
        raise BiomemError("trials", "is empty", "at least one LoweredNetwork")
    for b, other in enumerate(trials):
        if not isinstance(other, LoweredNetwork):
            raise BiomemError(f"trials[{b}]", f"is a {type(other).__name__}, not a LoweredNetwork", ACCEPTED)
        found = differences(trials[0], other) if b else []
        if found:
            raise BiomemError(f"trials[{b}]", f"differs from trials[0] in {', '.join(found)}", ACCEPTED)
    return trials


@dataclass
class StackedTrials:
    """The shared topology (``lowered``, trial 0) and the per-trial arrays, batch first.

    ``source_steps``/``source_flat`` list every source spike of every trial, ``flat = b * N + neuron``,
    sorted by step, then trial, then neuron (the kernel's order within one trial).
    """

    lowered: LoweredNetwork
    v_init: np.ndarray
    weights: np.ndarray
    source_steps: np.ndarray
    source_flat: np.ndarray

    @property
    def batch(self) -> int:
        """The number of trials B."""
        return int(self.v_init.shape[0])


def stack(trials) -> StackedTrials:
    """Stack trials of one topology into a :class:`StackedTrials`.

    ``trials`` are :class:`LoweredNetwork` objects that differ only in their initial potentials,
    source spikes and weights (checked by :func:`check_topology`, which raises BiomemError otherwise).
    """
    trials = check_topology(trials)
    n = trials[0].n_neurons
    steps = np.concatenate([t.source_steps for t in trials]).astype(np.int64)
    flat = np.concatenate([t.source_neurons + b * n for b, t in enumerate(trials)]).astype(np.int64)
    order = np.lexsort((flat, steps))
    return StackedTrials(trials[0], np.stack([t.v_init for t in trials]).astype(float),
                         np.stack([t.syn_weight for t in trials]).astype(float), steps[order], flat[order])


def trials_from(lowered: LoweredNetwork, *, v_init=None, weights=None, source_spikes=None) -> list[LoweredNetwork]:
    """B copies of ``lowered`` with per-trial overrides (each argument a sequence of B items, or None).

    ``v_init[b]``: N initial potentials; ``weights[b]``: one weight per synapse, in lowered order;
    ``source_spikes[b]``: ``(steps, neurons)`` with global neuron indices of source neurons.
    """
    given = {name: list(value) for name, value in
             (("v_init", v_init), ("weights", weights), ("source_spikes", source_spikes)) if value is not None}
    sizes = sorted({len(value) for value in given.values()})
    if not given:
        raise BiomemError("overrides", "none given", "v_init, weights or source_spikes: sequences of B items")
    if len(sizes) > 1:
        raise BiomemError("overrides", f"have different numbers of trials {sizes}", "sequences of one length B")
    batch = sizes[0]
    if batch < 1:
        raise BiomemError("overrides", "have no trial", "sequences of at least one item")
    trials = []
    for b in range(batch):
        changes = {}
        if "v_init" in given:
            changes["v_init"] = _vector(f"v_init[{b}]", given["v_init"][b], lowered.n_neurons)
        if "weights" in given:
            changes["syn_weight"] = _vector(f"weights[{b}]", given["weights"][b], lowered.n_synapses)
        if "source_spikes" in given:
            changes["source_steps"], changes["source_neurons"] = _sources(b, given["source_spikes"][b], lowered)
        trials.append(replace(lowered, **changes))
    return trials


def _vector(name, value, size):
    array = np.asarray(value, float)
    if array.shape != (size,) or not np.all(np.isfinite(array)):
        raise BiomemError(name, f"has shape {array.shape} or non-finite values", f"{size} finite numbers")
    return array.copy()


def _sources(b, pair, lowered):
    try:
        steps, neurons = (np.asarray(x) for x in pair)
    except (TypeError, ValueError):
        raise BiomemError(f"source_spikes[{b}]", "is not a (steps, neurons) pair", "two integer arrays") from None
    steps, neurons = steps.astype(np.int64).ravel(), neurons.astype(np.int64).ravel()
    if steps.shape != neurons.shape:
        raise BiomemError(f"source_spikes[{b}]", "steps and neurons differ in length", "two arrays of one length")
    if steps.size and (steps.min() < 0 or steps.max() >= lowered.n_steps):
        raise BiomemError(f"source_spikes[{b}]", "has a step outside the run", f"0 <= step < {lowered.n_steps}")
    if neurons.size and (neurons.min() < 0 or neurons.max() >= lowered.n_neurons
                         or not lowered.is_source[neurons].all()):
        raise BiomemError(f"source_spikes[{b}]", "names a neuron that is not a spike source",
                          "global indices of source neurons")
    pairs = np.unique(np.stack([steps, neurons], axis=1), axis=0) if steps.size else np.zeros((0, 2), np.int64)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _same_array(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.array_equal(a, b))
