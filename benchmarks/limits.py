"""What this CPU can do at most, for physical-limit estimates of the benchmark cases.

:func:`measure` returns, in a second or two:

- ``cpu``: model, clock (``cpu MHz`` of /proc/cpuinfo: the nominal one in a VM), SIMD flags, cache sizes;
- ``peak_flops``: one core's double-precision peak estimated from the flags: clock x 2 FMA pipes
  x 2 flops x vector width (8 with AVX-512, 4 with AVX2, 2 otherwise). An upper bound: AMD's
  Zen 4 runs AVX-512 at half rate, and branchy per-neuron loops reach a fraction of it;
- ``bandwidth_cache`` / ``bandwidth_memory``: a STREAM-like triad ``a = b + s c`` compiled by Numba
  on a working set that fits in L2 (192 KiB) and one far beyond the last-level cache (384 MiB),
  best of several passes, bytes counted as STREAM does (3 x 8 per element);
- ``exp_rate``: scalar ``math.exp`` calls per second in a compiled loop over an in-cache array
  (a floating-point sum, which LLVM does not vectorise without fast-math: the per-call rate a
  scalar neuron loop sees).

All on one core: the simulation loops compared are single-threaded.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np


def cpu() -> dict:
    """Model, clock (GHz), SIMD width (doubles), cache sizes (bytes) from /proc and /sys."""
    info = {"model": "unknown", "ghz": None, "flags": [], "width": 2, "caches": {}}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "model name" and info["model"] == "unknown":
            info["model"] = value
        elif key == "cpu MHz" and info["ghz"] is None:
            info["ghz"] = float(value) / 1000.0
        elif key == "flags" and not info["flags"]:
            flags = set(value.split())
            info["flags"] = sorted(flags & {"sse4_2", "avx", "avx2", "fma", "avx512f"})
            info["width"] = 8 if "avx512f" in flags else 4 if "avx2" in flags else 2
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind = (index / "level").read_text().strip(), (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            info["caches"][f"L{level}"] = int(size.rstrip("KM")) * (1024 if size.endswith("K") else 1024 ** 2)
    info["cores"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return info


def _kernels():
    from numba import njit

    @njit(cache=False)
    def triad(a, b, c, s):
        for i in range(a.size):
            a[i] = b[i] + s * c[i]

    @njit(cache=False)
    def exp_sum(x, passes):
        total = 0.0
        for _ in range(passes):
            for i in range(x.size):
                total += math.exp(x[i])
        return total

    return triad, exp_sum


def _best(function, *args, seconds: float = 0.3, runs: int = 20) -> float:
    """Shortest of up to ``runs`` timings, stopping after about ``seconds``."""
    best, began = math.inf, time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
        if time.perf_counter() - began > seconds:
            break
    return best


def triad_bandwidth(triad, total_bytes: int, seconds: float = 0.3) -> float:
    """Triad bandwidth (bytes/s) on three float64 arrays of ``total_bytes`` together."""
    n = max(total_bytes // 24, 1024)
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    triad(a, b, c, 3.0)  # compile and touch the pages
    repeat = max(1, (1 << 22) // n)  # small arrays: many passes per timing, so the clock resolves them

    def passes():
        for _ in range(repeat):
            triad(a, b, c, 3.0)

    return 24.0 * n * repeat / _best(passes, seconds=seconds)


def measure(quick: bool = False) -> dict:
    """The estimates of the module docstring; ``quick`` times shorter (noisier, same keys)."""
    info = cpu()
    triad, exp_sum = _kernels()
    seconds = 0.1 if quick else 0.4
    x = np.linspace(-5.0, 0.0, 4096)
    exp_sum(x, 1)
    passes = 50 if quick else 200
    exp_rate = x.size * passes / _best(exp_sum, x, passes, seconds=seconds)
    peak = (info["ghz"] or 0.0) * 1e9 * 2 * 2 * info["width"]
    return {
        "cpu": info, "peak_flops": peak or None, "exp_rate": exp_rate,
        "bandwidth_cache": triad_bandwidth(triad, 192 * 1024, seconds),
        "bandwidth_memory": triad_bandwidth(triad, (64 if quick else 384) * 1024 ** 2, seconds),
    }


if __name__ == "__main__":
    result = measure()
    print(f"{result['cpu']['model']}, {result['cpu']['ghz']} GHz, {result['cpu']['flags']}, {result['cpu']['caches']}")
    print(f"peak {result['peak_flops'] / 1e9:.1f} GFLOP/s per core (estimate); exp {result['exp_rate'] / 1e6:.0f} M/s;"
          f" triad {result['bandwidth_cache'] / 1e9:.1f} GB/s in L2, {result['bandwidth_memory'] / 1e9:.1f} GB/s DRAM")
