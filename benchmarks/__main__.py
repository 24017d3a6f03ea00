"""``python -m benchmarks [--quick] [--out docs/benchmarks.md]``: the COBA benchmark.

Runs, each in a fresh subprocess so that no case warms up another (imports, JIT caches,
Brian2's device state):

1. biomem ``numba`` warm: one untimed run, then the median of ``--repeats`` runs;
2. biomem ``numba`` cold: a first run in a fresh process, Numba's on-disk cache as left by (1);
3. biomem ``numba`` cold without a JIT cache (``NUMBA_CACHE_DIR`` pointed at an empty folder);
4. biomem ``brian2``, ``brian2-standalone`` and ``torch``, when installed;
5. the anchors: ``benchmarks/anchors/brian2_coba.py`` on Brian2's numpy target and on cpp_standalone.

It prints the table and writes a Markdown report (by default ``docs/benchmarks.md``; with
``--quick`` only when ``--out`` is given). ``--quick`` runs every case on a small network for a
short time and checks nothing about speed: it proves the harness works.

Ratios (hit/missed against the targets):

- numba warm ``sim_s`` / cpp_standalone ``sim_s`` <= 1.2 (the compiled loop of the engine
  against Brian2's generated C++);
- cpp_standalone ``total_s`` / numba cold ``total_s`` >= 10 (time to a first result, from
  a fresh process);
- Brian2 numpy ``sim_s`` / numba warm ``sim_s`` >= 5.

Each ratio is judged twice: on wall-clock times and on CPU times. On an idle machine they
agree; on a shared one wall-clock times stretch with the load, and Brian2's cpp_standalone
binary (built without OpenMP) times its loop with ``std::clock()``, which is CPU time, so the
CPU-time ratio is then the like-for-like one. The load average is written into the report.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = ROOT / "benchmarks" / "anchors" / "brian2_coba.py"
FULL = {"n": 4000, "duration": 1000.0}
QUICK = {"n": 400, "duration": 100.0}
TARGETS = [
    # (key, label, numerator (case, wall field, CPU field), denominator, comparison, target)
    ("numba_vs_cpp_sim", "numba warm sim / Brian2 cpp_standalone sim", ("numba-warm", "sim_s", "cpu_sim_s"),
     ("anchor-cpp_standalone", "sim_s", "cpu_sim_s"), "<=", 1.2),
    ("cpp_total_vs_numba_cold", "Brian2 cpp_standalone total / numba cold total",
     ("anchor-cpp_standalone", "total_s", "total_cpu_s"), ("numba-cold", "total_s", "total_cpu_s"), ">=", 10.0),
    ("numpy_vs_numba_sim", "Brian2 numpy sim / numba warm sim", ("anchor-numpy", "sim_s", "cpu_sim_s"),
     ("numba-warm", "sim_s", "cpu_sim_s"), ">=", 5.0),
]
LABELS = {
    "numba-warm": "biomem numba, warm (median)",
    "numba-cold": "biomem numba, cold (fresh process, JIT cache on disk)",
    "numba-cold-nocache": "biomem numba, cold (fresh process, empty JIT cache)",
    "brian2": "biomem brian2 (runtime, numpy)",
    "brian2-standalone": "biomem brian2-standalone",
    "torch": "biomem torch (CPU)",
    "anchor-numpy": "Brian2 numpy (anchor)",
    "anchor-cpp_standalone": "Brian2 cpp_standalone (anchor)",
}


def backend_available(name: str) -> str | None:
    """None when the biomem backend can run here, else why not."""
    from biomem import backends

    missing = backends.missing_packages(name)
    if missing:
        return f"needs {', '.join(missing)}"
    module = backends._REGISTRY[name][0]
    if importlib.util.find_spec(module) is None:
        return f"{module} does not exist"
    try:
        backends.get(name)
    except Exception as error:  # reported in the table, the harness goes on
        return f"cannot load: {type(error).__name__}: {error}"
    return None


def run_subprocess(key: str, command: list[str], timeout: float, env: dict | None = None) -> dict:
    print(f"  {LABELS.get(key, key)} ...", end="", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        print(f" timed out after {timeout:.0f} s")
        return {"key": key, "error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        print(f" failed ({tail[0][:120]})")
        return {"key": key, "error": f"exit {done.returncode}: {tail[0][:300]}"}
    result = json.loads(lines[-1])
    result["key"] = key
    result["process_s"] = wall
    print(f" sim {result['sim_s']:.3f} s, total {result.get('total_s', wall):.2f} s, process {wall:.2f} s")
    return result


def run_all(n: int, duration: float, dt: float, seed: int, repeats: int, timeout: float) -> list[dict]:
    python = sys.executable
    common = ["--n", str(n), "--duration", str(duration), "--dt", str(dt), "--seed", str(seed)]
    results = []
    # Warm first: it also leaves Numba's cache on disk for the cold run, as after any first use.
    results.append(run_subprocess("numba-warm", [python, "-m", "benchmarks.coba", "numba-warm", *common,
                                                 "--repeats", str(repeats)], timeout))
    results.append(run_subprocess("numba-cold", [python, "-m", "benchmarks.coba", "numba-cold", *common], timeout))
    empty_cache = tempfile.mkdtemp(prefix="biomem_numba_cache_")
    try:
        results.append(run_subprocess("numba-cold-nocache", [python, "-m", "benchmarks.coba", "numba-cold", *common],
                                      timeout, env={"NUMBA_CACHE_DIR": empty_cache}))
    finally:
        shutil.rmtree(empty_cache, ignore_errors=True)
    for backend in ("brian2", "brian2-standalone", "torch"):
        why = backend_available(backend)
        if why:
            print(f"  {LABELS[backend]}: not run ({why})")
            results.append({"key": backend, "error": f"not run: {why}"})
            continue
        results.append(run_subprocess(backend, [python, "-m", "benchmarks.coba", backend, *common], timeout))
    if importlib.util.find_spec("brian2") is None:
        for target in ("numpy", "cpp_standalone"):
            results.append({"key": f"anchor-{target}", "error": "not run: brian2 is not installed"})
    else:
        for target in ("numpy", "cpp_standalone"):
            results.append(run_subprocess(f"anchor-{target}", [python, str(ANCHOR), "--target", target, *common],
                                          timeout))
    return results


def _verdict(value, comparison, target) -> str:
    if value is None:
        return "not measured"
    return "hit" if (value <= target if comparison == "<=" else value >= target) else "missed"


def ratios(results: list[dict]) -> list[dict]:
    """The target ratios on wall-clock times and on CPU times, each with its verdict."""
    by_key = {r["key"]: r for r in results if "error" not in r}
    rows = []
    for key, label, (num_case, num_wall, num_cpu), (den_case, den_wall, den_cpu), comparison, target in TARGETS:
        row = {"key": key, "label": label, "comparison": comparison, "target": target, "value": None,
               "cpu_value": None}
        num, den = by_key.get(num_case), by_key.get(den_case)
        if num and den and den.get(den_wall):
            row["value"] = num[num_wall] / den[den_wall]
        if num and den and num.get(num_cpu) is not None and den.get(den_cpu):
            row["cpu_value"] = num[num_cpu] / den[den_cpu]
        row["status"] = _verdict(row["value"], comparison, target)
        row["cpu_status"] = _verdict(row["cpu_value"], comparison, target)
        rows.append(row)
    return rows


def _first_line(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.splitlines()[0].strip()
    except Exception:
        return "unknown"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    versions = {}
    for package in ("numpy", "numba", "brian2", "torch", "snntorch", "scipy"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "not installed"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
    except OSError:
        pass
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "usable_cores": usable, "memory": memory,
            "os": platform.platform(), "python": platform.python_version(),
            "compiler": _first_line(["g++", "--version"]),
            "versions": versions}


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _fmt(value, digits=3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def table(results: list[dict]) -> list[str]:
    lines = ["| case | build (s) | sim (s) | total (s) | sim CPU (s) | total CPU (s) | spikes | rate (Hz) | notes |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        label = LABELS.get(r["key"], r["key"])
        if "error" in r:
            lines.append(f"| {label} | – | – | – | – | – | – | – | {r['error']} |")
            continue
        notes = []
        if r["key"] == "numba-warm":
            notes.append("median of " + ", ".join(f"{s:.3f}" for s in r["sim_s_all"]) + " s")
            notes.append(f"build = construct {r['construct_s']:.3f} + lower {r['lower_s']:.3f}"
                         f" + backend {r['backend_build_s']:.3f} s")
        if r["key"].startswith("numba-cold"):
            notes.append(f"import {r['import_s']:.2f} s; JIT {'compile' if 'nocache' in r['key'] else 'cache load'}"
                         f" ~{r['jit_s']:.2f} s (part of build); process {r['process_s']:.2f} s")
        if r["key"].startswith("anchor-"):
            notes.append(f"import {r['import_s']:.2f} s, construct {r['construct_s']:.2f} s")
            if r.get("run_binary_s") is not None:
                notes.append("median of " + ", ".join(f"{s:.3f}" for s in r["sim_s_all"]) + " s; binary"
                             f" {r['run_binary_s']:.2f} s incl. I/O; process {r['process_s']:.2f} s")
        if r["key"] in ("brian2", "brian2-standalone", "torch"):
            notes.append(f"import {r['import_s']:.2f} s; process {r['process_s']:.2f} s")
        total = r.get("total_s")
        lines.append(f"| {label} | {_fmt(r['build_s'])} | {_fmt(r['sim_s'])} | {_fmt(total)}"
                     f" | {_fmt(r.get('cpu_sim_s'))} | {_fmt(r.get('total_cpu_s'))} | {_fmt(r['n_spikes'])}"
                     f" | {_fmt(r['rate_hz'], 2)} | {'; '.join(notes)} |")
    return lines


def ratio_table(rows: list[dict]) -> list[str]:
    lines = ["| ratio | target | wall-clock | | CPU time | |", "|---|---:|---:|---|---:|---|"]
    for row in rows:
        value = "–" if row["value"] is None else f"{row['value']:.2f}"
        cpu = "–" if row["cpu_value"] is None else f"{row['cpu_value']:.2f}"
        lines.append(f"| {row['label']} | {row['comparison']} {row['target']:g} | {value} | **{row['status']}**"
                     f" | {cpu} | **{row['cpu_status']}** |")
    return lines


def split_lines(results: list[dict]) -> list[str]:
    """Where the warm Numba run spends its time."""
    warm = next((r for r in results if r["key"] == "numba-warm" and "error" not in r), None)
    if warm is None or "kernel_cpu_s" not in warm:
        return []
    kernel = warm["kernel_cpu_s"]
    whole = max(kernel, warm["neuron_update_cpu_s"])  # min-of-3 samples can cross on a tiny network
    share = (lambda x: f"{100 * x / whole:.0f} %") if whole else (lambda x: "–")
    return [
        "## Where the Numba time goes",
        "",
        f"Warm run, CPU time (min of 3): kernel {kernel:.3f} s = membrane updates"
        f" {warm['neuron_update_cpu_s']:.3f} s ({share(warm['neuron_update_cpu_s'])}, measured with the"
        f" thresholds lifted so that no neuron fires) + spike handling {warm['spike_handling_cpu_s']:.3f} s"
        f" ({share(warm['spike_handling_cpu_s'])}: propagation through the ring buffers, plasticity bookkeeping,"
        f" spike output). Outside the kernel (wall-clock, median): lowering {warm['lower_s']:.3f} s"
        f" (connectivity and Poisson draws), backend preparation {warm['backend_build_s']:.3f} s.",
        "",
    ]


def report(results, rows, info, settings, mismatches, load_before, load_after, elapsed) -> str:
    v = info["versions"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# COBA benchmark",
        "",
        f"Generated by `python -m benchmarks{' --quick' if settings['quick'] else ''}` on {now}"
        f" ({elapsed:.0f} s for the whole harness). Do not edit by hand: rerun to update.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}; {info['logical_cores']} logical cores, {info['usable_cores']} usable by this process;"
        f" memory {info['memory']}",
        f"- OS: {info['os']}; compiler: {info['compiler']}",
        f"- Python {info['python']}, numpy {v['numpy']}, numba {v['numba']}, brian2 {v['brian2']},"
        f" torch {v['torch']}, snntorch {v['snntorch']}, scipy {v['scipy']}",
        f"- load average (1/5/15 min) before: {load_before}; after: {load_after}."
        " The simulation loops are single-threaded (torch: its own intra-op threads), compilation runs"
        " `make -j`; with a load above the core count, wall-clock times stretch and the CPU-time columns"
        " are the better comparison.",
        "",
        "## Network",
        "",
        f"COBA (Brette et al. 2007, benchmark 1) as `biomem.models.benchmarks.coba_network`: {settings['n']}"
        " IF_cond_exp neurons (80 % excitatory), p = 0.02 per E/I projection without autapses, 4 nS / 51 nS"
        " conductance jumps, one-step delays, 20 Poisson sources at 100 Hz for the first 50 ms to start the activity;"
        f" {settings['duration']:g} ms at dt = {settings['dt']:g} ms, seed {settings['seed']}. The anchor"
        " `benchmarks/anchors/brian2_coba.py` writes the same network in Brian2 equations"
        " (`exponential_euler`, the same per-step synaptic scaling and delay semantics).",
        "",
        ("Anchor constants checked against the biomem description: identical." if not mismatches else
         "**Anchor constants differ from the biomem description:** " + "; ".join(mismatches) + "."),
        "",
        "## Results",
        "",
        *table(results),
        "",
        "- *build*: everything before the simulation loop — network construction, lowering (connectivity,"
        " Poisson draws), the backend's preparation, code generation and compilation.",
        "- *sim*: the backend's own time for the simulation loop (`RawRun.sim_s`; for Brian2, its"
        " `_last_run_time`, measured inside the compiled binary for cpp_standalone). The Numba backend"
        " compiles its kernel, or loads it from Numba's on-disk cache, before the loop: that is build time.",
        "- *total*: from the start of the process (interpreter start-up excluded, imports included) to the"
        " result; for the warm case, one in-process run (construction + lowering + run).",
        "- *sim CPU*: CPU time of the simulation where it can be isolated (warm Numba: the backend's run,"
        " a few ms of preparation included; Brian2 numpy: the run minus its code generation; cpp_standalone:"
        " the binary, loading and saving arrays included). *total CPU*: CPU time to the first result,"
        " compiler processes included. CPU times barely change when other processes share the machine;"
        " wall-clock times do.",
        "- *spikes*, *rate*: spikes of the network neurons (the Poisson sources excluded) and their mean rate.",
        "- Brian2's cpp_standalone binary, built without OpenMP, measures its loop with `std::clock()`: its *sim*"
        " is CPU time. On an idle machine wall-clock and CPU time agree; on a loaded one the CPU-time ratios"
        " are the like-for-like comparison.",
        "",
        "## Targets",
        "",
        *ratio_table(rows),
        "",
        *split_lines(results),
    ]
    if settings["quick"]:
        lines += ["*Quick run: a tiny network for a short time; the ratios say nothing about performance.*", ""]
    return "\n".join(lines)


def batched_section(quick: bool) -> list[str]:
    """Markdown for the batched-throughput case (benchmarks/batched.py), run in this process."""
    from benchmarks import batched

    print("batched throughput ...")
    lines = ["## Batched throughput", "",
             "B trials of one small network at once on torch, against the Numba engine running them one",
             "after another (`python -m benchmarks.batched`; network in its docstring).", "",
             "| backend | device | B | trials/s |", "|---|---|---:|---:|"]
    for row in batched.run(quick):
        rate = "–" if row["trials_per_s"] is None else f"{row['trials_per_s']:.1f}"
        lines.append(f"| {row['backend']} | {row['device']} | {row['B'] or '–'} | {rate} |")
    lines += ["", "No GPU was available on this machine: the CUDA rows were not measured."]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny network, short run, every case (< 2 min on an idle 2-core machine)")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown report (default docs/benchmarks.md; with --quick none unless given)")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results as JSON")
    parser.add_argument("--n", type=int, default=None, help="number of neurons (default 4000, quick 400)")
    parser.add_argument("--duration", type=float, default=None, help="ms (default 1000, quick 100)")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timed warm Numba runs (median)")
    parser.add_argument("--timeout", type=float, default=None, help="per case, s (default 900, quick 300)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    defaults = QUICK if args.quick else FULL
    settings = {"quick": args.quick, "n": args.n or defaults["n"], "duration": args.duration or defaults["duration"],
                "dt": args.dt, "seed": args.seed}
    timeout = args.timeout or (300.0 if args.quick else 900.0)
    out = args.out if args.out is not None else (None if args.quick else ROOT / "docs" / "benchmarks.md")

    from benchmarks.coba import anchor_mismatches

    mismatches = anchor_mismatches(settings["n"], settings["dt"])
    for problem in mismatches:
        print(f"warning: anchor differs from biomem: {problem}")
    info = machine()
    load_before = _load()
    print(f"COBA benchmark: {settings['n']} neurons, {settings['duration']:g} ms, dt {settings['dt']:g} ms"
          f" on {info['cpu']} (load {load_before})")
    started = time.perf_counter()
    results = run_all(settings["n"], settings["duration"], settings["dt"], settings["seed"], args.repeats, timeout)
    elapsed = time.perf_counter() - started
    rows = ratios(results)
    text = report(results, rows, info, settings, mismatches, load_before, _load(), elapsed)
    text += "\n\n" + "\n".join(batched_section(args.quick)) + "\n"
    print()
    print("\n".join(table(results)))
    print()
    print("\n".join(ratio_table(rows)))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"\nwrote {out}")
    if args.json is not None:
        args.json.write_text(json.dumps({"settings": settings, "machine": info, "results": results, "ratios": rows},
                                        indent=2))
    failed = [r["key"] for r in results if "error" in r and not r["error"].startswith("not run")]
    if failed:
        print(f"failed cases: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
