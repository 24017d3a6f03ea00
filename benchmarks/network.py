"""Spiking-network benchmarks: COBA and CUBA at N = 1000, 4000, 16000 (``python -m benchmarks.network [--quick]``).

Every case runs in a fresh subprocess, so no case warms another (imports, JIT caches, Brian2's
device state): biomem on ``numba`` (warm: median of in-process repeats; cold: a first run in a new
process with Numba's on-disk cache, and once per model with an empty cache), ``torch`` (CPU; CUDA
where available), ``brian2`` and ``brian2-standalone``; and the anchors in ``benchmarks/anchors``:
Brian2 numpy, cython and cpp_standalone, NEST through PyNN, a plain snnTorch loop. Process repeats
give medians (``REPEATS``); a case that cannot run gives a row with the reason.

:func:`run` returns JSON rows, :func:`targets` the three speed targets judged on COBA-4000 (wall
and CPU time), :func:`section` the report's Markdown (see :mod:`benchmarks.network_report`).
``--quick``: one small size, a short run, every implementation once on COBA (on CUBA those that
compile nothing): proves the harness, not speed.

Budget, estimated from runs on a loaded 2-core machine: ~10-11 min full on an idle one, ~1.5 min
quick; about half of it is C++ and JIT compilation (a cold Cython cache adds ~1-2 min once).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = ROOT / "benchmarks" / "anchors"
MODELS = ("coba", "cuba")
# (N, simulated ms): shorter at 16000 so that the slow implementations fit the suite's budget.
SIZES, QUICK_SIZES = ((1000, 1000.0), (4000, 1000.0), (16000, 200.0)), ((500, 100.0),)
TARGET_CASE = ("coba", 4000)
# Quick mode runs every implementation once on COBA; on CUBA only those that exercise a CUBA code
# path without compiling anything (the C++ builds and the JIT compilation do not depend on the model).
QUICK_CUBA = ("numba-warm", "brian2-numpy", "nest-pynn", "snntorch")
# Left out of quick mode altogether, each a compilation of half a minute that the test suite
# already exercises on the same code path (CI's quick run must stay under 2 minutes).
QUICK_SKIP = {
    "brian2-standalone": "quick mode: a C++ build; the test suite runs biomem's brian2-standalone backend",
    "numba-cold-nocache": "quick mode: a full JIT compilation; numba-cold runs the same code from a fresh process",
}
# Process repeats (medians) at the target size for the cases cheap enough; 1 elsewhere.
REPEATS = {"numba-cold": 3, "torch-cpu": 3, "brian2-numpy": 3, "brian2-cython": 3}
IMPLS = {  # key: label
    "numba-warm": "biomem numba, warm JIT", "numba-cold": "biomem numba, cold (JIT cache on disk)",
    "numba-cold-nocache": "biomem numba, cold (empty JIT cache)", "torch-cpu": "biomem torch, CPU",
    "torch-cuda": "biomem torch, CUDA", "brian2": "biomem brian2 (runtime, numpy)",
    "brian2-standalone": "biomem brian2-standalone", "brian2-numpy": "Brian2 numpy (anchor)",
    "brian2-cython": "Brian2 cython (anchor)", "brian2-cpp_standalone": "Brian2 cpp_standalone (anchor)",
    "nest-pynn": "NEST via PyNN (anchor)", "snntorch": "snnTorch loop (anchor)",
}
TARGETS = [  # name, numerator (impl, wall, CPU), denominator, comparison, target
    ("numba warm sim / Brian2 cpp_standalone sim", ("numba-warm", "sim_s", "cpu_sim_s"),
     ("brian2-cpp_standalone", "sim_s", "cpu_sim_s"), "<=", 1.2),
    ("Brian2 cpp_standalone total / numba cold total", ("brian2-cpp_standalone", "total_s", "total_cpu_s"),
     ("numba-cold", "total_s", "total_cpu_s"), ">=", 10.0),
    ("Brian2 numpy sim / numba warm sim", ("brian2-numpy", "sim_s", "cpu_sim_s"),
     ("numba-warm", "sim_s", "cpu_sim_s"), ">=", 5.0),
]
NEST_BUILD_CAP_S = 30.0  # skip NEST where its connection set-up alone is expected to take longer


def _missing(*modules: str) -> str | None:
    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    return f"not installed: {', '.join(absent)}" if absent else None


def unavailable(impl: str, cuda: bool) -> str | None:
    """Why ``impl`` cannot run on this machine (None: it can)."""
    if impl.startswith("numba"):
        return _missing("numba")
    if impl.startswith("torch"):
        return _missing("torch", "snntorch") or (None if impl == "torch-cpu" or cuda else common.NO_GPU)
    if impl in ("brian2", "brian2-standalone", "brian2-numpy"):
        return _missing("brian2") or (None if impl != "brian2-standalone" or _compiler() else "no C++ compiler")
    if impl == "brian2-cython":
        return _missing("brian2", "Cython")
    if impl == "brian2-cpp_standalone":
        return _missing("brian2") or (None if _compiler() else "no C++ compiler")
    return _missing("pyNN", "nest") if impl == "nest-pynn" else _missing("torch", "snntorch")


def _compiler() -> bool:
    return bool(shutil.which("g++") or shutil.which("c++"))


def command(impl: str, model: str, n: int, duration: float, repeats: int, split: bool) -> list[str]:
    """The subprocess of one case: biomem cases through ``benchmarks.network_case``, anchors as scripts."""
    shared = ["--model", model, "--n", str(n), "--duration", str(duration), "--dt", "0.1", "--seed", "0"]
    if impl.startswith("brian2-") and impl != "brian2-standalone":
        return [sys.executable, str(ANCHORS / "brian2_network.py"), "--target", impl.split("-", 1)[1], *shared]
    if impl in ("nest-pynn", "snntorch"):
        return [sys.executable, str(ANCHORS / ("nest_pynn.py" if impl == "nest-pynn" else "snntorch_loop.py")),
                *shared]
    case = "numba-cold" if impl == "numba-cold-nocache" else impl
    return [sys.executable, "-m", "benchmarks.network_case", case, *shared, "--repeats", str(repeats),
            *(["--split"] if split else [])]


def _subprocess(cmd: list[str], env: dict, timeout: float) -> dict:
    began = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {done.returncode}: {tail[0][:300]}"}
    return {**json.loads(lines[-1]), "process_s": time.perf_counter() - began}


def _median_row(runs: list[dict]) -> dict:
    """Medians of the numeric fields over process repeats; lists concatenated; the rest from the first."""
    row = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
            row[key] = statistics.median(values) if values else None
        elif isinstance(value, list):
            row[key] = [x for r in runs for x in r.get(key, [])]
    row["process_s_all"] = [r["process_s"] for r in runs]
    row["runs"] = len(runs)
    return row


def plan(quick: bool, limits: dict, models=MODELS, sizes=None) -> list[dict]:
    """The cases in running order, with a ``skip`` reason where one is known before running."""
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    cases = []
    for model in models:
        for n, duration in sizes:
            target = (model, n) == TARGET_CASE or quick and model == TARGET_CASE[0]
            for impl in IMPLS:
                case = {"impl": impl, "model": model, "n": n, "duration_ms": duration,
                        "repeats": 1 if quick or n != 4000 else REPEATS.get(impl, 1), "split": target}
                if quick and impl in QUICK_SKIP:
                    case["skip"] = QUICK_SKIP[impl]
                elif quick and model == "cuba" and impl not in QUICK_CUBA:
                    case["skip"] = "quick mode: on CUBA only " + ", ".join(QUICK_CUBA) + " (CI budget)"
                if impl == "numba-cold-nocache" and not quick and n != 4000:
                    case["skip"] = "run at N = 4000 only: compilation does not depend on N"
                if impl == "snntorch" and not quick:
                    # A dense matrix-vector product per step reads all N^2 float32 weights.
                    case["duration_ms"] = {1000: 200.0, 4000: 100.0}.get(n, duration)
                    per_step = 4.0 * n * n / limits["bandwidth"]
                    if n >= 16000:
                        case["skip"] = (f"skipped: dense weights of {4 * n * n / 2 ** 30:.1f} GiB, read every step:"
                                        f" >= {per_step * 1e3:.0f} ms per step at the measured memory bandwidth,"
                                        f" >= {per_step * 1e4:.0f} s per simulated second")
                cases.append(case)
    return cases


def _nest_skip(rows: list[dict], case: dict) -> str | None:
    """NEST's connection set-up through PyNN grows with the synapses (N^2): extrapolate from N = 4000."""
    done = [r for r in rows if r.get("impl") == "nest-pynn" and r.get("model") == case["model"]
            and r.get("n") == 4000 and r.get("build_s")]
    if case["impl"] != "nest-pynn" or case["n"] <= 4000 or not done:
        return None
    factor, took = (case["n"] / 4000) ** 2, done[0]["build_s"]
    if took * factor > NEST_BUILD_CAP_S:
        return (f"skipped: PyNN's connection set-up took {took:.1f} s at N = 4000; {factor:.0f}x the synapses:"
                f" ~{took * factor:.0f} s per run, over this suite's {NEST_BUILD_CAP_S:.0f} s cap")
    return None


