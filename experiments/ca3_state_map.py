"""CA3 "state map" application: 16 cells (cues) of a 4 x 4 map, each with 6 binary flags (content).

Each cell's flags are stored under its cue; the map is then queried both ways: a cell's flags
(recall by cue) and the cells showing a flag (recall by content with a one-bit fragment). A third
of the cells then change state (relearning forgets their old flags) and the map is queried again.
Finally, "flag A or flag B" queries (two-bit fragments) show the network's residual associations:
a cell whose *old* state had both flags can answer as well.

    python experiments/ca3_state_map.py --out out/ca3_state_map [--small]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ca3_common  # noqa: E402

from biomem.models.ca3.memory import evaluate, simulate_testbench  # noqa: E402
from biomem.models.ca3.operations import Learn, RecallByContent, RecallByCue, schedule  # noqa: E402
from biomem.models.ca3.plots import _pyplot, raster  # noqa: E402

CELLS, FLAGS, SIDE = 16, 6, 4
FLAG_NAMES = ("visited", "obstacle", "goal", "reward", "danger", "charging")


def random_states(rng, n_cells: int) -> list[frozenset[int]]:
    """Each cell gets each flag with probability 0.35 (at least one flag)."""
    states = []
    for _ in range(n_cells):
        flags = np.flatnonzero(rng.random(FLAGS) < 0.35)
        states.append(frozenset(int(f) for f in (flags if flags.size else rng.integers(FLAGS, size=1))))
    return states


def build(seed: int, small: bool):
    rng = np.random.default_rng(seed)
    state = random_states(rng, CELLS)
    phases: list[tuple[str, list]] = [("store", [Learn(cell, flags) for cell, flags in enumerate(state)])]
    queries = [RecallByContent({flag}) for flag in range(FLAGS)]
    queries += [RecallByCue(cell) for cell in range(CELLS)] if not small else [RecallByCue(0), RecallByCue(15)]
    phases.append(("query", queries))
    changed = sorted(int(c) for c in rng.choice(CELLS, size=CELLS // 3, replace=False))
    new_state = list(state)
    for cell in changed:
        flags = random_states(rng, 1)[0]
        while flags == state[cell]:
            flags = random_states(rng, 1)[0]
        new_state[cell] = flags
    phases.append(("update", [Learn(cell, new_state[cell]) for cell in changed]))
    phases.append(("requery", [RecallByContent({flag}) for flag in range(FLAGS)]
                   + [RecallByCue(cell) for cell in changed]))
    pairs = [(0, 1), (2, 3), (4, 5)] if small else [(a, b) for a in range(FLAGS) for b in range(a + 1, FLAGS)]
    phases.append(("or_queries", [RecallByContent({a, b}) for a, b in pairs]))
    return state, new_state, changed, phases


def map_figure(path, stored, recalled, title):
    """Per flag, a 4 x 4 map of the cells holding it: stored (top) and recalled by a one-bit query (bottom)."""
    plt = _pyplot()
    figure, axes = plt.subplots(2, FLAGS, figsize=(2.0 * FLAGS, 4.6))
    for flag in range(FLAGS):
        for row, (name, cells) in enumerate((("stored", stored[flag]), ("recalled", recalled[flag]))):
            grid = np.zeros((SIDE, SIDE))
            for cell in cells:
                grid[cell // SIDE, cell % SIDE] = 1
            axis = axes[row, flag]
            axis.imshow(grid, cmap="Greens", vmin=0, vmax=1.3)
            for cell in range(CELLS):
                axis.text(cell % SIDE, cell // SIDE, str(cell), ha="center", va="center", fontsize=7)
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(FLAG_NAMES[flag], fontsize=9)
            if flag == 0:
                axis.set_ylabel(name)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv=None) -> dict:
    arguments = ca3_common.parser("ca3_state_map", __doc__.splitlines()[0])
    arguments.add_argument("--seed", type=int, default=7)
    arguments.add_argument("--spacing", type=int, default=10)
    arguments.add_argument("--backend", default="numba")
    arguments = arguments.parse_args(argv)
    out = ca3_common.prepare(arguments.out)
    state, new_state, changed, phases = build(arguments.seed, arguments.small)
    operations = [op for _, ops in phases for op in ops]
    planned = schedule(operations, CELLS, FLAGS, arguments.spacing)
    result = simulate_testbench(planned.testbench, arguments.backend)
    evaluation = evaluate(result, planned)
    (out / "table.txt").write_text("\n".join(evaluation.table()) + "\n")

    per_phase, index = {}, 0
    kinds = evaluation.kinds
    for name, ops in phases:
        window = slice(index, index + len(ops))
        per_phase[name] = {"n_operations": len(ops), "n_correct": int(evaluation.correct[window].sum()),
                           "n_residual": kinds[window].count("residual"), "n_eroded": kinds[window].count("eroded"),
                           "n_wrong": kinds[window].count("wrong")}
        index += len(ops)
        print(f"{name:10s} {per_phase[name]['n_correct']}/{len(ops)} correct"
              + (f", {per_phase[name]['n_residual']} with extra cells from residual associations"
                 if per_phase[name]["n_residual"] else ""))

    def recalled_by_flag(phase_name):
        start = sum(len(ops) for name, ops in phases[:[n for n, _ in phases].index(phase_name)])
        return [set(evaluation.answers[start + flag].cues) for flag in range(FLAGS)]

    for phase_name, cells_state in (("query", state), ("requery", new_state)):
        stored = [{cell for cell in range(CELLS) if flag in cells_state[cell]} for flag in range(FLAGS)]
        ok = per_phase[phase_name]["n_correct"] == per_phase[phase_name]["n_operations"]
        map_figure(out / f"map_{phase_name}.png", stored, recalled_by_flag(phase_name),
                   f"state map, {'before' if phase_name == 'query' else 'after'} updating cells {changed}: "
                   f"{'all queries correct' if ok else 'some queries wrong'}")
    raster(result, out / "raster.png", planned, kinds, title="state map (16 cells x 6 flags)")
    metrics = {"experiment": "ca3_state_map", "backend": arguments.backend, "cells": CELLS, "flags": FLAGS,
               "seed": arguments.seed, "spacing_ms": arguments.spacing, "changed_cells": changed,
               **evaluation.metrics(), "phases": per_phase}
    ca3_common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    main()
