"""Memory operations and their layout in time as input spikes.

An operation starting at step ``t`` drives the input neurons as the authors' testbenches do:

- :class:`Learn` ``(cue, content)``: cue neuron ``cue`` and the content bits spike at t, t+1, t+2;
- :class:`RecallByCue` ``(cue)``: one spike of the cue neuron at t;
- :class:`RecallByContent` ``(fragment)``: one spike of each fragment bit at t.

Contents and fragments are sets of active bit indices. :func:`content_bits` also accepts a bit
string ("0110") or a boolean array, which cannot be mistaken for indices.

:func:`schedule` lays operations out one every ``spacing`` ms; :func:`operations_from_testbench`
reads them back from a testbench (spike patterns that form no operation are returned apart).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from biomem.errors import BiomemError
from biomem.models.ca3.testbench import Testbench

LEARN_STEPS = 3
# The authors' minimum spacing (ms) after each kind of operation (card, "Operation timing").
MIN_SPACING_AFTER_LEARN = 7
MIN_SPACING_AFTER_RECALL = 6
DEFAULT_SPACING = 10
# The last output of an operation comes 7 ms after its start (learn), so a run lasts at least that.
LAST_OUTPUT = 7


class TightSpacingWarning(UserWarning):
    """Operations are closer than the authors' advertised minimum; outputs may be wrong."""


def content_bits(value, size: int, name: str = "content") -> frozenset[int]:
    """Active bit indices from a set/list of indices, a "0101" string or a boolean array of ``size``."""
    if isinstance(value, str):
        if len(value) != size or set(value) - {"0", "1"}:
            raise BiomemError(name, f"bit string {value!r} is not {size} characters of 0 and 1",
                              f"a set of indices in [0, {size - 1}] or a {size}-character 0/1 string")
        return frozenset(i for i, ch in enumerate(value) if ch == "1")
    if isinstance(value, np.ndarray) and value.dtype == bool:
        if value.shape != (size,):
            raise BiomemError(name, f"boolean mask of shape {value.shape}", f"shape ({size},)")
        return frozenset(int(i) for i in np.flatnonzero(value))
    if not isinstance(value, (np.ndarray, Integral)) and hasattr(value, "__iter__"):
        value = list(value)
        if value and all(isinstance(item, (bool, np.bool_)) for item in value):
            if len(value) != size:
                raise BiomemError(name, f"boolean list of length {len(value)}", f"length {size}")
            return frozenset(i for i, item in enumerate(value) if item)
    bits = _indices(value, name)
    for bit in sorted(bits):
        if not 0 <= bit < size:
            raise BiomemError(name, f"bit index {bit} out of range", f"indices in [0, {size - 1}]")
    return bits


def _indices(value, name: str) -> frozenset[int]:
    """Bit indices without a size to check against (bit strings and masks need :func:`content_bits`)."""
    if isinstance(value, (str, np.ndarray, Integral)) or not hasattr(value, "__iter__"):
        raise BiomemError(name, f"expected a set of bit indices, got {value!r}",
                          "a set of integer indices (or, with a size, a 0/1 string or boolean mask)")
    items = list(value)
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, (Integral, np.integer)):
            raise BiomemError(name, f"bit index {item!r} is not an integer", "a set of integer indices")
    return frozenset(int(item) for item in items)


