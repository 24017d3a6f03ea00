"""CA3 reliability: fraction of correct operations vs operation spacing (5..14 ms) and memory size.

Seeded random operation sequences (learn / recall by cue / recall by content) are scored against
the ideal memory. Two workloads separate the two ways the network departs from it:
``single_bit`` recalls by content with one-bit fragments only (timing is the only source of error),
``mixed`` uses fragments of 1-3 bits (residual associations left by forgetting and by earlier
recalls then add extra cues). Sequences of one size and spacing share a topology and a duration,
so they run as one batch on the torch backend when it is available (else one by one on numba).

    python experiments/ca3_reliability.py --out out/ca3_reliability [--small] [--backend auto|numba|torch]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ca3_common  # noqa: E402

from biomem.models.ca3.plots import save_lines, save_matrix  # noqa: E402

WORKLOADS = {"single_bit": {"max_fragment": 1}, "mixed": {"max_fragment": 3}}


def main(argv=None) -> dict:
    arguments = ca3_common.study_parser("ca3_reliability", __doc__.splitlines()[0])
    arguments = arguments.parse_args(argv)
    out = ca3_common.prepare(arguments.out)
    backend = ca3_common.batch_backend(arguments.backend)
    if arguments.small:
        sizes, spacings, n_sequences, n_operations = [(5, 10), (10, 10)], [6, 10, 14], 6, 20
    else:
        sizes, spacings, n_sequences, n_operations = [(5, 10), (10, 10), (20, 20), (50, 50), (100, 100)], \
            list(range(5, 15)), 64, 40
    grid: dict = {}
    wall = 0.0
    for workload, options in WORKLOADS.items():
        grid[workload] = {}
        for c, k in sizes:
            row = {}
            for spacing in spacings:
                seeds = [[arguments.seed, c, k, spacing, index] for index in range(n_sequences)]
                schedules = ca3_common.random_schedules(c, k, n_operations, spacing, seeds, **options)
                evaluations, elapsed = ca3_common.evaluate_many(schedules, backend)
                wall += elapsed
                row[spacing] = ca3_common.tally(evaluations)
            grid[workload][f"{c}x{k}"] = row
            print(f"{workload:10s} {c:3d}x{k:<3d} " + " ".join(
                f"{s}:{row[s]['fraction_correct']:.3f}" for s in spacings))

    for workload in WORKLOADS:
        save_lines(out / f"correct_vs_spacing_{workload}.png", spacings,
                   {size: [grid[workload][size][s]["fraction_correct"] for s in spacings] for size in grid[workload]},
                   "spacing between operations (ms)", "fraction of operations correct",
                   f"CA3 reliability, {workload.replace('_', '-')} fragments ({n_sequences} x {n_operations} ops)")
        save_matrix(out / f"correct_grid_{workload}.png",
                    [[grid[workload][size][s]["fraction_correct"] for s in spacings] for size in grid[workload]],
                    "spacing (ms)", "cues x bits", f"fraction correct, {workload.replace('_', '-')} fragments",
                    xticks=spacings, yticks=list(grid[workload]), cmap="RdYlGn", vmin=0.5, vmax=1.0, annotate=True)
    metrics = {"experiment": "ca3_reliability", "backend": backend, "n_sequences": n_sequences,
               "n_operations_per_sequence": n_operations, "spacings_ms": spacings,
               "sizes": [f"{c}x{k}" for c, k in sizes], "simulate_wall_s": wall,
               "workloads": {w: {size: {str(s): v for s, v in row.items()} for size, row in rows.items()}
                             for w, rows in grid.items()}}
    ca3_common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
