"""Classic Kuramoto throughput: oscillator-steps per second (RK4, float64) vs N.

Cases: Numba mean field (all-to-all, O(N) per step), Numba explicit dense coupling (O(N^2)), Numba
sparse Erdos-Renyi coupling (p = 0.01), torch mean field (one coupling, CPU, one intra-op thread: the
backend's default). One oscillator-step = one oscillator advanced by one RK4 step (four right-hand
sides). Each case is run once untimed first (JIT compilation, caches), then timed.

    python -m benchmarks.kuramoto [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from biomem.oscillators import numba_backend, torch_backend
from biomem.oscillators.description import KuramotoModel

CASES_QUICK = {"numba/all_to_all": (1_000, 10_000), "numba/explicit": (250, 500), "numba/sparse": (1_000,),
               "torch/all_to_all": (1_000, 10_000)}
CASES_FULL = {"numba/all_to_all": (1_000, 10_000, 100_000, 1_000_000), "numba/explicit": (250, 500, 1_000, 2_000),
              "numba/sparse": (1_000, 10_000), "torch/all_to_all": (1_000, 10_000, 100_000, 1_000_000)}


def _model(coupling: str, N: int, steps: int) -> KuramotoModel:
    matrix = None
    if coupling == "explicit":
        matrix = np.random.default_rng(0).uniform(0.0, 2.0 / N, (N, N))
    return KuramotoModel(N=N, K=1.5, width=0.5, coupling=coupling, p=0.01, matrix=matrix, dt=0.05,
                         t_max=steps * 0.05, record_every=steps)


def _steps_for(coupling: str, N: int, quick: bool) -> int:
    work = 2e6 if quick else 2e7  # oscillator-steps (or couplings) per timed run
    per_step = N * N if coupling == "explicit" else (0.01 * N * N if coupling == "sparse" else N)
    return int(max(10, min(2000, work / max(per_step, 1))))


def run(quick: bool = True) -> list[dict]:
    """One row per (backend, coupling, N): seconds, steps and oscillator-steps per second."""
    rows = []
    for case, sizes in (CASES_QUICK if quick else CASES_FULL).items():
        backend, coupling = case.split("/")
        module = numba_backend if backend == "numba" else torch_backend
        for N in sizes:
            steps = _steps_for(coupling, N, quick)
            model = _model(coupling, N, steps)
            module.simulate(model.replace(t_max=2 * model.dt, record_every=1), seed=0)  # warm-up / compile
            start = time.perf_counter()
            result = module.simulate(model, seed=0)
            seconds = time.perf_counter() - start
            rows.append({"benchmark": "kuramoto", "backend": backend, "coupling": coupling, "N": N, "steps": steps,
                         "integrator": "rk4", "seconds": seconds, "kernel_seconds": result.wall_s,
                         "osc_steps_per_s": N * steps / result.wall_s, "device": "cpu", "threads": 1})
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description="Kuramoto throughput (oscillator-steps/s vs N)")
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--json", action="store_true", help="print rows as JSON")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'backend':7s} {'coupling':11s} {'N':>9s} {'steps':>6s} {'seconds':>8s} {'osc-steps/s':>12s}")
        for r in rows:
            print(f"{r['backend']:7s} {r['coupling']:11s} {r['N']:9d} {r['steps']:6d} {r['kernel_seconds']:8.3f} "
                  f"{r['osc_steps_per_s']:12.3e}")
    return rows


if __name__ == "__main__":
    main()
