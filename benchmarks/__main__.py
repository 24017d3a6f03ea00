"""``python -m benchmarks [--quick] [--only CASE ...] [--out docs/benchmarks.md]``: the benchmark suite.

Runs every case (:data:`CASES`, one module each under ``benchmarks/``) in its own subprocess,
``python -m benchmarks.<case> [--quick] --json ROWS``, so that no case's imports, JIT compilation
or caches warm another and a crash or timeout in one case is reported, not fatal. The machine
limits are measured once first and handed to every case (``$BIOMEM_BENCH_LIMITS``). Then each
case's ``section(rows, figures)`` and ``targets(rows)`` build the report (:mod:`benchmarks.report`),
written to ``--out`` (default ``docs/benchmarks.md``) with the PNGs in ``figures/benchmarks/``
beside it.

``--quick`` runs every case at tiny sizes with one repeat (< 2 min on CI) and judges nothing about
speed; without ``--out`` it writes to a temporary folder, never to ``docs/benchmarks.md``.

Budget of the full run on an idle 2-core machine: < 20 min in all, network ~12 min, the other
cases ~6 min together (each states its own in its docstring).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ("network", "ca3", "hebbian", "kuramoto", "export", "batched")


def run_case(case: str, quick: bool, folder: Path, timeout: float, env: dict) -> dict:
    """Run one case in a subprocess, echoing its progress; its rows, or why there are none."""
    result = {"case": case, "rows": [], "status": "ok", "error": None, "tail": []}
    if not (ROOT / "benchmarks" / f"{case}.py").is_file():
        return {**result, "status": "missing", "error": f"benchmarks/{case}.py does not exist", "seconds": 0.0}
    rows_file = folder / f"{case}.json"
    command = [sys.executable, "-m", f"benchmarks.{case}", "--json", str(rows_file)] + (["--quick"] if quick else [])
    started = time.perf_counter()
    # Its own session: on a timeout the whole process group (the case's own subprocesses too) is killed.
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    lines: list[str] = []

    def echo():
        for line in process.stdout:
            lines.append(line.rstrip())
            if not line.startswith("{"):  # rows are printed as JSON lines: the report shows them
                print(f"  [{case}] {line.rstrip()}", flush=True)

    reader = threading.Thread(target=echo, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
        code = None
    reader.join(timeout=5)
    result["seconds"] = time.perf_counter() - started
    result["tail"] = [line for line in lines if not line.startswith("{")][-15:]
    if code is None:
        return {**result, "status": "timed out", "error": f"no result after {timeout:.0f} s"}
    if not rows_file.is_file():
        return {**result, "status": "crashed", "error": f"exit code {code}, no rows"}
    result["rows"] = json.loads(rows_file.read_text())
    if code != 0:  # rows written, yet the case says something failed: its section shows what
        result.update(status="partial", error=f"exit code {code}")
    return result


def build_sections(runs: list[dict], figures: Path) -> tuple[dict, list[dict]]:
    """Each measured case's Markdown section and targets; a case whose section fails is marked failed."""
    import importlib

    sections, targets = {}, []
    for run in runs:
        if not run["rows"]:
            continue
        try:
            module = importlib.import_module(f"benchmarks.{run['case']}")
            sections[run["case"]] = module.section(run["rows"], figures)
            targets += [{"case": run["case"], **t} for t in module.targets(run["rows"])]
        except Exception as error:  # a report bug in one case must not lose the others
            run.update(status="report failed", error=f"{type(error).__name__}: {error}")
    return sections, targets


def main(argv=None) -> int:
    """Run the cases, write the report; exit code 1 when a case did not produce its section."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: proves the harness (< 2 min)")
    parser.add_argument("--only", nargs="+", choices=CASES, metavar="CASE", help=f"run only these: {', '.join(CASES)}")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown report (default docs/benchmarks.md; with --quick a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write every case's rows and targets as JSON")
    parser.add_argument("--timeout", type=float, default=None, help="per case, s (default 1500, quick 600)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from benchmarks import common, report

    out = args.out or (Path(tempfile.mkdtemp(prefix="biomem-bench-")) / "benchmarks.md" if args.quick
                       else ROOT / "docs" / "benchmarks.md")
    figures = out.parent / "figures" / "benchmarks"
    figures.mkdir(parents=True, exist_ok=True)
    timeout = args.timeout or (600.0 if args.quick else 1500.0)
    cases = [case for case in CASES if not args.only or case in args.only]
    started, load_before = time.perf_counter(), report.load()
    info = report.machine()
    print(f"benchmarks{' (quick)' if args.quick else ''}: {', '.join(cases)} on {info['cpu']}"
          f" (load {load_before}); report -> {out}", flush=True)
    with tempfile.TemporaryDirectory(prefix="biomem-bench-rows-") as folder:
        limits = common.measure_limits(args.quick)
        print(f"machine limits: {limits['bandwidth'] / 1e9:.1f} GB/s, {limits['flops'] / 1e9:.1f} GFLOP/s,"
              f" {limits['exp'] / 1e6:.0f} M exp/s", flush=True)
        limits_file = Path(folder) / "limits.json"
        limits_file.write_text(json.dumps(limits))
        env = {**os.environ, common.LIMITS_ENV: str(limits_file), "MPLBACKEND": "Agg",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        runs = []
        for index, case in enumerate(cases, 1):
            print(f"[{index}/{len(cases)}] {case} ...", flush=True)
            runs.append(run_case(case, args.quick, Path(folder), timeout, env))
            run = runs[-1]
            print(f"[{index}/{len(cases)}] {case}: {run['status']} in {run['seconds']:.1f} s, {len(run['rows'])} rows"
                  + (f" ({run['error']})" if run["error"] else ""), flush=True)
    sections, targets = build_sections(runs, figures)
    elapsed = time.perf_counter() - started
    command = "python -m benchmarks" + (" --quick" if args.quick else "") + (
        f" --only {' '.join(args.only)}" if args.only else "")
    text = report.assemble(quick=args.quick, command=command, elapsed=elapsed, info=info, load_before=load_before,
                           load_after=report.load(), limits=limits, runs=runs, sections=sections, targets=targets)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": info, "limits": limits, "runs": runs, "targets": targets},
                                        indent=1, default=float))
    print("\n" + "\n".join(report.targets_table(targets)) + "\n\n" + "\n".join(report.runs_table(runs)))
    print(f"\nwrote {out} ({elapsed:.0f} s)")
    return 0 if all(run["status"] == "ok" for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
