"""Classic Kuramoto throughput: oscillator-steps per second (RK4, float64) against N.

Cases: Numba mean field (all-to-all, O(N) per step), Numba explicit dense coupling (O(N^2)), Numba
sparse Erdos-Renyi coupling (p = 0.01), torch mean field (CPU, one intra-op thread: the backend's
default; on a GPU also CUDA). One oscillator-step = one oscillator advanced by one RK4 step (four
right-hand sides). Each case runs once untimed (JIT compilation, caches), then the median of 3
timed runs of the backend's own loop time (quick: 1 run).

Budget: ~40 s full on an idle 2-core machine, ~5 s quick.

    python -m benchmarks.kuramoto [--quick] [--json OUT]
"""

from __future__ import annotations

import statistics
from pathlib import Path

from benchmarks import common

CASES_QUICK = {"numba/all_to_all": (1_000, 10_000), "numba/explicit": (250, 500), "numba/sparse": (1_000,),
               "torch/all_to_all": (1_000, 10_000)}
CASES_FULL = {"numba/all_to_all": (1_000, 10_000, 100_000, 1_000_000), "numba/explicit": (250, 500, 1_000, 2_000),
              "numba/sparse": (1_000, 10_000), "torch/all_to_all": (1_000, 10_000, 100_000, 1_000_000)}
# Work per oscillator-step of RK4 (4 right-hand sides), counted from biomem/backends/numba/kuramoto.py:
TRIG_PER_STEP = 8        # sin and cos of every phase, per right-hand side
FLOPS_PER_STEP = 36      # right-hand sides, stages and the final combination
BYTES_PER_STEP = 400     # ~10 arrays of N doubles read or written per stage (mean field, out of cache)


def _model(coupling: str, N: int, steps: int):
    import numpy as np

    from biomem.oscillators.description import KuramotoModel

    matrix = np.random.default_rng(0).uniform(0.0, 2.0 / N, (N, N)) if coupling == "explicit" else None
    return KuramotoModel(N=N, K=1.5, width=0.5, coupling=coupling, p=0.01, matrix=matrix, dt=0.05,
                         t_max=steps * 0.05, record_every=steps)


def _steps_for(coupling: str, N: int, quick: bool) -> int:
    work = 2e6 if quick else 1e7  # oscillator-steps (or couplings) per timed run
    per_step = N * N if coupling == "explicit" else (0.01 * N * N if coupling == "sparse" else N)
    return int(max(10, min(2000, work / max(per_step, 1))))


def _simulate(backend: str, device: str):
    if backend == "numba":
        from biomem.backends.numba import kuramoto
        return kuramoto.simulate
    from biomem.backends.torch import kuramoto
    return lambda model, seed: kuramoto.simulate(model, seed, device=device)


def run(quick: bool) -> list[dict]:
    """One row per (backend, device, coupling, N): loop seconds and oscillator-steps per second."""
    gpu = common.gpu_name()
    cases = dict(CASES_QUICK if quick else CASES_FULL)
    rows = [{"case": "limits", **common.limits()}]
    if gpu is None:
        rows.append({"case": "gpu", "backend": "torch", "device": "cuda", "skipped": common.NO_GPU})
    else:
        cases["torch-cuda/all_to_all"] = cases["torch/all_to_all"]
    for case, sizes in cases.items():
        backend, coupling = case.split("/")
        device = "cuda" if backend == "torch-cuda" else "cpu"
        simulate = _simulate(backend.split("-")[0], device)
        for N in sizes:
            print(f"kuramoto {case} N={N}", flush=True)
            steps = _steps_for(coupling, N, quick)
            model = _model(coupling, N, steps)
            simulate(model.replace(t_max=2 * model.dt, record_every=1), 0)  # warm-up / compile
            seconds = statistics.median(simulate(model, 0).wall_s for _ in range(1 if quick else 3))
            rows.append({"case": "run", "backend": backend.split("-")[0], "device": gpu if device == "cuda" else "cpu",
                         "coupling": coupling, "N": N, "steps": steps, "integrator": "rk4", "seconds": seconds,
                         "osc_steps_per_s": N * steps / seconds})
    return rows


