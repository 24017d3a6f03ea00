"""Reading the memory's answers from its output spikes.

Each operation starting at t is read at the output times the card gives (1 ms steps):

=================  ==================  ====================
operation          OUTcue read at      OUTcont read at
=================  ==================  ====================
learn              t+5 and t+7         t+5 and t+7
recall by cue      t+5 (the cue)       t+6 (its content)
recall by content  t+6 (the cues)      t+5 (fragment echo)
=================  ==================  ====================

Reading at exact times keeps operations apart even at spacings below the authors' minimum
(the next operation's first output comes 5 ms after it starts). Output spikes at no read time
are "stray"; relearning a cue also replays its old content's lost bits at t+6 (they are being
forgotten), which is expected and not counted as stray.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biomem.models.ca3.operations import Learn, Operation, RecallByContent, RecallByCue, Schedule

OUTPUTS = ("OUTcue", "OUTcont")


@dataclass(frozen=True)
class Answer:
    """Cues and content bits (as sets of indices) an operation outputs."""

    cues: frozenset[int]
    content: frozenset[int]

    def __post_init__(self):
        object.__setattr__(self, "cues", frozenset(int(c) for c in self.cues))
        object.__setattr__(self, "content", frozenset(int(b) for b in self.content))


def read_times(operation: Operation, start: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(OUTcue times, OUTcont times)`` at which ``operation`` starting at ``start`` is read."""
    if isinstance(operation, Learn):
        return (start + 5, start + 7), (start + 5, start + 7)
    if isinstance(operation, RecallByCue):
        return (start + 5,), (start + 6,)
    if isinstance(operation, RecallByContent):
        return (start + 6,), (start + 5,)
    raise TypeError(f"not an operation: {operation!r}")


def output_spikes(source) -> dict[str, dict[int, set[int]]]:
    """``{OUTcue/OUTcont: {time_ms: {indices}}}`` from a SimulationResult or a spikes.json dict."""
    table = {}
    for label in OUTPUTS:
        if isinstance(source, dict):
            pairs = source[label]
        else:
            times, indices = source.spikes(label)
            pairs = zip(times, indices)
        by_time: dict[int, set[int]] = {}
        for t, i in pairs:
            by_time.setdefault(int(round(float(t))), set()).add(int(i))
        table[label] = by_time
    return table


def decode(source, schedule: Schedule, tolerance: int = 0) -> list[Answer]:
    """The answer of every scheduled operation, read from ``source``'s output spikes.

    ``tolerance`` (ms) widens every read time t to [t - tolerance, t + tolerance], for inputs
    whose timing is jittered; a learn's content is never read at its t+6 (the relearning replay).
    Keep it below about spacing - 7 so that neighbouring operations' outputs stay apart.
    """
    spikes = output_spikes(source)
    widen = range(-tolerance, tolerance + 1)
    answers = []
    for operation, start in zip(schedule.operations, schedule.starts):
        cue_times, content_times = read_times(operation, start)
        cue_times = {t + d for t in cue_times for d in widen}
        content_times = {t + d for t in content_times for d in widen}
        if isinstance(operation, Learn):
            content_times.discard(start + 6)
        cues = set().union(*(spikes["OUTcue"].get(t, set()) for t in cue_times))
        content = set().union(*(spikes["OUTcont"].get(t, set()) for t in content_times))
        answers.append(Answer(frozenset(cues), frozenset(content)))
    return answers


def stray_spikes(source, schedule: Schedule) -> list[tuple[str, int, int]]:
    """Output spikes ``(population, time_ms, index)`` at no operation's read time.

    OUTcont spikes at t+6 of a learn are excused: relearning replays the cue's old content there.
    """
    spikes = output_spikes(source)
    expected = {label: set() for label in OUTPUTS}
    for operation, start in zip(schedule.operations, schedule.starts):
        cue_times, content_times = read_times(operation, start)
        expected["OUTcue"].update(cue_times)
        expected["OUTcont"].update(content_times)
        if isinstance(operation, Learn):
            expected["OUTcont"].add(start + 6)
    return [(label, t, i) for label in OUTPUTS for t in sorted(spikes[label]) if t not in expected[label]
            for i in sorted(spikes[label][t])]


def score(answers: list[Answer], expected: list[Answer]) -> np.ndarray:
    """Per operation, whether the answer equals the expected one."""
    return np.array([a == e for a, e in zip(answers, expected, strict=True)], bool)
