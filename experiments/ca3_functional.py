"""CA3 functional experiment: every population's spikes against the SpiNNaker recording.

The authors' functional experiment (c = 5, k = 10, 90 ms: learn three memories, recall by cue
and by content, forget by relearning) is simulated on each backend available here at dt = 1 ms,
and each population's spike list is compared, spike by spike, with the table recorded on SpiNNaker.

    python experiments/ca3_functional.py --out out/ca3_functional [--small]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ca3_common  # noqa: E402

from biomem.models.ca3.memory import evaluate, simulate_testbench  # noqa: E402
from biomem.models.ca3.network import POPULATIONS  # noqa: E402
from biomem.models.ca3.operations import operations_from_testbench  # noqa: E402
from biomem.models.ca3.plots import raster, save_matrix  # noqa: E402
from biomem.models.ca3.testbench import Testbench  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ca3_functional_spinnaker.json"


def compare(got: dict, expected: dict) -> dict:
    """Per population: exact match, spike counts and the spikes missing / extra."""
    table = {}
    for label in POPULATIONS:
        want = {tuple(pair) for pair in expected[label]}
        have = {tuple(pair) for pair in got[label]}
        table[label] = {"match": got[label] == expected[label], "n_expected": len(want), "n_got": len(have),
                        "missing": sorted(want - have), "extra": sorted(have - want)}
    return table


def main(argv=None) -> dict:
    arguments = ca3_common.parser("ca3_functional", __doc__.splitlines()[0]).parse_args(argv)
    out = ca3_common.prepare(arguments.out)
    reference = json.loads(REFERENCE.read_text())
    testbench = Testbench.from_dict(reference)
    planned, _ = operations_from_testbench(testbench)
    status = ca3_common.backend_status()
    metrics = {"experiment": "ca3_functional", "cue_size": testbench.cue_size, "content_size": testbench.content_size,
               "sim_time_ms": testbench.sim_time, "dt_ms": 1.0, "backends": {}}
    matrix, names = [], []
    for name, reason in status.items():
        if reason is not None:
            metrics["backends"][name] = {"available": False, "reason": reason}
            print(f"{name:8s} unavailable: {reason}")
            continue
        started = time.perf_counter()
        result = simulate_testbench(testbench, name)
        wall = time.perf_counter() - started
        table = compare(result.spikes_json(), reference["expected_spikes"])
        evaluation = evaluate(result, planned)
        n_match = sum(entry["match"] for entry in table.values())
        metrics["backends"][name] = {
            "available": True, "populations_matching": n_match, "n_populations": len(POPULATIONS),
            "exact": n_match == len(POPULATIONS), "operations_correct": evaluation.n_correct,
            "n_operations": len(planned), "wall_s": wall,
            "populations": {label: {k: (v if k in ("match", "n_expected", "n_got") else len(v))
                                    for k, v in entry.items()} for label, entry in table.items()},
            "differences": {label: {"missing": entry["missing"][:20], "extra": entry["extra"][:20]}
                            for label, entry in table.items() if not entry["match"]},
        }
        matrix.append([float(table[label]["match"]) for label in POPULATIONS])
        names.append(name)
        raster(result, out / f"raster_{name}.png", planned, evaluation.kinds,
               title=f"CA3 functional experiment on {name} ({n_match}/{len(POPULATIONS)} populations exact)")
        print(f"{name:8s} {n_match}/{len(POPULATIONS)} populations equal the SpiNNaker table; "
              f"{evaluation.n_correct}/{len(planned)} operations correct ({wall:.2f} s)")
    if matrix:
        save_matrix(out / "match.png", np.array(matrix), "population", "backend",
                    "spikes equal to the SpiNNaker recording (1 = every spike)", xticks=list(POPULATIONS),
                    yticks=names, cmap="RdYlGn", vmin=0, vmax=1)
    ca3_common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    main()
