"""The ideal content-addressable memory: what each operation should output."""

from __future__ import annotations

from biomem.description import validate as check
from biomem.models.ca3.decode import Answer
from biomem.models.ca3.operations import Learn, Operation, RecallByContent, RecallByCue, as_operation


class IdealCAM:
    """A dictionary cue -> content with the CA3 memory's output conventions.

    - learn(cue, content) stores (overwriting, i.e. forgetting, any earlier content of the cue)
      and outputs the cue and the content (the network echoes its inputs);
    - recall by cue outputs the cue and its stored content (empty if never learnt);
    - recall by content outputs the fragment (echoed) and every cue whose stored content shares
      at least one active bit with it (an OR over the fragment's bits).
    """

    def __init__(self, cue_size: int, content_size: int):
        self.cue_size = check.integer("cue_size", cue_size, low=2)
        self.content_size = check.integer("content_size", content_size, low=1)
        self.store: dict[int, frozenset[int]] = {}

    def apply(self, operation: Operation) -> Answer:
        """The ideal answer to ``operation`` (see the class docstring); a learn also updates the store.

        The operation is checked against ``cue_size`` and ``content_size`` first; one out of range,
        or anything that is not an operation, raises :class:`~biomem.errors.BiomemError`.
        """
        operation = as_operation(operation).check(self.cue_size, self.content_size)
        if isinstance(operation, Learn):
            self.store[operation.cue] = operation.content
            return Answer({operation.cue}, operation.content)
        if isinstance(operation, RecallByCue):
            return Answer({operation.cue}, self.store.get(operation.cue, frozenset()))
        if isinstance(operation, RecallByContent):
            cues = {cue for cue, content in self.store.items() if content & operation.fragment}
            return Answer(cues, operation.fragment)
        raise TypeError(f"not an operation: {operation!r}")

    def run(self, operations) -> list[Answer]:
        """Apply ``operations`` in order (to this memory's current store) and return their answers."""
        return [self.apply(operation) for operation in operations]


class ResidualCAM(IdealCAM):
    """The ideal memory plus the main departure of the spiking network: residual associations.

    It tracks the content -> cue association of every (bit, cue) pair as 0, 1/2 or 1 (in units of
    the 6 nA maximal weight), as the content -> cue STDP weights behave on the network:

    1. *forgetting is partial*: relearning a cue depresses the weights of its old content's bits
       (those it replays at t+6) only to about half (~3.1 nA, under the ~3.36 nA a recall needs);
    2. *recall by content associates*: the fragment's bits spike just before the recalled cues, so
       every fragment bit gains half an association (+3.08 nA, clipped at 6) with every recalled cue;
    3. a cue is recalled by content when its associations with the fragment sum above 3.36 / 6:
       one full association, or two halves.

    The cue -> content direction forgets cleanly, so learn and recall by cue stay ideal. With
    single-bit fragments this memory answers like :class:`IdealCAM`; several bits that hit a cue's
    residues twice bring it back as an extra cue, and that recall strengthens the residues further.

    Not modelled (rarer at 10-14 ms spacing, see :func:`classify`): pairings across neighbouring
    operations, worth 6 exp(-lag / 3 ms) nA, i.e. ~0.2-0.7 nA at 10 ms. They potentiate (a learn's
    content towards the next learn's cue: drift, which can tip a half association or several small
    ones over threshold) and depress (a learn 10 ms after a cue was active erodes that cue's weights
    from the bits it reuses; enough such learns lose the association). Pass ``observed`` (the
    network's answer) to :meth:`apply` to follow the associations the network's own recalls create.
    """

    THRESHOLD = 3.36 / 6.0

    def __init__(self, cue_size: int, content_size: int):
        super().__init__(cue_size, content_size)
        self.association = [[0.0] * cue_size for _ in range(content_size)]

    def apply(self, operation: Operation, observed: Answer | None = None) -> Answer:
        """The answer to ``operation`` under rules 1-3 of the class docstring, updating the associations.

        A recall by content strengthens the associations of the fragment's bits with the cues it
        recalls, or with ``observed.cues`` when the network's ``observed`` answer is given; learn
        and recall by cue answer as :meth:`IdealCAM.apply`.
        """
        operation = as_operation(operation).check(self.cue_size, self.content_size)
        if isinstance(operation, RecallByContent):
            cues = {cue for cue in range(self.cue_size)
                    if sum(self.association[bit][cue] for bit in operation.fragment) > self.THRESHOLD}
            for bit in operation.fragment:
                for cue in (cues if observed is None else observed.cues):
                    self.association[bit][cue] = min(1.0, self.association[bit][cue] + 0.5)
            return Answer(cues, operation.fragment)
        if isinstance(operation, Learn):
            for bit in self.store.get(operation.cue, ()):
                self.association[bit][operation.cue] = min(self.association[bit][operation.cue], 0.5)
            for bit in operation.content:
                self.association[bit][operation.cue] = 1.0
        return super().apply(operation)


CORRECT, RESIDUAL, ERODED, WRONG = "correct", "residual", "eroded", "wrong"


def classify(operations, answers: list[Answer], cue_size: int, content_size: int) -> list[str]:
    """Per operation, how the network's answer relates to the ideal one:

    - ``correct``: the ideal answer;
    - ``residual``: a recall by content that echoes the fragment and returns every ideal cue plus
      extra cues, each sharing with the fragment a bit of residual association (>= 1/2, tracked by
      :class:`ResidualCAM` along the network's own answers: a forgotten or co-recalled bit);
    - ``eroded``: as ``residual``, but also missing cues, each of whose fragment bits was reused by a
      learn of another cue since the missing cue was learnt (every such learn, 10 ms after an
      activation of the cue, depresses the association by ~0.3-1.3 nA: erosion);
    - ``wrong``: anything else.
    """
    ideal, residual = IdealCAM(cue_size, content_size), ResidualCAM(cue_size, content_size)
    reused: dict[int, set[int]] = {}  # cue -> bits learnt by other cues since its own last learn
    kinds = []
    for operation, answer in zip(operations, answers, strict=True):
        association = [row[:] for row in residual.association]
        expected = ideal.apply(operation)
        residual.apply(operation, answer)
        if isinstance(operation, Learn):
            for cue in reused:
                if cue != operation.cue:
                    reused[cue] |= operation.content
            reused[operation.cue] = set()
        if answer == expected:
            kinds.append(CORRECT)
            continue
        if not isinstance(operation, RecallByContent) or answer.content != expected.content:
            kinds.append(WRONG)
            continue
        extra_explained = all(max(association[bit][cue] for bit in operation.fragment) >= 0.5
                              for cue in answer.cues - expected.cues)
        missing = expected.cues - answer.cues
        eroded = all(operation.fragment & ideal.store[cue] <= reused[cue] for cue in missing)
        kinds.append(WRONG if not (extra_explained and eroded) else ERODED if missing else RESIDUAL)
    return kinds
