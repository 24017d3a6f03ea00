"""A friendly front end: learn and recall on the spiking CA3 memory.

The network is deterministic and a run always starts from an empty memory, so
:class:`CA3Memory` keeps the whole history of operations and, when an answer is needed,
re-simulates it from t = 0 (one run of ``len(history) * spacing`` ms). Answers of earlier
operations do not change when later ones are added (the network is causal), so they are kept.
This costs O(n^2) steps over n interactive recalls; batch many operations with
:meth:`CA3Memory.run` (or :func:`evaluate` on a schedule) when that matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from biomem.errors import BiomemError
from biomem.models.ca3.decode import Answer, decode, score, stray_spikes
from biomem.models.ca3.ideal import CORRECT, ERODED, RESIDUAL, WRONG, IdealCAM, classify
from biomem.models.ca3.network import CA3Parameters, build_network
from biomem.models.ca3.operations import (DEFAULT_SPACING, Learn, Operation, RecallByContent, RecallByCue, Schedule,
                                          as_operation, content_bits, fmt, schedule)
from biomem.models.ca3.testbench import Testbench
from biomem.results import SimulationResult

DT_MS = 1.0


def simulate_testbench(testbench: Testbench, backend: str = "numba", parameters: CA3Parameters = CA3Parameters(),
                       **backend_options) -> SimulationResult:
    """Simulate the CA3 memory driven by ``testbench`` for ``simTime`` ms at dt = 1 ms."""
    from biomem.simulate import simulate

    network = build_network(testbench.cue_size, testbench.content_size, testbench.cue, testbench.cont, parameters)
    return simulate(network, testbench.sim_time, dt=DT_MS, backend=backend, **backend_options)


def has_batching(backend: str, **backend_options) -> bool:
    """Whether ``backend`` is usable here and simulates many trials at once (``run_batch``)."""
    from biomem import backends

    try:
        return callable(getattr(backends.get(backend, **backend_options), "run_batch", None))
    except (ImportError, BiomemError):
        return False


def simulate_many(testbenches: list[Testbench], backend: str = "numba", parameters: CA3Parameters = CA3Parameters(),
                  batch_size: int = 256, **backend_options) -> list[SimulationResult]:
    """Simulate many testbenches; on a backend with ``run_batch`` (torch), testbenches of the same
    sizes and duration (one topology) run as batches of up to ``batch_size`` trials."""
    from biomem import __version__, backends
    from biomem.description.lowered import lower

    engine = backends.get(backend, **backend_options)
    lowered = [lower(build_network(tb.cue_size, tb.content_size, tb.cue, tb.cont, parameters), tb.sim_time, DT_MS)
               for tb in testbenches]
    raws: list = [None] * len(lowered)
    if callable(getattr(engine, "run_batch", None)):
        groups: dict[tuple, list[int]] = {}
        for index, tb in enumerate(testbenches):
            groups.setdefault((tb.cue_size, tb.content_size, tb.sim_time), []).append(index)
        for members in groups.values():
            for first in range(0, len(members), batch_size):
                chunk = members[first:first + batch_size]
                for index, raw in zip(chunk, engine.run_batch([lowered[i] for i in chunk]), strict=True):
                    raws[index] = raw
    else:
        raws = [engine.run(network) for network in lowered]
    return [SimulationResult(network, raw, backend, {"network": "ca3_cam", "backend": backend, "dt_ms": DT_MS,
                                                     "duration_ms": tb.sim_time, "biomem_version": __version__})
            for network, raw, tb in zip(lowered, raws, testbenches)]


@dataclass
class Evaluation:
    """Answers of a scheduled run against the ideal memory's."""

    schedule: Schedule
    answers: list[Answer]
    expected: list[Answer]
    stray: list[tuple[str, int, int]] = field(default_factory=list)

    @cached_property
    def correct(self) -> np.ndarray:
        """Per operation, whether the answer equals the ideal one (bool array)."""
        return score(self.answers, self.expected)

    @property
    def n_correct(self) -> int:
        """Number of operations answered as the ideal memory does."""
        return int(self.correct.sum())

    @property
    def fraction_correct(self) -> float:
        """``n_correct`` over the number of operations (NaN without operations)."""
        return float(self.correct.mean()) if self.answers else float("nan")

    @cached_property
    def kinds(self) -> list[str]:
        """Per operation: correct, residual, eroded or wrong (see :func:`biomem.models.ca3.ideal.classify`)."""
        return classify(self.schedule.operations, self.answers, self.schedule.cue_size, self.schedule.content_size)

    def metrics(self) -> dict[str, float]:
        """Counts of the run: operations, correct ones and their fraction, residual, eroded and wrong
        answers (see :attr:`kinds`), and stray spikes."""
        kinds = self.kinds
        return {"n_operations": len(self.answers), "n_correct": self.n_correct,
                "fraction_correct": self.fraction_correct, "n_residual": kinds.count(RESIDUAL),
                "n_eroded": kinds.count(ERODED), "n_wrong": kinds.count(WRONG), "n_stray_spikes": len(self.stray)}

    def table(self) -> list[str]:
        """A readable table, one line per operation: expected vs got, OK/FAIL."""
        rows = [("t (ms)", "operation", "expected", "got", "")]
        verdicts = {CORRECT: "OK", RESIDUAL: "FAIL*", ERODED: "FAIL**"}
        for operation, start, answer, expected, kind in zip(self.schedule.operations, self.schedule.starts,
                                                            self.answers, self.expected, self.kinds):
            rows.append((str(start), str(operation), _show(operation, expected), _show(operation, answer),
                         verdicts.get(kind, "FAIL")))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "-" * max(len(line) for line in lines))
        lines.append(f"{self.n_correct}/{len(self.answers)} operations correct")
        if RESIDUAL in self.kinds:
            lines.append("FAIL*: extra cues explained by residual associations (forgotten or co-recalled bits)")
        if ERODED in self.kinds:
            lines.append("FAIL**: missing cues whose bits later learns of other cues reused (eroded associations)")
        return lines


