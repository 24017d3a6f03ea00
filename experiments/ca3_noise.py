"""CA3 recall accuracy under input noise: spike deletion (probability p) and timing jitter (+-j ms).

Seeded random sequences (10 cues x 10 bits, 40 operations 14 ms apart, one-bit content fragments:
the setting where the noise-free network is the ideal memory, see ca3_reliability) are simulated
with perturbed inputs
(:func:`biomem.models.ca3.workloads.perturb`) and decoded at the nominal operation times, widened
by the jitter (+-j ms; exact times are reported too, as ``exact_decoding``). Accuracy is scored
against the ideal memory given the *intended* operations.

    python experiments/ca3_noise.py --out out/ca3_noise [--small] [--backend auto|numba|torch]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ca3_common  # noqa: E402

from biomem.models.ca3.memory import evaluate  # noqa: E402
from biomem.models.ca3.plots import save_lines, save_matrix  # noqa: E402
from biomem.models.ca3.workloads import perturb  # noqa: E402

CUE_SIZE, CONTENT_SIZE, SPACING = 10, 10, 14


def recall_accuracy(stats: dict) -> float:
    """Pooled accuracy over both kinds of recall."""
    return stats["recall_correct"] / max(stats["n_recalls"], 1)


def score(evaluations) -> dict:
    stats = ca3_common.tally(evaluations)
    recalls = correct = 0
    for evaluation in evaluations:
        for operation, ok in zip(evaluation.schedule.operations, evaluation.correct):
            if type(operation).__name__ != "Learn":
                recalls += 1
                correct += int(ok)
    stats.update(n_recalls=recalls, recall_correct=correct, recall_accuracy=correct / max(recalls, 1))
    return stats


def main(argv=None) -> dict:
    arguments = ca3_common.study_parser("ca3_noise", __doc__.splitlines()[0])
    arguments = arguments.parse_args(argv)
    out = ca3_common.prepare(arguments.out)
    backend = ca3_common.batch_backend(arguments.backend)
    if arguments.small:
        deletions, jitters, n_sequences, n_operations = [0.0, 0.1, 0.3], [0, 1], 4, 20
    else:
        deletions, jitters, n_sequences, n_operations = [0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5], [0, 1, 2, 3], 48, 40
    schedules = ca3_common.random_schedules(CUE_SIZE, CONTENT_SIZE, n_operations, SPACING,
                                            [[arguments.seed, index] for index in range(n_sequences)],
                                            max_fragment=1)
    grid = {}
    for jitter in jitters:
        for p_delete in deletions:
            rng = np.random.default_rng([arguments.seed, 1, jitter, int(round(p_delete * 1000))])
            noisy = [perturb(s.testbench, rng, p_delete, jitter) for s in schedules]
            results, _ = ca3_common.simulate_schedules(schedules, backend, noisy)
            grid[(p_delete, jitter)] = score([evaluate(r, s, tolerance=jitter) for r, s in zip(results, schedules)])
            exact = score([evaluate(r, s) for r, s in zip(results, schedules)])
            grid[(p_delete, jitter)]["exact_decoding"] = {key: exact[key] for key in
                                                          ("recall_accuracy", "fraction_correct")}
            print(f"p = {p_delete:4.2f}  j = {jitter} ms: recall accuracy {grid[(p_delete, jitter)]['recall_accuracy']:.3f}"
                  f", all operations {grid[(p_delete, jitter)]['fraction_correct']:.3f}")
    save_lines(out / "accuracy_vs_deletion.png", deletions,
               {f"jitter +-{j} ms": [grid[(p, j)]["recall_accuracy"] for p in deletions] for j in jitters},
               "input spike deletion probability p", "recall accuracy",
               f"CA3 {CUE_SIZE}x{CONTENT_SIZE}, recall accuracy under input noise ({n_sequences} x {n_operations} ops)")
    save_matrix(out / "accuracy_grid.png", [[grid[(p, j)]["recall_accuracy"] for p in deletions] for j in jitters],
                "deletion probability p", "jitter (ms)", "recall accuracy", xticks=deletions, yticks=jitters,
                cmap="RdYlGn", vmin=0, vmax=1, annotate=True)
    metrics = {"experiment": "ca3_noise", "backend": backend, "cue_size": CUE_SIZE, "content_size": CONTENT_SIZE,
               "spacing_ms": SPACING, "n_sequences": n_sequences, "n_operations_per_sequence": n_operations,
               "deletion_probabilities": deletions, "jitters_ms": jitters, "decode_tolerance_ms": "= jitter",
               "conditions": [{"p_delete": p, "jitter_ms": j, **grid[(p, j)]} for j in jitters for p in deletions]}
    ca3_common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    main()
