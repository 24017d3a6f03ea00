"""Operation sequences used by the demo, the experiments, the tests and the benchmarks."""

from __future__ import annotations

import numpy as np

from biomem.description import validate as check
from biomem.models.ca3.operations import Learn, Operation, RecallByContent, RecallByCue


def functional() -> list[Operation]:
    """The authors' functional experiment (c = 5, k = 10): learn three memories, recall by cue
    and by content, forget by relearning, recall again."""
    return [Learn(0, {0, 1, 8, 9}), Learn(4, {1, 5, 6}), Learn(3, {4, 5, 6}), RecallByCue(0),
            RecallByContent({6}), RecallByContent({0, 4}), Learn(3, {1, 3, 4, 8}), RecallByCue(3),
            RecallByContent({6})]


def pyramid_contents(cue_size: int, content_size: int) -> list[frozenset[int]]:
    """Cue i stores the first m_i bits, m_i rising evenly from 1 to k - 1 (c = 5, k = 10: 1, 3, 5, 7, 9),
    so that contents overlap in a pyramid and every complement is non-empty."""
    if content_size < 2:
        raise ValueError("the pyramid needs content_size >= 2")
    counts = [1 + round(i * (content_size - 2) / max(cue_size - 1, 1)) for i in range(cue_size)]
    return [frozenset(range(m)) for m in counts]


def pyramidal(cue_size: int = 5, content_size: int = 10) -> list[Operation]:
    """The authors' stress test, rebuilt from its description: three phases, each learning every
    cue, recalling every cue and recalling by each content bit alone; the contents of phase 2
    are the complements of phase 1's, those of phase 3 the complements again (phase 1's).
    c = 5, k = 10 gives 3 x (5 + 5 + 10) = 60 operations."""
    full = frozenset(range(content_size))
    phases = [pyramid_contents(cue_size, content_size)]
    phases.append([full - content for content in phases[0]])
    phases.append([full - content for content in phases[1]])
    operations: list[Operation] = []
    for contents in phases:
        operations += [Learn(cue, content) for cue, content in enumerate(contents)]
        operations += [RecallByCue(cue) for cue in range(cue_size)]
        operations += [RecallByContent({bit}) for bit in range(content_size)]
    return operations


def random_operations(rng: np.random.Generator, cue_size: int, content_size: int, n_operations: int,
                      p_learn: float = 0.4, density: float = 0.2, max_fragment: int = 3) -> list[Operation]:
    """A random sequence: learns (random cue, each bit on with probability ``density``, at least one),
    recalls by cue and recalls by a fragment of 1..``max_fragment`` bits, half each among recalls.
    Recalls mostly (80 %) address what was stored, so that they have something to find."""
    check.integer("n_operations", n_operations, low=1)
    check.real("p_learn", p_learn, low=0.0, high=1.0)
    check.real("density", density, low=0.0, high=1.0)
    stored: dict[int, frozenset[int]] = {}
    operations: list[Operation] = []
    for _ in range(n_operations):
        draw = rng.random()
        if draw < p_learn or not stored:
            bits = np.flatnonzero(rng.random(content_size) < density)
            if bits.size == 0:
                bits = rng.integers(content_size, size=1)
            operation = Learn(int(rng.integers(cue_size)), frozenset(int(b) for b in bits))
            stored[operation.cue] = operation.content
        elif draw < p_learn + (1 - p_learn) / 2:
            cues = sorted(stored) if rng.random() < 0.8 else range(cue_size)
            operation = RecallByCue(int(rng.choice(list(cues))))
        else:
            size = int(rng.integers(1, min(max_fragment, content_size) + 1))
            pool = sorted(stored[int(rng.choice(sorted(stored)))]) if rng.random() < 0.8 else range(content_size)
            pool = list(pool)
            fragment = rng.choice(pool, size=min(size, len(pool)), replace=False)
            operation = RecallByContent(frozenset(int(b) for b in fragment))
        operations.append(operation)
    return operations


def perturb(testbench, rng: np.random.Generator, p_delete: float = 0.0, jitter: int = 0):
    """A noisy copy of ``testbench``: each input spike is deleted with probability ``p_delete``, and
    each survivor moved by a uniform integer in [-jitter, jitter] ms (kept inside [0, simTime);
    spikes of one neuron that land on the same step merge)."""
    from biomem.models.ca3.testbench import Testbench

    check.real("p_delete", p_delete, low=0.0, high=1.0)
    jitter = check.integer("jitter", jitter, low=0)

    def noisy(trains):
        out = []
        for times in trains:
            times = np.asarray(times, np.int64)
            times = times[rng.random(times.size) >= p_delete]
            if jitter:
                times = times + rng.integers(-jitter, jitter + 1, size=times.size)
            out.append(sorted({int(t) for t in np.clip(times, 0, testbench.sim_time - 1)}))
        return out

    return Testbench(testbench.sim_time, noisy(testbench.cue), noisy(testbench.cont))
