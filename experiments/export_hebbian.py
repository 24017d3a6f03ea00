"""A trained Hebbian memory exported as a two-layer spiking network: retrieval on every target.

The model ``hebbian-two-layer`` (models/hebbian-two-layer.toml, :mod:`biomem.hebbian.two_layer`):
K = 4 random archetypes of N = 100 spins, M = 20 noisy examples each (quality r = 0.5), the
supervised memory learnt from them, N feature neurons and 2 K memory units (rectified halves),
cued with every archetype twice at 15 % spin noise. A cue is retrieved when the final feature state
(fired / silent in the read-out window) overlaps the cued archetype by >= 0.9.

For P = 2 the network is exported to every target available here and re-simulated (``--check``):
``nengo`` (Nengo), ``pynn`` (the PyNN script on NEST, and Brian2 when installed; plain dt grid, see
the report's note), ``nir`` (read back into biomem), ``spinnaker`` (SpiNNaker numerics on biomem, the
PyNN script on NEST, core mapping) and ``loihi`` (Loihi numerics on biomem, Nengo; the nengo-loihi
emulator only under ``make -f Makefile.loihi test``). The table sets each against biomem's own run
of the network and the ideal zero-temperature retrieval of the same cues by the Hebbian memory.
For P = 4 the export is refused without ``--approximate`` (no target has a polynomial memory
unit m^3); with it, the thresholded unit's accuracy is reported.

Writes ``metrics.json``, ``results.md`` and the artefacts with their reports under ``--out``.

    python experiments/export_hebbian.py --out results/export_hebbian [--small]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from biomem import simulate
from biomem.errors import UnsupportedFeature
from biomem.export import api, models, pynn_export
from biomem.hebbian import two_layer_task

TARGETS = ("nengo", "pynn", "nir", "spinnaker", "loihi")
SUFFIX = {"nir": ".nir"}


def _row(name: str, task: dict, comparison: dict | None = None, description: str = "") -> dict:
    row = {"run": name, "retrieved": task["retrieved"], "trials": task["trials"], "accuracy": task["accuracy"],
           "description": description}
    if "same_state_as_reference" in task:
        row["same_state_as_biomem"] = task["same_state_as_reference"]
    if comparison is not None:
        row["spike_f1"] = comparison["spike_agreement"]["exact"]["f1"]
    return row


def export_all(out: Path, sets: list[str], targets=TARGETS, approximate: bool = False) -> dict:
    """Export the model with ``sets`` to each target with ``--check``; rows of the comparison table."""
    out.mkdir(parents=True, exist_ok=True)
    network, duration, dt, info = models.build("hebbian-two-layer", sets, seed=0)
    rows, reports, first = [], {}, None
    runs = [(target, "nest") for target in targets]
    if "pynn" in targets and pynn_export.simulator_available("brian2"):
        runs.insert(runs.index(("pynn", "nest")) + 1, ("pynn", "brian2"))
    for target, simulator in runs:
        name = target if simulator == "nest" else f"{target}_{simulator}"
        path = out / f"hebbian_{name}{SUFFIX.get(target, '.py')}"
        started = time.perf_counter()
        result = api.export(network, duration, target=target, out=path, dt=dt, approximate=approximate, check=True,
                            simulator=simulator, model=info)
        reports[name] = {"report": str(result["report"]), "seconds": time.perf_counter() - started,
                           "unsupported_features": result["unsupported_features"], "mapping": result["mapping"]}
        check = result["check"]
        if first is None:
            first = check["reference_task"]
            rows.append(_row("biomem numba (original network)", first, description="reference"))
            rows.append(_row("ideal zero-temperature retrieval", info["task"]["ideal"],
                             description="heat bath at T = 0 of the same memory from the same cues"))
        for run, comparison in check["runs"].items():
            if any(row["run"] == run for row in rows):
                continue                         # SpiNNaker's PyNN check repeats pynn_nest, Loihi's nengo
            rows.append(_row(run, comparison["task_accuracy"], comparison, comparison.get("description", "")))
        for key, value in check.items():
            if isinstance(value, str) and key != "reference":
                rows.append({"run": key, "note": value})
        print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
    return {"parameters": info["parameters"], "task_unit": info["task"]["unit"], "rows": rows, "exports": reports}


def p4(out: Path, sets: list[str]) -> dict:
    """P = 4: the refusal without approximation, then the thresholded unit on NIR (exact) and Nengo."""
    network, duration, dt, info = models.build("hebbian-two-layer", sets + ["P=4"], seed=0)
    try:
        api.export(network, duration, target="nir", out=out / "refused.nir", dt=dt, model=info)
        refusal = None
    except UnsupportedFeature as error:
        refusal = str(error)
    result = export_all(out / "p4", sets + ["P=4"], targets=("nir", "nengo"), approximate=True)
    result["refused_without_approximate"] = refusal
    return result


def seeds(n_seeds: int, P: int, sets: dict) -> dict:
    """biomem numba vs the ideal retrieval over ``n_seeds`` memories (each with its own cues):
    accuracies, and the fraction of trials where both succeed or both fail."""
    hits, ideal = [], []
    for seed in range(n_seeds):
        built = two_layer_task.experiment(P=P, seed=seed, approximate=True, **sets)
        spikes = simulate(built.network, built.duration, dt=built.dt).spikes_json()
        hits += [m >= two_layer_task.RETRIEVED for m in two_layer_task.task_accuracy(spikes, built.task)["overlaps"]]
        ideal += [m >= two_layer_task.RETRIEVED for m in built.task["ideal"]["overlaps"]]
    hits, ideal = np.array(hits), np.array(ideal)
    return {"P": P, "seeds": n_seeds, "trials": int(hits.size), "biomem_accuracy": float(hits.mean()),
            "ideal_accuracy": float(ideal.mean()), "same_outcome": float((hits == ideal).mean())}


def table(rows: list[dict]) -> list[str]:
    """Markdown rows: run, retrieved / trials, accuracy, same final state as biomem, spike F1."""
    lines = ["| run | retrieved | accuracy | same state as biomem | spike F1 |", "|---|---|---|---|---|"]
    for row in rows:
        if "note" in row:
            lines.append(f"| {row['run']} | {row['note']} | | | |")
            continue
        same = row.get("same_state_as_biomem", "-")
        f1 = f"{row['spike_f1']:.3f}" if "spike_f1" in row else "-"
        lines.append(f"| {row['run']} | {row['retrieved']}/{row['trials']} | {row['accuracy']:.3f} | "
                     f"{same}{'/' + str(row['trials']) if same != '-' else ''} | {f1} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/export_hebbian"))
    parser.add_argument("--small", action="store_true", help="N = 64, K = 3, one cue per archetype (CI)")
    args = parser.parse_args(argv)
    sets = ["N=64", "K=3", "repeats=1"] if args.small else ["repeats=5"]
    small = {"N": 64, "K": 3, "repeats": 1} if args.small else {}
    started = time.perf_counter()
    metrics = {"p2": export_all(args.out / "p2", sets), "p4": p4(args.out, sets),
               "seeds": [seeds(3 if args.small else 20, P, small) for P in (2, 4)],
               "brian2": "installed" if pynn_export.simulator_available("brian2") else "not installed"}
    metrics["elapsed_s"] = time.perf_counter() - started
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str) + "\n")
    lines = ["# Hebbian memory as a two-layer spiking network, on export targets", "",
             f"Parameters: {json.dumps(metrics['p2']['parameters'])}", "", "## P = 2 (memory unit: "
             f"{metrics['p2']['task_unit']})", "", *table(metrics["p2"]["rows"]), "", "## P = 4", "",
             f"Without --approximate: `{metrics['p4']['refused_without_approximate']}`", "",
             f"With --approximate (memory unit: {metrics['p4']['task_unit']}):", "", *table(metrics["p4"]["rows"]),
             "", "## biomem numba over seeds (each memory with its own cues)", "",
             "| P | memories | trials | biomem | ideal (T = 0) | same outcome |", "|---|---|---|---|---|---|",
             *(f"| {r['P']} | {r['seeds']} | {r['trials']} | {r['biomem_accuracy']:.3f} | {r['ideal_accuracy']:.3f} | "
               f"{r['same_outcome']:.3f} |" for r in metrics["seeds"])]
    (args.out / "results.md").write_text("\n".join(lines) + "\n")
    print((args.out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