def _cue(value, size: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise BiomemError("cue", f"expected a cue index, got {value!r}", f"an integer in [0, {size - 1}]")
    if not 0 <= int(value) < size:
        raise BiomemError("cue", f"index {int(value)} out of range", f"an integer in [0, {size - 1}]")
    return int(value)


def _nonempty(bits: frozenset, name: str, size: int) -> frozenset:
    if not bits:
        raise BiomemError(name, "is empty", f"at least one active bit in [0, {size - 1}]")
    return bits


@dataclass(frozen=True)
class Learn:
    """Store ``content`` (active bit indices) under one-hot ``cue``; relearning a cue overwrites it."""

    cue: int
    content: frozenset[int]

    def __post_init__(self):
        object.__setattr__(self, "content", _indices(self.content, "content"))

    def check(self, cue_size: int, content_size: int) -> "Learn":
        """This operation validated against the sizes: cue and content bits in range, content not empty."""
        return Learn(_cue(self.cue, cue_size),
                     _nonempty(content_bits(self.content, content_size), "content", content_size))

    def __str__(self):
        return f"learn cue {self.cue} <- {fmt(self.content)}"


@dataclass(frozen=True)
class RecallByCue:
    """Recall the content stored under ``cue``."""

    cue: int

    def check(self, cue_size: int, content_size: int) -> "RecallByCue":
        """This operation validated against ``cue_size``: the cue in range."""
        return RecallByCue(_cue(self.cue, cue_size))

    def __str__(self):
        return f"recall cue {self.cue}"


@dataclass(frozen=True)
class RecallByContent:
    """Recall every cue whose content shares an active bit with ``fragment``."""

    fragment: frozenset[int]

    def __post_init__(self):
        object.__setattr__(self, "fragment", _indices(self.fragment, "fragment"))

    def check(self, cue_size: int, content_size: int) -> "RecallByContent":
        """This operation validated against ``content_size``: a non-empty fragment of bit indices in range."""
        return RecallByContent(_nonempty(content_bits(self.fragment, content_size, "fragment"), "fragment",
                                         content_size))

    def __str__(self):
        return f"recall content {fmt(self.fragment)}"


Operation = Learn | RecallByCue | RecallByContent


def fmt(bits) -> str:
    """``{0,1,8}`` (sorted); ``{}`` when empty."""
    return "{" + ",".join(str(b) for b in sorted(bits)) + "}"


def input_spikes(operation: Operation, start: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``(cue_spikes, content_spikes)`` as ``(time_ms, neuron)`` pairs of one operation at ``start``."""
    if isinstance(operation, Learn):
        steps = range(start, start + LEARN_STEPS)
        return ([(t, operation.cue) for t in steps], [(t, b) for t in steps for b in sorted(operation.content)])
    if isinstance(operation, RecallByCue):
        return [(start, operation.cue)], []
    if isinstance(operation, RecallByContent):
        return [], [(start, b) for b in sorted(operation.fragment)]
    raise BiomemError("operation", f"unknown operation {operation!r}", "Learn, RecallByCue or RecallByContent")


@dataclass(frozen=True)
class Schedule:
    """Operations, their start times (ms) and the testbench that drives them."""

    operations: tuple[Operation, ...]
    starts: tuple[int, ...]
    testbench: Testbench

    @property
    def cue_size(self) -> int:
        """Number of cue input neurons."""
        return self.testbench.cue_size

    @property
    def content_size(self) -> int:
        """Number of content input neurons (bits)."""
        return self.testbench.content_size

    def __len__(self) -> int:
        return len(self.operations)


def minimum_spacing(operation: Operation) -> int:
    """The authors' minimum spacing (ms) before the next operation: 7 after a learn, 6 after a recall."""
    return MIN_SPACING_AFTER_LEARN if isinstance(operation, Learn) else MIN_SPACING_AFTER_RECALL


def schedule(operations, cue_size: int, content_size: int, spacing: int = DEFAULT_SPACING,
             start: int = 0) -> Schedule:
    """Lay ``operations`` out one every ``spacing`` ms from ``start`` into a testbench.

    Spacing below the authors' minimum (7 ms after a learn, 6 ms after a recall) is allowed
    with a :class:`TightSpacingWarning`; below 3 ms the inputs of a learn would overlap the next
    operation's and it is refused. The run lasts until ``spacing`` ms after the last operation
    starts, and at least until its last output (7 ms after it starts).
    """
    from biomem.description import validate as check

    cue_size = check.integer("cue_size", cue_size, low=2)
    content_size = check.integer("content_size", content_size, low=1)
    spacing = check.integer("spacing", spacing, low=LEARN_STEPS)
    start = check.integer("start", start, low=0)
    checked = tuple(as_operation(op).check(cue_size, content_size) for op in operations)
    if not checked:
        raise BiomemError("operations", "none given", "at least one operation")
    tight = [op for op in checked[:-1] if spacing < minimum_spacing(op)]
    if tight:
        warnings.warn(f"spacing {spacing} ms is below the authors' minimum after {len(tight)} operation(s) "
                      f"({MIN_SPACING_AFTER_LEARN} ms after a learn, {MIN_SPACING_AFTER_RECALL} ms after a "
                      "recall); outputs may be wrong", TightSpacingWarning, stacklevel=2)
    starts = tuple(start + i * spacing for i in range(len(checked)))
    cue = [[] for _ in range(cue_size)]
    cont = [[] for _ in range(content_size)]
    for operation, t in zip(checked, starts):
        cue_spikes, content_spikes = input_spikes(operation, t)
        for time, neuron in cue_spikes:
            cue[neuron].append(time)
        for time, neuron in content_spikes:
            cont[neuron].append(time)
    sim_time = starts[-1] + max(spacing, LAST_OUTPUT + 1)
    return Schedule(checked, starts, Testbench(sim_time, cue, cont))


def as_operation(operation) -> Operation:
    """``operation`` itself if it is one, else a BiomemError."""
    if isinstance(operation, (Learn, RecallByCue, RecallByContent)):
        return operation
    raise BiomemError("operation", f"not an operation: {operation!r}", "Learn, RecallByCue or RecallByContent")


def operations_from_testbench(testbench: Testbench) -> tuple[Schedule, list[int]]:
    """Recognise the operations a testbench drives; returns the schedule and the start times of
    input patterns that form no operation (they are simulated, but nothing is expected of them).

    At the earliest unread input step t, with (cues, bits) the inputs spiking at step t:
    one cue with bits, repeated identically at t+1 and t+2, is a learn; one cue alone or bits
    alone, with no input at t+1, is a recall; anything else is unrecognised (step t is skipped).
    """
    steps: dict[int, tuple[set, set]] = {}
    for neuron, times in enumerate(testbench.cue):
        for t in times:
            steps.setdefault(t, (set(), set()))[0].add(neuron)
    for bit, times in enumerate(testbench.cont):
        for t in times:
            steps.setdefault(t, (set(), set()))[1].add(bit)
    empty = (set(), set())
    operations, starts, unrecognised = [], [], []
    consumed = set()
    for t in sorted(steps):
        if t in consumed:
            continue
        cues, bits = steps[t]
        following = steps.get(t + 1, empty)
        operation = None
        if len(cues) == 1 and bits and all(steps.get(t + d, empty) == (cues, bits) for d in (1, 2)):
            operation = Learn(next(iter(cues)), frozenset(bits))
            consumed.update((t + 1, t + 2))
        elif following == empty and len(cues) == 1 and not bits:
            operation = RecallByCue(next(iter(cues)))
        elif following == empty and not cues and bits:
            operation = RecallByContent(frozenset(bits))
        if operation is None:
            unrecognised.append(t)
        else:
            operations.append(operation)
            starts.append(t)
    return Schedule(tuple(operations), tuple(starts), testbench), unrecognised
