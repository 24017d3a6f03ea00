"""CA3 "pyramidal" stress test: 60 operations on c = 5 cues and k = 10 bits, against the ideal memory.

Rebuilt from the authors' description: every cue is learnt (cue i stores the first 1, 3, 5, 7, 9
bits: overlapping contents forming a pyramid), recalled by cue and recalled by each content bit
alone; then everything is relearnt with the complemented contents and tested again, then relearnt
with the complements once more (the original contents) and tested again: 3 x (5 + 5 + 10) = 60.
Run at the default 10 ms spacing and swept over spacings to show where it breaks.

    python experiments/ca3_pyramidal.py --out out/ca3_pyramidal [--small]
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ca3_common  # noqa: E402

from biomem.models.ca3 import workloads  # noqa: E402
from biomem.models.ca3.memory import evaluate, simulate_testbench  # noqa: E402
from biomem.models.ca3.operations import TightSpacingWarning, schedule  # noqa: E402
from biomem.models.ca3.plots import raster, save_lines  # noqa: E402

CUE_SIZE, CONTENT_SIZE = 5, 10


def run_at(operations, spacing: int, backend: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TightSpacingWarning)
        planned = schedule(operations, CUE_SIZE, CONTENT_SIZE, spacing)
    result = simulate_testbench(planned.testbench, backend)
    return result, evaluate(result, planned)


def main(argv=None) -> dict:
    arguments = ca3_common.parser("ca3_pyramidal", __doc__.splitlines()[0])
    arguments.add_argument("--backend", default="numba")
    arguments = arguments.parse_args(argv)
    out = ca3_common.prepare(arguments.out)
    operations = workloads.pyramidal(CUE_SIZE, CONTENT_SIZE)
    assert len(operations) == 60

    result, evaluation = run_at(operations, 10, arguments.backend)
    raster(result, out / "raster.png", evaluation.schedule, evaluation.kinds,
           title=f"pyramidal stress test, 10 ms spacing: {evaluation.n_correct}/60 correct")
    (out / "table.txt").write_text("\n".join(evaluation.table()) + "\n")
    phases = {}
    for phase in range(3):
        window = slice(20 * phase, 20 * (phase + 1))
        phases[f"phase_{phase + 1}"] = int(evaluation.correct[window].sum())

    spacings = [10] if arguments.small else list(range(5, 15))
    sweep = {}
    for spacing in spacings:
        _, swept = run_at(operations, spacing, arguments.backend)
        sweep[spacing] = {"n_correct": swept.n_correct, "fraction_correct": swept.fraction_correct,
                          **{k: v for k, v in swept.metrics().items() if k in ("n_residual", "n_eroded", "n_wrong")}}
        print(f"spacing {spacing:2d} ms: {swept.n_correct}/60 correct")
    if len(spacings) > 1:
        save_lines(out / "spacing.png", spacings, {"fraction correct": [sweep[s]["fraction_correct"] for s in spacings]},
                   "spacing between operations (ms)", "fraction of operations correct",
                   "pyramidal stress test (c = 5, k = 10, 60 operations)")
    metrics = {"experiment": "ca3_pyramidal", "backend": arguments.backend, "cue_size": CUE_SIZE,
               "content_size": CONTENT_SIZE, "n_operations": 60, "spacing_ms": 10,
               **evaluation.metrics(), "correct_per_phase_of_20": phases,
               "by_spacing": {str(s): v for s, v in sweep.items()}}
    ca3_common.write_metrics(out, metrics)
    print(f"10 ms spacing: {evaluation.n_correct}/60 operations correct (phases {list(phases.values())})")
    return metrics


if __name__ == "__main__":
    main()
