"""Export cost: seconds to lower, check, quantise, map and write each target, CA3 5x10 .. 100x100.

Per size and target it times :func:`biomem.export.api.export` without ``--check`` (so it measures
the exporter, not a simulator) and reports the artefact size and the cores of the target profile.
Approximations are allowed (``approximate=True``) so that every target produces an artefact.

    python -m benchmarks.export [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

SIZES = [(5, 10), (20, 20), (50, 50), (100, 100)]
QUICK = [(5, 10), (20, 20)]
TARGETS = ("nengo", "loihi", "pynn", "spinnaker", "nir")
SUFFIX = {"nir": ".nir"}


def run(sizes) -> list[dict]:
    from biomem.export import api
    from biomem.export.examples import ca3_functional, ca3_testbench
    from biomem.export.models import FUNCTIONAL

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        for c, k in sizes:
            bench = FUNCTIONAL if (c, k) == (5, 10) else ca3_testbench(c, k)
            network, duration = ca3_functional(bench)
            for target in TARGETS:
                out = Path(folder) / f"ca3_{c}x{k}_{target}{SUFFIX.get(target, '.py')}"
                started = time.perf_counter()
                result = api.export(network, duration, dt=1.0, target=target, out=out, approximate=True)
                elapsed = time.perf_counter() - started
                mapping = result["mapping"] or {}
                rows.append({"size": f"{c}x{k}", "target": target, "seconds": round(elapsed, 3),
                             "artefact_kb": round(out.stat().st_size / 1024, 1), "cores": mapping.get("cores"),
                             "synapses": result["network"]["synapses"]})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    rows = run(QUICK if args.quick else SIZES)
    if args.json:
        print(json.dumps({"export": rows}))
        return 0
    print(f"{'size':>8} {'target':>10} {'seconds':>8} {'kB':>8} {'cores':>6} {'synapses':>9}")
    for row in rows:
        print(f"{row['size']:>8} {row['target']:>10} {row['seconds']:>8.3f} {row['artefact_kb']:>8.1f} "
              f"{str(row['cores']):>6} {row['synapses']:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
