"""Hebbian benchmarks: ``python -m benchmarks.hebbian [--quick] [--json]``; ``run(quick) -> list[dict]``.

1. Monte Carlo flip attempts per second of the Numba heat bath against
   * the straightforward numpy implementation (:mod:`biomem.hebbian.reference`: the local field
     recomputed from scratch, ``O(N K')`` per attempt, Python loop over attempts); target >= 50x;
     for P = 2 also the textbook loop with a stored ``J`` matrix (``O(N)`` per attempt);
   * the ``O(N K')``-per-sweep bound: no method that reads the ``K'`` couplings-vector entries of
     the chosen spin can beat a loop that only reads and sums them (the "floor" kernel, same
     random sites); its rate is the bound's estimate here, and ``fraction_of_bound`` says how
     close the heat bath comes;
   * the batched PyTorch engine (CPU, many replicas) for reference.
2. A 40 x 40 AGS theory diagram (alpha in [0, 0.16], T in [0, 1.2]: m, q, r, f, phase per point)
   through the sweep runner on a 2-process LocalCluster (target < 10 s wall on 2 cores; the
   cluster's start-up is reported on its own), and serially.
3. Sweep throughput (points per second) of a small Monte Carlo sweep with 1 and 2 workers.

Rates are given per wall second and per CPU second of this process (the latter is robust to a
loaded machine; worker processes' CPU is not in it, so parallel cases report wall time).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
import time

import numpy as np


def _timed(function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _hamiltonians(quick: bool):
    from biomem.hebbian import couplings, patterns
    rng = patterns.generator(0)
    N = 1000 if quick else 2000
    xi = patterns.random_patterns(max(1, int(0.05 * N)), N, rng)
    yield "hopfield N=%d K=%d" % (N, xi.shape[0]), couplings.hopfield(xi)
    Nd = 500 if quick else 1000
    arche = patterns.random_patterns(2, Nd, rng)
    r = patterns.quality_for(0.5, 50)
    examples = patterns.noisy_examples(arche, 50, r, rng)
    yield "dense supervised P=4 N=%d K=2" % Nd, couplings.dense(examples, 4, r)
    yield "dense unsupervised P=4 N=%d K'=100" % Nd, couplings.dense(examples, 4, r, supervised=False)


def monte_carlo(quick: bool) -> list[dict]:
    from biomem.hebbian import montecarlo_numba as mn
    from biomem.hebbian import reference
    rows = []
    for label, h in _hamiltonians(quick):
        rng = np.random.default_rng(1)
        sigma = (2 * rng.integers(0, 2, h.N) - 1).astype(np.int8)
        coef = h.field_coefficients()
        pw = np.empty((h.P + 1, h.K))
        n = h.N * (5 if quick else 20)
        sites, uniforms = rng.integers(0, h.N, n), rng.random(n)
        mn.power_sums(sigma, h.V, h.P, pw)
        mn.sweeps(sigma.copy(), h.V, coef, h.P, 2.5, sites[:10], uniforms[:10], pw.copy())   # compile / load
        mn.floor_kernel(h.V, coef, sites[:10])
        _, wall, cpu = _timed(mn.sweeps, sigma.copy(), h.V, coef, h.P, 2.5, sites, uniforms, pw.copy())
        _, floor_wall, floor_cpu = _timed(mn.floor_kernel, h.V, coef, sites)
        n_ref = 300 if quick else 1000
        _, ref_wall, ref_cpu = _timed(reference.sweeps, h, sigma.copy(), 0.4, sites[:n_ref], uniforms[:n_ref])
        numba_rate, numpy_rate, floor_rate = n / cpu, n_ref / ref_cpu, n / floor_cpu
        if h.P == 2:            # the textbook alternative: a stored J matrix, O(N) per attempt
            J = (h.V * (2 * h.w)) @ h.V.T / h.N
            np.fill_diagonal(J, 0.0)
            n_mat = 2000 if quick else 10000
            _, _, mat_cpu = _timed(reference.sweeps_matrix, J, sigma.copy(), 0.4, sites[:n_mat], uniforms[:n_mat])
            rows.append({"benchmark": f"MC flip attempts/s: {label} vs stored-J numpy loop", "value": numba_rate,
                         "unit": "attempts/s (CPU)", "numpy_rate": n_mat / mat_cpu,
                         "speedup_vs_numpy": numba_rate * mat_cpu / n_mat, "target_speedup": 50.0,
                         "ok": numba_rate * mat_cpu / n_mat >= 50.0, "bound_rate": floor_rate,
                         "fraction_of_bound": numba_rate / floor_rate,
                         "bound": "J row . sigma in numpy: O(N) per attempt"})
        rows.append({"benchmark": f"MC flip attempts/s: {label}", "value": numba_rate, "unit": "attempts/s (CPU)",
                     "wall_rate": n / wall, "numpy_rate": numpy_rate, "speedup_vs_numpy": numba_rate / numpy_rate,
                     "target_speedup": 50.0, "ok": numba_rate / numpy_rate >= 50.0,
                     "bound_rate": floor_rate, "fraction_of_bound": numba_rate / floor_rate,
                     "bound": f"O(N K') per sweep: reading K' = {h.K} entries per attempt, {floor_rate:.3g}/s here"})
    rows.append(_torch_rate(quick))
    return rows


def _torch_rate(quick: bool) -> dict:
    from biomem.hebbian import couplings, montecarlo_torch as mt, patterns
    rng = patterns.generator(2)
    N, R = (200, 64) if quick else (500, 512)
    xi = patterns.random_patterns(2, N, rng)
    r = patterns.quality_for(0.5, 50)
    h = couplings.dense(patterns.noisy_examples(xi, 50, r, rng), 4, r)
    chains = mt.BatchedChains(h, np.stack([xi[0]] * R), seed=1)
    chains.run(1, 0.4)
    _, wall, cpu = _timed(chains.run, 1 if quick else 2, 0.4)
    n = R * N * (1 if quick else 2)
    return {"benchmark": f"MC flip attempts/s: torch CPU, {R} replicas, dense P=4 N={N}", "value": n / wall,
            "unit": "attempts/s (wall)", "cpu_rate": n / cpu, "ok": True}


def _sweep(model, method, grid, sets, workers, out, client=None):
    from biomem.sweep import runner
    return runner.run(model, method, grid, sets, out, workers=workers, plot=False, client=client)


def _warm(_):
    """Imports and Numba caches of the theory and Monte Carlo code on a worker."""
    import biomem.models.hebbian_entries as entries
    entries.hopfield_theory({"alpha": 0.05, "T": 0.3}, 0)
    entries.hopfield_montecarlo({"alpha": 0.05, "T": 0.3, "N": 100, "sweeps": 2, "replicas": 2, "init": "retrieval",
                                 "patterns": "random", "backend": "numba", "device": "cpu"}, 0)
    return 0


def sweeps(quick: bool, folder: str) -> list[dict]:
    """AGS diagram and Monte Carlo sweep throughput, serially and on a 2-process LocalCluster."""
    from distributed import Client, LocalCluster
    n = 10 if quick else 40
    ags_grid = [f"alpha=0:0.16:{n}", f"T=0:1.2:{n}"]
    mc_grid = ["alpha=0.01:0.1:4", "T=0.2:0.8:3" if quick else "T=0.2:0.8:6"]
    mc_sets = ["N=400", "sweeps=20"] if quick else ["N=3000", "sweeps=100"]
    mc_points = 12 if quick else 24
    rows = []
    began = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        client.gather(client.map(_warm, range(4), pure=False))       # imports and JIT caches on both workers
        startup = time.perf_counter() - began
        rows.append({"benchmark": "LocalCluster start-up (2 processes, imports, JIT cache load)", "value": startup,
                     "unit": "s (wall)", "ok": True})
        _, wall2, _ = _timed(_sweep, "hopfield", "theory", ags_grid, [], 2, os.path.join(folder, "ags2.zarr"), client)
        _, mc2, _ = _timed(_sweep, "hopfield", "montecarlo", mc_grid, mc_sets, 2, os.path.join(folder, "mc2.zarr"),
                           client)
    _, wall1, cpu1 = _timed(_sweep, "hopfield", "theory", ags_grid, [], 1, os.path.join(folder, "ags1.zarr"))
    _, mc1, _ = _timed(_sweep, "hopfield", "montecarlo", mc_grid, mc_sets, 1, os.path.join(folder, "mc1.zarr"))
    target = None if quick else 10.0
    rows.append({"benchmark": f"AGS {n}x{n} theory diagram (m, q, r, f, phase), 2 workers", "value": wall2,
                 "unit": "s (wall)", "target": target, "ok": wall2 < 10.0 if target else True,
                 "with_startup_s": wall2 + startup, "points": n * n})
    rows.append({"benchmark": f"AGS {n}x{n} theory diagram, serial", "value": wall1, "unit": "s (wall)",
                 "cpu_s": cpu1, "ms_per_point_cpu": 1e3 * cpu1 / (n * n), "ok": True})
    for workers, wall in ((1, mc1), (2, mc2)):
        rows.append({"benchmark": f"Monte Carlo sweep throughput ({' '.join(mc_sets)}), {workers} worker(s)",
                     "value": mc_points / wall, "unit": "points/s (wall)", "wall_s": wall, "ok": True})
    rows.append({"benchmark": f"AGS diagram throughput, 1 -> 2 workers", "value": wall1 / wall2, "unit": "x", "ok": True})
    return rows


def run(quick: bool = False) -> list[dict]:
    """All benchmark rows (see the module docstring)."""
    folder = tempfile.mkdtemp(prefix="biomem-hebbian-bench-")
    try:
        return monte_carlo(quick) + sweeps(quick, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _format(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        value = row["value"]
        text = f"{value:.4g}" if isinstance(value, float) and math.isfinite(value) else str(value)
        extra = ""
        if "speedup_vs_numpy" in row:
            extra = (f"  numpy {row['numpy_rate']:.3g}/s -> x{row['speedup_vs_numpy']:.0f} (target x50);"
                     f" bound {row['bound_rate']:.3g}/s -> {100 * row['fraction_of_bound']:.0f}% of it")
        elif row.get("target"):
            extra = f"  (target < {row['target']:g} s)"
        flag = "" if row.get("ok", True) else "  MISSED"
        lines.append(f"{row['benchmark']}: {text} {row['unit']}{extra}{flag}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the harness works")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    print(json.dumps(rows, default=float) if args.json else _format(rows))


if __name__ == "__main__":
    main()
