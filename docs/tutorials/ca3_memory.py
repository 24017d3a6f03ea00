"""The CA3 spiking content-addressable memory: learn, recall by cue or by fragment, forget.

A memory is a one-hot cue (an address among cue_size) and a content of content_size bits.
Learning drives cue and content neurons together and STDP stores the association; relearning a
cue with a new content forgets the old one. CA3Memory keeps the history of operations and
re-simulates it from t = 0 when an answer is needed (the network is deterministic, dt = 1 ms).

The script replays the authors' functional experiment, checks every answer against an ideal
memory, runs the same network on a second backend, and draws the spike raster with the
operations shaded into docs/figures/ca3_memory.png.

    python docs/tutorials/ca3_memory.py            # also compares with the torch backend
    python docs/tutorials/ca3_memory.py --small    # Numba only (what the tests use)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from biomem import backends
from biomem.models.ca3 import CA3Memory
from biomem.models.ca3.plots import raster

FIGURES = Path(__file__).resolve().parents[1] / "figures"


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the figure")
    parser.add_argument("--small", action="store_true", help="skip the second backend")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. A memory of 5 cues x 10 content bits on the default backend (Numba).
    memory = CA3Memory(cue_size=5, content_size=10)

    # 2. learn() only queues an operation; recall() simulates the whole history and answers.
    memory.learn(0, {0, 1, 8, 9})
    memory.learn(4, {1, 5, 6})
    memory.learn(3, "0000111000")                           # a bit string works too: bits 4, 5, 6
    print("recall cue 0      ->", sorted(memory.recall(cue=0).content))
    print("recall content {6} ->", sorted(memory.recall(content_fragment={6}).cues))
    print("recall content {0,4} ->", sorted(memory.recall(content_fragment={0, 4}).cues))

    # 3. Forgetting: relearning cue 3 replaces {4, 5, 6}; bit 6 now points to cue 4 only.
    memory.learn(3, {1, 3, 4, 8})
    print("recall cue 3      ->", sorted(memory.recall(cue=3).content))
    print("recall content {6} ->", sorted(memory.recall(content_fragment={6}).cues))

    # 4. Every answer against the ideal memory's.
    evaluation = memory.evaluation()
    print("\n".join(evaluation.table()))

    # 5. The same history on another backend gives the same spikes (same description, same seed).
    if not args.small and not backends.missing_packages("torch"):
        other = CA3Memory(cue_size=5, content_size=10, backend="torch")
        other.extend(memory.history)
        other.run()
        same = other.result.spikes_json() == memory.result.spikes_json()
        print(f"torch backend: {'the same spikes' if same else 'DIFFERENT spikes'} as numba")

    # 6. The raster: inputs, internal populations and outputs, one shaded window per operation.
    path = raster(memory.result, args.out / "ca3_memory.png", memory.schedule, evaluation.kinds,
                  title="CA3 memory: the functional experiment (numba)")
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
