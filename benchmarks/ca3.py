"""CA3 memory throughput: memory operations simulated per second, against the memory's size.

A seeded random sequence of operations (learn / recall by cue / recall by content, 10 ms apart,
so one operation = 10 steps of 1 ms) is simulated on every backend (numba, brian2,
brian2-standalone, torch) at cue x content sizes 5x10, 20x20, 50x50, 100x100; on torch, B
independent 20x20 sequences also run as one batch (B = 1, 64, 256; on a GPU also 1024). Each
case runs once untimed (JIT compilation, code generation), then the median of 3 timed runs.
Brian2 standalone compiles a C++ project for every network (~20 s on an idle core), so it runs
once per size, untimed warm-up skipped, and is left out of quick mode.

Rows report ``ops_per_s`` (operations / wall seconds of lowering and simulation, compilation
included for standalone) and ``sim_ops_per_s`` (operations / the backend's own loop time).

Budget: ~3 min in full mode on an idle 2-core machine (standalone ~80 s of it), ~10 s quick.

    python -m benchmarks.ca3 [--quick] [--json OUT]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import common

SPACING = 10  # ms between operations: one operation = 10 steps of 1 ms
FLOPS_PER_NEURON_STEP = 20  # membrane, two synaptic conductances, two STDP traces (see section)
BACKENDS = ("numba", "brian2", "brian2-standalone", "torch")


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


def single(backend: str, cue_size: int, content_size: int, n_operations: int, repeats: int, **options) -> dict:
    """One sequence at a time on ``backend``: median over ``repeats`` timed runs after a warm-up."""
    from biomem import backends

    engine = backends.get(backend, **options)
    testbench = _testbenches(cue_size, content_size, n_operations, 1)[0]
    sims = []

    def once():
        sims.append(engine.run(_lower(testbench)).sim_s)

    timing = common.median_time(once, repeats, warmup=backend != "brian2-standalone")
    sim = float(np.median(sims[-timing["repeats"]:]))
    lowered = _lower(testbench)
    return {"case": "single", "backend": backend, "device": str(options.get("device", "cpu")),
            "cue_size": cue_size, "content_size": content_size, "neurons": lowered.n_neurons,
            "synapses": int(lowered.syn_pre.size), "batch": 1, "n_operations": n_operations,
            "wall_s": timing["wall_s"], "sim_s": sim, "ops_per_s": n_operations / timing["wall_s"],
            "sim_ops_per_s": n_operations / sim if sim > 0 else None, "repeats": timing["repeats"]}


def batched(cue_size: int, content_size: int, n_operations: int, batch: int, **options) -> dict:
    """``batch`` sequences of one size as one ``run_batch`` call on torch (lowering included)."""
    from biomem import backends

    engine = backends.get("torch", **options)
    testbenches = _testbenches(cue_size, content_size, n_operations, batch)
    engine.run_batch([_lower(testbenches[0])])  # warm-up
    started = time.perf_counter()
    raws = engine.run_batch([_lower(tb) for tb in testbenches])
    wall = time.perf_counter() - started
    sim = raws[0].sim_s  # each RawRun reports the whole batch's simulation time
    total = batch * n_operations
    return {"case": "batched", "backend": "torch", "device": str(getattr(engine, "device", "cpu")),
            "cue_size": cue_size, "content_size": content_size, "batch": batch, "n_operations": total,
            "wall_s": wall, "sim_s": sim, "ops_per_s": total / wall, "sim_ops_per_s": total / sim if sim > 0 else None}


def run(quick: bool) -> list[dict]:
    """Operations per second: each backend at each size, torch batches, GPU rows, the machine limits."""
    sizes = [(5, 10), (20, 20)] if quick else [(5, 10), (20, 20), (50, 50), (100, 100)]
    n_operations, repeats = (40, 1) if quick else (100, 3)
    rows = [{"case": "limits", **common.limits()}]
    for backend in BACKENDS:
        reason = _available(backend)
        if backend == "brian2-standalone" and quick:
            reason = "left out of quick mode (a C++ compilation per size)"
        if reason:
            rows.append({"case": "single", "backend": backend, "skipped": reason})
            continue
        options = {}
        if backend == "brian2-standalone":  # one project folder: make recompiles only what changed
            options["directory"] = tempfile.mkdtemp(prefix="biomem-bench-ca3-")
        for cue_size, content_size in sizes:
            print(f"ca3 {backend} {cue_size}x{content_size}", flush=True)
            # standalone: one run, its compilation is most of it and its loop time comes from the binary
            runs = 1 if backend == "brian2-standalone" else repeats
            rows.append(single(backend, cue_size, content_size, n_operations, runs, **options))
    if _available("torch") is not None:
        return rows
    # 20 x 20: at 50 x 50 a batch of 256 ran ~10x slower per operation than a batch of 64 on CPU.
    for batch in ((1, 16) if quick else (1, 64, 256)):
        rows.append(batched(20, 20, 20 if quick else n_operations, batch))
    gpu = common.gpu_name()
    if gpu is None:
        rows.append({"case": "gpu", "backend": "torch", "device": "cuda", "skipped": common.NO_GPU})
        return rows
    for cue_size, content_size in sizes:
        rows.append({**single("torch", cue_size, content_size, n_operations, repeats, device="cuda"), "device": gpu})
    for batch in ((1, 64) if quick else (1, 64, 256, 1024)):
        rows.append({**batched(20, 20, 20 if quick else n_operations, batch, device="cuda"), "device": gpu})
    return rows


def bound_ops_per_s(neurons: int, flops: float) -> float:
    """Operations/s if each step cost only its neuron updates at peak FLOP/s."""
    return flops / (SPACING * neurons * FLOPS_PER_NEURON_STEP)


def _series(measured: list[dict], key: str) -> dict:
    """``{backend (device): (c x k values, key values)}`` for the scaling plot."""
    series = {}
    for row in measured:
        x, y = series.setdefault(f"{row['backend']} ({row['device']})", ([], []))
        x.append(row["cue_size"] * row["content_size"])
        y.append(row[key])
    return series


def section(rows: list[dict], figures: Path) -> list[str]:
    """Markdown: the table of operations/s, the scaling plot, the limit estimate, the GPU rows."""
    limit = next(r for r in rows if r["case"] == "limits")
    measured = [r for r in rows if "skipped" not in r and r["case"] == "single"]
    table = [[r["backend"], r["device"], f"{r['cue_size']}x{r['content_size']}", r["neurons"], r["synapses"],
              r["ops_per_s"], r["sim_ops_per_s"],
              bound_ops_per_s(r["neurons"], limit["flops"]) / r["sim_ops_per_s"] if r["sim_ops_per_s"] else None]
             for r in measured]
    batches = [[r["device"], r["batch"], r["n_operations"], r["ops_per_s"], r["sim_ops_per_s"]]
               for r in rows if r["case"] == "batched"]
    skipped = [f"- {r['backend']} ({r.get('device', 'cpu')}): {r['skipped']}" for r in rows if "skipped" in r]
    panels = [{"title": f"CA3, one sequence ({'wall' if key == 'ops_per_s' else 'simulation loop'})",
               "xlabel": "memory size c x k (bits)", "ylabel": "memory operations / s",
               "series": _series(measured, key)} for key in ("ops_per_s", "sim_ops_per_s")]
    bound = sorted({(r["cue_size"] * r["content_size"], bound_ops_per_s(r["neurons"], limit["flops"]))
                    for r in measured})
    panels[1]["series"]["bound: neuron updates at peak FLOP/s"] = ([x for x, _ in bound], [y for _, y in bound])
    common.scaling_plot(figures / "ca3.png", panels)
    return [
        "## CA3 memory: operations per second",
        "",
        "A random sequence of learn / recall-by-cue / recall-by-content operations, 10 ms (10 steps) apart,"
        " on each backend (`python -m benchmarks.ca3`; details in its docstring). *ops/s*: operations per"
        " wall second of lowering and simulation (standalone: C++ compilation included); *sim ops/s*: per"
        " second of the backend's own loop; *from bound*: how many times slower than the bound below.",
        "",
        *common.table(["backend", "device", "c x k", "neurons", "synapses", "ops/s", "sim ops/s", "from bound"],
                      table),
        "",
        "Batched on torch (20 x 20, B independent sequences in one run):",
        "",
        *common.table(["device", "B", "operations", "ops/s", "sim ops/s"], batches),
        "",
        *skipped,
        "",
        "![CA3 operations per second against size](figures/benchmarks/ca3.png)",
        "",
        *common.limits_lines(limit),
        f"Physical-limit estimate: each 1 ms step updates every neuron (~{FLOPS_PER_NEURON_STEP} flops: membrane,"
        " two conductances, two STDP traces); the state of at most ~1100 neurons and 51 k synapses (< 2 MB) fits in"
        " cache, so memory bandwidth does not bind and the bound is peak FLOP/s / (10 steps x neurons x 20 flops)"
        " per operation. Synaptic events are left out, so the bound is optimistic: the distance from it is mostly"
        " the per-step fixed cost (spike checks, ring buffers, recording, Python or generated-code overhead).",
        "",
    ]


def targets(rows: list[dict]) -> list[dict]:
    """No speed target for CA3 (issue #9 asks for the scaling only)."""
    return []


def main(argv=None) -> list[dict]:
    """``python -m benchmarks.ca3 [--quick] [--json OUT]``."""
    return common.main(run, __doc__, argv)


if __name__ == "__main__":
    main()
