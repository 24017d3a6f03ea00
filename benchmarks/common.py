"""Helpers every benchmark case shares: timing, machine limits, GPU detection, tables, plots, the CLI.

Each case module (``benchmarks/<case>.py``) has the same interface, which the orchestrator
(:mod:`benchmarks.__main__`) relies on:

- ``run(quick) -> list[dict]``: JSON-serialisable rows, measured in the calling process;
- ``section(rows, figures) -> list[str]``: the case's Markdown section, its PNGs written into ``figures``;
- ``targets(rows) -> list[dict]``: ``name, value, comparison, target, verdict`` (empty where none);
- ``python -m benchmarks.<case> [--quick] [--json OUT]``: :func:`main` below.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

#: Environment variable naming a JSON file of machine limits measured once by the orchestrator,
#: so that the cases do not each measure them again (and all sections quote the same numbers).
LIMITS_ENV = "BIOMEM_BENCH_LIMITS"
NO_GPU = "not measured: no GPU on this machine"


def timed(function, *args, **kwargs):
    """``(value, wall seconds, CPU seconds of this process)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def median_time(function, repeats: int, warmup: bool = True) -> dict:
    """Median wall and CPU seconds of ``repeats`` calls, after one untimed call (JIT, caches)."""
    if warmup:
        function()
    walls, cpus = [], []
    for _ in range(max(1, repeats)):
        _, wall, cpu = timed(function)
        walls.append(wall)
        cpus.append(cpu)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "wall_all": walls,
            "repeats": len(walls)}


def limits() -> dict:
    """One core's limits (see :func:`measure_limits`), as measured once by the orchestrator.

    Read from the file named by ``$BIOMEM_BENCH_LIMITS``; a case run on its own measures them.
    """
    path = os.environ.get(LIMITS_ENV)
    if path and Path(path).is_file():
        return json.loads(Path(path).read_text())
    return measure_limits(quick=True)


def measure_limits(quick: bool = False) -> dict:
    """:func:`benchmarks.limits.measure` under the names the sections use.

    ``flops`` (peak flop/s from clock and SIMD width), ``exp`` (scalar exp/s), ``bandwidth`` (bytes/s
    from memory), ``bandwidth_cache`` (bytes/s from L2), ``cache`` (last-level cache bytes), ``cpu``.
    """
    from benchmarks import limits as machine

    measured = machine.measure(quick)
    caches = measured["cpu"].get("caches") or {}
    return {"flops": measured["peak_flops"] or 4 * 2 * 2 * 2e9,  # unknown clock: assume 2 GHz AVX2
            "exp": measured["exp_rate"], "bandwidth": measured["bandwidth_memory"],
            "bandwidth_cache": measured["bandwidth_cache"], "cache": max(caches.values(), default=4 << 20),
            "cpu": measured["cpu"], "source": "benchmarks/limits.py"}


def bandwidth_for(limit: dict, working_set: float) -> float:
    """Bytes/s for a loop streaming over ``working_set`` bytes: from cache while it fits the last level."""
    return limit["bandwidth_cache"] if working_set <= limit["cache"] else limit["bandwidth"]


def limits_lines(values: dict) -> list[str]:
    """One Markdown sentence quoting the limits the section's estimates are based on."""
    return [f"Machine limits (one core; {values['source']}): peak {values['flops'] / 1e9:.0f} GFLOP/s (clock x"
            f" SIMD width x 2 FMA pipes: an upper bound), {values['exp'] / 1e6:.0f} M scalar exp/s, memory bandwidth"
            f" {values['bandwidth'] / 1e9:.1f} GB/s ({values['bandwidth_cache'] / 1e9:.0f} GB/s within L2),"
            f" last-level cache {values['cache'] / 2 ** 20:.0f} MiB."]


def gpu_name() -> str | None:
    """The CUDA device's name when torch sees one, else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def verdict(value, comparison: str, target: float) -> str:
    """``hit``/``missed`` for ``value comparison target``; ``not measured`` without a value."""
    if value is None or value != value:  # None or NaN
        return "not measured"
    return "hit" if (value <= target if comparison == "<=" else value >= target) else "missed"


def target(name: str, value, comparison: str, goal: float) -> dict:
    """One row of the targets table."""
    return {"name": name, "value": value, "comparison": comparison, "target": goal,
            "verdict": verdict(value, comparison, goal)}


def fmt(value, digits: int = 3) -> str:
    """A number in ``digits`` significant digits, thousands and up with a k/M/G suffix; ``–`` for None/NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, int) and abs(value) < 100_000:
        return f"{value:,}"
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def table(headers: list[str], rows: list[list]) -> list[str]:
    """A Markdown table; numeric columns (None counts as a number: shown ``–``) right-aligned."""
    def numeric(value):
        return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))

    align = ["---:" if rows and all(numeric(row[i]) for row in rows) else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c) if numeric(c) else str(c) for c in row) + " |")
    return lines


def scaling_plot(path: Path, panels: list[dict]) -> Path:
    """Log-log panels side by side; each panel: ``title, xlabel, ylabel, series={label: (x, y)}``.

    A label starting with ``bound`` is drawn dashed: it is an estimate, not a measurement.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.0 * len(panels), 3.8), constrained_layout=True)
    FigureCanvasAgg(figure)
    for index, panel in enumerate(panels):
        axes = figure.add_subplot(1, len(panels), index + 1)
        for label, (x, y) in panel["series"].items():
            if len(x):
                axes.plot(x, y, "x--" if label.startswith("bound") else "o-", label=label)
        axes.set(xscale="log", yscale="log", title=panel["title"], xlabel=panel["xlabel"], ylabel=panel["ylabel"])
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path


def main(run, doc: str, argv=None) -> list[dict]:
    """``python -m benchmarks.<case> [--quick] [--json OUT]``: runs the case, prints its rows, saves them."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat: proves the harness works")
    parser.add_argument("--json", type=Path, default=None, help="write the rows to this JSON file")
    args = parser.parse_args(argv)
    rows = run(args.quick)
    for row in rows:
        print(json.dumps(row, default=float), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1, default=float))
    return rows