def bound(coupling: str, N: int, limit: dict) -> float:
    """Oscillator-steps/s at the machine limits: max(compute, memory) time per oscillator-step."""
    if coupling == "all_to_all":
        compute = TRIG_PER_STEP / limit["exp"] + FLOPS_PER_STEP / limit["flops"]
        memory = BYTES_PER_STEP / common.bandwidth_for(limit, 80 * N)  # ~10 arrays of N doubles
    else:  # 4 right-hand sides x (2 multiply-adds, one 8-byte weight (+ 4-byte index if sparse)) per coupling
        couplings = N if coupling == "explicit" else 0.01 * N
        compute = 16 * couplings / limit["flops"] + TRIG_PER_STEP / limit["exp"]
        per_coupling = 8 if coupling == "explicit" else 12
        memory = 4 * couplings * per_coupling / common.bandwidth_for(limit, N * couplings * per_coupling)
    return 1.0 / max(compute, memory)


def section(rows: list[dict], figures: Path) -> list[str]:
    """Markdown: table, scaling plot and limit estimate."""
    limit = next(r for r in rows if r["case"] == "limits")
    runs = [r for r in rows if r["case"] == "run"]
    table = [[r["backend"], r["device"], r["coupling"], r["N"], r["steps"], r["seconds"], r["osc_steps_per_s"],
              bound(r["coupling"], r["N"], limit), bound(r["coupling"], r["N"], limit) / r["osc_steps_per_s"]]
             for r in runs]
    panels = []
    for title, couplings in (("mean field (all-to-all)", ("all_to_all",)),
                             ("explicit coupling", ("explicit", "sparse"))):
        series = {}
        for r in (r for r in runs if r["coupling"] in couplings):
            for label, value in ((f"{r['backend']} {r['coupling']} ({r['device']})", r["osc_steps_per_s"]),
                                 (f"bound: {r['coupling']}", bound(r["coupling"], r["N"], limit))):
                x, y = series.setdefault(label, ([], []))
                if r["N"] not in x:
                    x.append(r["N"])
                    y.append(value)
        panels.append({"title": f"Kuramoto RK4, {title}", "xlabel": "N", "ylabel": "oscillator-steps / s",
                       "series": series})
    common.scaling_plot(figures / "kuramoto.png", panels)
    skipped = [f"- {r['backend']} ({r['device']}): {r['skipped']}" for r in rows if "skipped" in r]
    return [
        "## Kuramoto oscillators: oscillator-steps per second",
        "",
        "RK4 in float64, one oscillator advanced by one step = one oscillator-step (`python -m benchmarks.kuramoto`;"
        " details in its docstring). *bound*: the machine-limit estimate below; *from bound*: how many times"
        " slower than it.",
        "",
        *common.table(["backend", "device", "coupling", "N", "steps", "loop (s)", "osc-steps/s", "bound",
                       "from bound"], table),
        "",
        *skipped,
        "",
        "![Kuramoto oscillator-steps per second against N](figures/benchmarks/kuramoto.png)",
        "",
        *common.limits_lines(limit),
        f"Physical-limit estimate: mean field costs per oscillator-step {TRIG_PER_STEP} sin/cos (priced as scalar"
        f" exp), ~{FLOPS_PER_STEP} flops at peak FLOP/s and ~{BYTES_PER_STEP} bytes of traffic over ~10 arrays of"
        " N doubles; explicit coupling costs 4 right-hand sides x N couplings x (2 multiply-adds + an 8-byte weight"
        " read), sparse coupling the same over its pN neighbours (+ a 4-byte index). Traffic moves at the L2"
        " bandwidth while the data fit the last-level cache, else at the memory bandwidth (a 2000 x 2000 matrix is"
        " 32 MB). The bound is the slower of the compute and memory times.",
        "",
    ]


def targets(rows: list[dict]) -> list[dict]:
    """No speed target for Kuramoto (issue #9 asks for the scaling only)."""
    return []


def main(argv=None) -> list[dict]:
    """``python -m benchmarks.kuramoto [--quick] [--json OUT]``."""
    return common.main(run, __doc__, argv)


if __name__ == "__main__":
    main()
