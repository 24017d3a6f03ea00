"""CA3 memory throughput: memory operations simulated per second.

A seeded random sequence of operations (learn / recall by cue / recall by content, 10 ms apart,
so one operation = 10 steps of 1 ms) is simulated on every backend available, at sizes up to
100 cues x 100 bits; on torch, B independent sequences of 20 x 20 also run as one batch
(B = 1, 64, 256). Each case is run once untimed first (JIT compilation, code generation).

Each row reports ``ops_per_s`` (operations / wall seconds of network construction, lowering and
simulation) and ``sim_ops_per_s`` (operations / the backend's own simulation time).

    python -m benchmarks.ca3 [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

SPACING = 10


def _available(name: str) -> str | None:
    from biomem import backends

    missing = backends.missing_packages(name)
    if missing:
        return f"needs {', '.join(missing)}"
    try:
        backends.get(name)
    except Exception as error:  # a backend whose module does not import
        return f"{type(error).__name__}: {error}"
    return None


def _testbenches(cue_size: int, content_size: int, n_operations: int, count: int, seed: int = 0):
    from biomem.models.ca3 import workloads
    from biomem.models.ca3.operations import schedule

    return [schedule(workloads.random_operations(np.random.default_rng([seed, index]), cue_size, content_size,
                                                 n_operations), cue_size, content_size, SPACING).testbench
            for index in range(count)]


def _lower(testbench):
    from biomem.description.lowered import lower
    from biomem.models.ca3.network import build_network

    return lower(build_network(testbench.cue_size, testbench.content_size, testbench.cue, testbench.cont),
                 testbench.sim_time, 1.0)


def single(backend: str, cue_size: int, content_size: int, n_operations: int, repeats: int) -> dict:
    """One sequence at a time on ``backend``: median over ``repeats`` timed runs after a warm-up."""
    from biomem import backends

    engine = backends.get(backend)
    testbench = _testbenches(cue_size, content_size, n_operations, 1)[0]
    engine.run(_lower(testbench))  # warm-up: JIT / code generation
    walls, sims = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        raw = engine.run(_lower(testbench))
        walls.append(time.perf_counter() - started)
        sims.append(raw.sim_s)
    wall, sim = statistics.median(walls), statistics.median(sims)
    return {"benchmark": "ca3", "case": "single", "backend": backend, "cue_size": cue_size,
            "content_size": content_size, "batch": 1, "n_operations": n_operations, "sim_time_ms": testbench.sim_time,
            "wall_s": wall, "sim_s": sim, "ops_per_s": n_operations / wall,
            "sim_ops_per_s": n_operations / sim if sim > 0 else float("nan"), "repeats": repeats}


def batched(cue_size: int, content_size: int, n_operations: int, batch: int, **options) -> dict:
    """``batch`` sequences of one size as one ``run_batch`` call on torch."""
    from biomem import backends

    engine = backends.get("torch", **options)
    testbenches = _testbenches(cue_size, content_size, n_operations, batch)
    engine.run_batch([_lower(testbenches[0])])  # warm-up
    started = time.perf_counter()
    lowered = [_lower(tb) for tb in testbenches]
    raws = engine.run_batch(lowered)
    wall = time.perf_counter() - started
    sim = raws[0].sim_s  # each RawRun reports the whole batch's simulation time
    total = batch * n_operations
    return {"benchmark": "ca3", "case": "batched", "backend": "torch", "device": str(getattr(engine, "device", "")),
            "cue_size": cue_size, "content_size": content_size, "batch": batch, "n_operations": total,
            "sim_time_ms": testbenches[0].sim_time, "wall_s": wall, "sim_s": sim, "ops_per_s": total / wall,
            "sim_ops_per_s": total / sim if sim > 0 else float("nan")}


def run(quick: bool) -> list[dict]:
    """Rows of operations per second: each available backend at each size, then torch batches."""
    sizes = [(5, 10), (20, 20)] if quick else [(5, 10), (20, 20), (50, 50), (100, 100)]
    n_operations = 40 if quick else 100
    repeats = 1 if quick else 3
    rows = []
    for backend in ("numba", "brian2", "torch"):
        reason = _available(backend)
        if reason:
            rows.append({"benchmark": "ca3", "case": "single", "backend": backend, "skipped": reason})
            continue
        for cue_size, content_size in sizes:
            rows.append(single(backend, cue_size, content_size, n_operations, repeats))
    if _available("torch") is None:
        # 20 x 20: at 50 x 50 a batch of 256 ran ~10x slower per operation than a batch of 64 on CPU.
        for batch in ((1, 16) if quick else (1, 64, 256)):
            rows.append(batched(20, 20, 20 if quick else n_operations, batch))
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [f"{'case':8s} {'backend':8s} {'size':>8s} {'B':>4s} {'ops':>6s} {'wall s':>8s} {'ops/s':>9s} "
             f"{'sim ops/s':>10s}"]
    for row in rows:
        if "skipped" in row:
            lines.append(f"{row['case']:8s} {row['backend']:8s} skipped: {row['skipped']}")
            continue
        lines.append(f"{row['case']:8s} {row['backend']:8s} {row['cue_size']:>3d}x{row['content_size']:<4d} "
                     f"{row['batch']:>4d} {row['n_operations']:>6d} {row['wall_s']:>8.3f} {row['ops_per_s']:>9.0f} "
                     f"{row['sim_ops_per_s']:>10.0f}")
    return lines


def main(argv=None) -> list[dict]:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--quick", action="store_true", help="small sizes only (seconds)")
    arguments.add_argument("--json", help="also write the rows to this JSON file")
    arguments = arguments.parse_args(argv)
    rows = run(arguments.quick)
    print("\n".join(table(rows)))
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump(rows, handle, indent=2)
    return rows


if __name__ == "__main__":
    main()