def run(quick: bool = False, timeout: float | None = None, models=MODELS, sizes=None) -> list[dict]:
    """Run every case (see the module docstring); rows for the report, JSON-serialisable.
    ``models`` and ``sizes`` ((N, ms) pairs) narrow the run, e.g. to try one case."""
    from benchmarks.anchors.params import mismatches

    timeout = timeout or (300.0 if quick else 600.0)
    measured = common.limits()  # the orchestrator's, measured once for every case
    rows = [{"kind": "limits", **measured},
            {"kind": "mismatches", "problems": [p for m in MODELS for p in mismatches(m)], "quick": quick}]
    cuda = common.gpu_name() is not None
    empty_cache = tempfile.mkdtemp(prefix="biomem_numba_cache_")
    try:
        for case in plan(quick, measured, models, sizes):
            head = {"kind": "case", "quick": quick, **{k: case[k] for k in ("impl", "model", "n", "duration_ms")}}
            why = case.get("skip") or unavailable(case["impl"], cuda) or _nest_skip(rows, case)
            print(f"  {case['model'].upper()} N={case['n']} {IMPLS[case['impl']]} ...", end="", flush=True)
            if why:
                print(f" {why}")
                rows.append({**head, "skipped": why})
                continue
            env = {"NUMBA_CACHE_DIR": empty_cache} if case["impl"] == "numba-cold-nocache" else {}
            cmd = command(case["impl"], case["model"], case["n"], case["duration_ms"],
                          1 if quick else 2 if case["n"] > 4000 else 3, case["split"] and case["impl"] == "numba-warm")
            runs = []
            for _ in range(case["repeats"]):
                shutil.rmtree(empty_cache, ignore_errors=True)  # empty again for every nocache process
                os.makedirs(empty_cache, exist_ok=True)
                result = _subprocess(cmd, env, timeout)
                if "error" in result:
                    runs = [result]
                    break
                runs.append(result)
            row = {**head, "error": runs[0]["error"]} if "error" in runs[0] else {**_median_row(runs), **head}
            print(f" {row['error']}" if "error" in row else
                  f" sim {row['sim_s']:.3f} s, build {row['build_s']:.2f} s, process {row['process_s']:.1f} s"
                  f" ({row['runs']} run{'s' * (row['runs'] > 1)}), {row['rate_hz']:.1f} Hz")
            rows.append(row)
    finally:
        shutil.rmtree(empty_cache, ignore_errors=True)
    return rows


