"""Export and mapping cost of the CA3 memory at growing sizes (5x10 .. 100x100), every target.

Per size and target: :func:`biomem.export.api.export` (lower, plan, quantise, map, write the artefact
and its report) without ``check`` (so it measures the exporter, not a simulator), with approximations
allowed so that every target produces an artefact; and, on its own, the core mapping
(:func:`biomem.export.mapping.map_network`) for the targets with a core-size profile. One untimed
export first (imports), then the median of 3 (quick: 1 run, two sizes).

Budget: ~15 s full on an idle 2-core machine, ~3 s quick.

    python -m benchmarks.export [--quick] [--json OUT]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import common

SIZES = [(5, 10), (20, 20), (50, 50), (100, 100)]
QUICK = [(5, 10), (20, 20)]
TARGETS = ("nengo", "loihi", "pynn", "spinnaker", "nir")
SUFFIX = {"nir": ".nir"}
BYTES_PER_SYNAPSE = 64  # read its lowered fields (pre, post, weight, delay, receptor) and write it out


def run(quick: bool) -> list[dict]:
    """One row per (size, target): export seconds, mapping seconds, artefact size, cores, synapses."""
    from biomem.description.lowered import lower
    from biomem.export import api
    from biomem.export.examples import ca3_functional, ca3_testbench
    from biomem.export.mapping import map_network
    from biomem.export.models import FUNCTIONAL

    rows = [{"case": "limits", **common.limits()}]
    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        for c, k in QUICK if quick else SIZES:
            print(f"export ca3 {c}x{k}", flush=True)
            network, duration = ca3_functional(FUNCTIONAL if (c, k) == (5, 10) else ca3_testbench(c, k))
            lowered = lower(network, duration, 1.0)
            for target in TARGETS:
                out = Path(folder) / f"ca3_{c}x{k}_{target}{SUFFIX.get(target, '.py')}"
                results = []
                # the untimed first call imports the target's writer (nengo, h5py, ...)
                seconds = common.median_time(lambda: results.append(api.export(
                    network, duration, dt=1.0, target=target, out=out, approximate=True)), repeats)["wall_s"]
                profile = api.resolve_profile(target, None)
                started = time.perf_counter()
                mapped = map_network(lowered, profile)
                mapping_s = time.perf_counter() - started if mapped is not None else None
                rows.append({"case": "export", "size": f"{c}x{k}", "target": target, "seconds": seconds,
                             "mapping_s": mapping_s, "artefact_kb": out.stat().st_size / 1024,
                             "cores": (results[-1]["mapping"] or {}).get("cores"),
                             "synapses": results[-1]["network"]["synapses"]})
    return rows


def section(rows: list[dict], figures: Path) -> list[str]:
    """Markdown: export and mapping seconds per size and target, plot, limit estimate."""
    limit = next(r for r in rows if r["case"] == "limits")
    exports = [r for r in rows if r["case"] == "export"]
    table = [[r["size"], r["target"], r["synapses"], r["seconds"], r["mapping_s"], r["artefact_kb"], r["cores"],
              1e6 * r["seconds"] / r["synapses"]] for r in exports]
    series = {}
    for r in exports:
        x, y = series.setdefault(r["target"], ([], []))
        x.append(r["synapses"])
        y.append(r["seconds"])
    synapses = sorted({r["synapses"] for r in exports})
    series["bound: synapses x 64 B / bandwidth"] = (synapses, [BYTES_PER_SYNAPSE * s / limit["bandwidth"]
                                                               for s in synapses])
    common.scaling_plot(figures / "export.png", [{"title": "CA3 export (lower, plan, quantise, map, write)",
                                                  "xlabel": "synapses", "ylabel": "seconds", "series": series}])
    per_synapse = 1e6 * BYTES_PER_SYNAPSE / limit["bandwidth"]
    slowest = max(exports, key=lambda r: r["seconds"])
    return [
        "## Export and mapping: CA3 memory",
        "",
        "Seconds to export the CA3 memory to each target (`python -m benchmarks.export`; details in its docstring):"
        " *export* is the whole `biomem.export.api.export` call without `check`, *mapping* the core mapping alone"
        " (targets with a core-size profile).",
        "",
        *common.table(["size", "target", "synapses", "export (s)", "mapping (s)", "artefact (kB)", "cores",
                       "µs / synapse"], table),
        "",
        "![CA3 export seconds against synapses](figures/benchmarks/export.png)",
        "",
        *common.limits_lines(limit),
        f"Physical-limit estimate: an exporter must read each synapse's lowered fields and write it out, ~"
        f"{BYTES_PER_SYNAPSE} bytes, i.e. {per_synapse * 1e3:.1f} ns per synapse at this bandwidth; the exporters"
        " spend microseconds per synapse (Python objects, text and HDF5 writers, fixed per-call costs: see the last"
        f" column), orders of magnitude from it; the slowest export here took {slowest['seconds']:.2f} s"
        f" ({slowest['target']}, {slowest['size']}).",
        "",
    ]


def targets(rows: list[dict]) -> list[dict]:
    """No speed target for export (issue #9 asks for the timings only)."""
    return []


def main(argv=None) -> list[dict]:
    """``python -m benchmarks.export [--quick] [--json OUT]``."""
    return common.main(run, __doc__, argv)


if __name__ == "__main__":
    main()
