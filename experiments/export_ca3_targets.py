"""CA3 memory on every export target: testbench outcome and cores needed, 5x10 up to 100x100.

For each size (cues x content bits) a functional-style testbench is built (5x10: the authors'
functional experiment; larger: learn one memory per cue, then recall each by cue and by one of
its bits, 12 ms apart). The original network runs on biomem's numba backend (= SpiNNaker's
numerics, see shared/reference/ca3_cam.md); every target's run is compared with it window by
window (OUTcue/OUTcont neuron sets per operation, :func:`biomem.export.report.task_accuracy`):

- ``spinnaker``: biomem numba with hardware/spinnaker.toml's numerics (16-bit weights, U0.32 decays,
  S16.15 voltages), STDP kept; cores from biomem's mapper (and sPyNNaker's virtual board if installed);
- ``pynn-nest`` / ``pynn-brian2``: the generated PyNN script on NEST / Brian2 (aligned timing); all
  sizes of one simulator run in one subprocess; Brian2 only up to 20x20 unless ``--brian2-all``;
- ``loihi``: nengo-loihi cannot express STDP nor delays > 1 step: the approximated network
  (frozen weights, delays clipped) with Loihi's numerics, on biomem numba; cores from the Loihi profile;
- ``nengo``: the Nengo export (approximated: frozen STDP), on Nengo's simulator;
- ``loihi2`` / ``spinnaker2`` (via NIR): cores only (their runtimes are not installable here); the
  NIR route cannot carry STDP;
- ``spynnaker (virtual board)``: sPyNNaker's own mapping, when it is importable or
  ``BIOMEM_SPYNNAKER_PYTHON`` names a Python that has it.

Writes ``metrics.json``, ``results.md`` and ``cores.png`` under ``--out``.

    python experiments/export_ca3_targets.py --out results/export_ca3_targets [--small]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from biomem.description import lower  # noqa: E402
from biomem.errors import BiomemError  # noqa: E402
from biomem.export import api, nengo_export, profiles, pynn_export, report, spinnaker  # noqa: E402
from biomem.export.common import Issues, check_network, freeze_plasticity  # noqa: E402
from biomem.export.examples import ca3_functional, ca3_testbench  # noqa: E402
from biomem.export.mapping import map_network  # noqa: E402
from biomem.export.models import FUNCTIONAL  # noqa: E402
from biomem.export.quantise import quantise  # noqa: E402

SIZES = [(5, 10), (10, 10), (20, 20), (50, 50), (100, 100)]
SMALL = [(5, 10), (10, 10)]
PROFILES = ("spinnaker", "loihi", "spinnaker2", "loihi2")


def _bench(c: int, k: int) -> dict:
    return FUNCTIONAL if (c, k) == (5, 10) else ca3_testbench(c, k)


def _score(original, spikes, n_steps) -> dict:
    comparison = report.compare(original, spikes, 1.0, n_steps)
    task = comparison["task_accuracy"]
    return {"recalls": f"{task['correct_recalls']}/{task['recalls']}", "recall_accuracy": task["recall_accuracy"],
            "window_accuracy": task["window_accuracy"], "spike_f1": comparison["spike_agreement"]["exact"]["f1"]}


def run(sizes, out: Path, brian2_all: bool = False) -> dict:
    rows, scripts = {}, {}
    spynnaker = spinnaker.spynnaker_available() or bool(os.environ.get("BIOMEM_SPYNNAKER_PYTHON"))
    workdir = Path(tempfile.mkdtemp(prefix="export-ca3-"))
    for c, k in sizes:
        name = f"{c}x{k}"
        started = time.perf_counter()
        network, duration = ca3_functional(_bench(c, k))
        lowered = lower(network, duration, 1.0, 0)
        original = api.simulate_lowered(lowered)
        row = {"cues": c, "bits": k, "neurons": int((~lowered.is_source).sum()), "synapses": lowered.n_synapses,
               "duration_ms": duration, "targets": {}, "cores": {}}
        for profile_name in PROFILES:
            profile = profiles.get(profile_name)
            issues = Issues(profile_name, approximate=True)
            approximated = check_network(network, lowered, profile, issues)
            mapping = map_network(approximated, profile)
            row["cores"][profile_name] = {"cores": mapping.cores, "chips": mapping.chips,
                                          "approximated": sorted({i.feature for i in issues})}
            if profile_name in ("spinnaker", "loihi"):
                quantised, _ = quantise(approximated, profile)
                row["targets"][f"{profile_name} (biomem numba, profile numerics)"] = _score(
                    original, api.simulate_lowered(quantised), lowered.n_steps)
        spec, _, _ = nengo_export.plan(network, lowered, approximate=True)
        import nengo

        model, probes = nengo_export.build_from_plan(nengo, spec)
        export = nengo_export.NengoExport(model, probes, freeze_plasticity(lowered), spec["dt"],
                                          Issues("nengo", True), "exact", spec)
        row["targets"]["nengo (STDP frozen)"] = _score(original, nengo_export.run(export), lowered.n_steps)
        path = workdir / f"ca3_{name}.py"
        pynn_export.export(network, lowered, path)
        scripts[name] = (str(path.resolve()), original, lowered.n_steps)
        if spynnaker:
            try:
                board = spinnaker.virtual_board_mapping(path)
                row["cores"]["spynnaker (virtual board)"] = {"cores": board.get("cores"), "chips": board.get("chips"),
                                                             "approximated": []}
            except BiomemError as error:
                print(f"sPyNNaker {name}: {error}", file=sys.stderr)
        row["export_s"] = time.perf_counter() - started
        rows[name] = row
        print(f"{name}: {row['neurons']} neurons, {row['synapses']} synapses, "
              + ", ".join(f"{p} {v['cores']} cores" for p, v in row["cores"].items()), flush=True)
    for simulator in ("nest", "brian2"):
        chosen = [n for n in scripts if brian2_all or simulator == "nest" or rows[n]["cues"] <= 20]
        if not pynn_export.simulator_available(simulator) or not chosen:
            continue
        started = time.perf_counter()
        try:
            spikes = pynn_export.run_scripts([scripts[n][0] for n in chosen], simulator, timeout=3600)
        except BiomemError as error:
            print(f"pynn {simulator}: {error}", file=sys.stderr)
            continue
        for name in chosen:
            path, original, n_steps = scripts[name]
            rows[name]["targets"][f"pynn-{simulator}"] = _score(original, spikes[path], n_steps)
        print(f"pynn {simulator}: {time.perf_counter() - started:.1f} s for {len(chosen)} size(s)", flush=True)
    return rows


def write(rows: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    from biomem.export.spinnaker import spynnaker_available

    metrics = {"sizes": rows, "spynnaker": "installed" if spynnaker_available() else "not installed"}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    lines = ["# CA3 on export targets", "", "Recall windows correct / recall windows, against biomem (numba).", ""]
    targets = sorted({t for row in rows.values() for t in row["targets"]})
    lines.append("| size | " + " | ".join(targets) + " |")
    lines.append("|---" * (len(targets) + 1) + "|")
    for name, row in rows.items():
        cells = [row["targets"].get(t, {}).get("recalls", "-") for t in targets]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    columns = sorted({p for row in rows.values() for p in row["cores"]}, key=lambda p: (p not in PROFILES, p))
    lines += ["", "Cores (chips) per profile:", "", "| size | " + " | ".join(columns) + " |",
              "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{row['cores'][p]['cores']} ({row['cores'][p]['chips']})"
                                                  if p in row["cores"] else "-" for p in columns) + " |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    figure, axis = plt.subplots(figsize=(6, 4))
    neurons = [row["neurons"] for row in rows.values()]
    for profile_name in PROFILES:
        axis.plot(neurons, [row["cores"][profile_name]["cores"] for row in rows.values()], "o-", label=profile_name)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("CA3 neurons (sources excluded)")
    axis.set_ylabel("cores")
    axis.set_title("Cores needed by the CA3 memory")
    axis.legend()
    figure.tight_layout()
    figure.savefig(out / "cores.png", dpi=120)
    plt.close(figure)
    print((out / "results.md").read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/export_ca3_targets"))
    parser.add_argument("--small", action="store_true", help="5x10 and 10x10 only (CI)")
    parser.add_argument("--brian2-all", action="store_true", help="run Brian2 at every size (slow above 20x20)")
    args = parser.parse_args(argv)
    rows = run(SMALL if args.small else SIZES, args.out, args.brian2_all)
    write(rows, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