def targets(rows: list[dict]) -> list[dict]:
    """The three targets on COBA at the target size (in quick mode: the one size), each on wall-clock
    and on CPU time: ``name, value, comparison, target, verdict``."""
    cases = [r for r in rows if r.get("kind") == "case" and r["model"] == TARGET_CASE[0] and "sim_s" in r]
    sizes = {r["n"] for r in cases}
    n = TARGET_CASE[1] if TARGET_CASE[1] in sizes or not sizes else max(sizes)
    by_impl = {r["impl"]: r for r in cases if r["n"] == n}
    out = []
    for name, (num_impl, num_wall, num_cpu), (den_impl, den_wall, den_cpu), comparison, target in TARGETS:
        num, den = by_impl.get(num_impl), by_impl.get(den_impl)
        for clock, a, b in (("wall-clock", num_wall, den_wall), ("CPU time", num_cpu, den_cpu)):
            value = num[a] / den[b] if num and den and num.get(a) is not None and den.get(b) else None
            out.append(common.target(f"COBA N={n}: {name} ({clock})", value, comparison, target))
    return out


def section(rows: list[dict], figures: Path) -> list[str]:
    """Markdown lines of the report section; writes the scaling plot into ``figures``."""
    from benchmarks.network_report import section as _section

    return _section(rows, figures, targets(rows))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.network", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one small size, short runs, every implementation once")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    parser.add_argument("--figures", type=Path, default=None, help="folder for the plot (default: none kept)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=MODELS)
    parser.add_argument("--sizes", nargs="+", type=int, default=None, help="only these N (full durations)")
    args = parser.parse_args(argv)
    sizes = None
    if args.sizes:
        known = dict(QUICK_SIZES if args.quick else SIZES)
        sizes = tuple((n, known.get(n, 1000.0)) for n in args.sizes)
    started = time.perf_counter()
    rows = run(args.quick, models=tuple(args.models), sizes=sizes)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    with tempfile.TemporaryDirectory(prefix="biomem-network-") as scratch:
        print("\n".join(["", *section(rows, args.figures or Path(scratch))]))
    print(f"\n{time.perf_counter() - started:.0f} s in all" + (f"; plot in {args.figures}" if args.figures else ""))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