def _show(operation: Operation, answer: Answer) -> str:
    """Learn: the echoed content; recall by cue: the content; recall by content: the cues.
    The echoed cue / fragment is shown too when it is not the operation's own."""
    if isinstance(operation, RecallByContent):
        text = f"cues {fmt(answer.cues)}"
        return text if answer.content == operation.fragment else f"{text} echo {fmt(answer.content)}"
    text = fmt(answer.content)
    return text if answer.cues == {operation.cue} else f"cue {fmt(answer.cues)} {text}"


def evaluate(result: SimulationResult | dict, planned: Schedule, tolerance: int = 0) -> Evaluation:
    """Decode ``result`` (or a spikes.json dict) and compare with the ideal memory
    (``tolerance``: see :func:`biomem.models.ca3.decode.decode`)."""
    expected = IdealCAM(planned.cue_size, planned.content_size).run(planned.operations)
    return Evaluation(planned, decode(result, planned, tolerance), expected, stray_spikes(result, planned))


class CA3Memory:
    """The spiking CA3 content-addressable memory with a learn/recall interface.

    >>> memory = CA3Memory(cue_size=5, content_size=10)
    >>> memory.learn(0, {0, 1, 8, 9})
    >>> sorted(memory.recall(cue=0).content)
    [0, 1, 8, 9]
    >>> sorted(memory.recall(content_fragment={8}).cues)
    [0]

    ``learn`` only queues; ``recall`` (and :meth:`run`) simulate the whole history from t = 0.
    Contents are sets of bit indices, "0101..." strings or boolean arrays of ``content_size``.
    ``spacing`` (ms) separates operations; ``backend_options`` go to the backend.
    """

    def __init__(self, cue_size: int, content_size: int, backend: str = "numba", spacing: int = DEFAULT_SPACING,
                 parameters: CA3Parameters = CA3Parameters(), **backend_options):
        from biomem import backends
        from biomem.description import validate as check

        self.cue_size = check.integer("cue_size", cue_size, low=2)
        self.content_size = check.integer("content_size", content_size, low=1)
        self.spacing = check.integer("spacing", spacing, low=3)
        backends.missing_packages(backend)  # rejects unknown names now rather than at the first recall
        self.backend = backend
        self.parameters = parameters
        self.backend_options = backend_options
        self.history: list[Operation] = []
        self.answers: list[Answer] = []
        self.result: SimulationResult | None = None
        self.schedule: Schedule | None = None

    def learn(self, cue: int, content) -> None:
        """Queue storing ``content`` under ``cue`` (relearning a cue forgets its old content)."""
        self._queue(Learn(cue, content_bits(content, self.content_size)))

    def recall(self, cue: int | None = None, content_fragment=None) -> Answer:
        """Recall by ``cue`` (the answer's ``content``) or by ``content_fragment`` (its ``cues``)."""
        if (cue is None) == (content_fragment is None):
            raise BiomemError("recall", "give exactly one of cue= or content_fragment=", "recall(cue=i) or "
                              "recall(content_fragment={bits})")
        if cue is not None:
            self._queue(RecallByCue(cue))
        else:
            self._queue(RecallByContent(content_bits(content_fragment, self.content_size, "content_fragment")))
        return self.run()[-1]

    def extend(self, operations) -> None:
        """Queue several operations (Learn, RecallByCue, RecallByContent) without simulating;
        :meth:`run` then answers them all in one simulation."""
        for operation in operations:
            self._queue(operation)

    def _queue(self, operation: Operation) -> None:
        self.history.append(as_operation(operation).check(self.cue_size, self.content_size))

    def run(self) -> list[Answer]:
        """Simulate every queued operation (with the history before it) and return all answers."""
        if len(self.answers) < len(self.history):
            self.schedule = schedule(self.history, self.cue_size, self.content_size, self.spacing)
            self.result = self.run_testbench(self.schedule.testbench)
            self.answers = decode(self.result, self.schedule)
        return list(self.answers)

    def expected(self) -> list[Answer]:
        """What the ideal memory answers to the history."""
        return IdealCAM(self.cue_size, self.content_size).run(self.history)

    def evaluation(self) -> Evaluation:
        """The history's answers against the ideal memory's."""
        if not self.history:
            raise BiomemError("history", "is empty", "learn or recall something first")
        self.run()
        return evaluate(self.result, self.schedule)

    def run_testbench(self, testbench: Testbench) -> SimulationResult:
        """Simulate a testbench on this memory's sizes, backend and parameters."""
        testbench.check_sizes(self.cue_size, self.content_size)
        return simulate_testbench(testbench, self.backend, self.parameters, **self.backend_options)

    def reset(self) -> None:
        """Forget the history: the next run starts from an empty memory."""
        self.history, self.answers, self.result, self.schedule = [], [], None, None
