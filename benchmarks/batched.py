"""Batched throughput: trials per second of one small network, B trials at once on torch.

The network: 80 ``IF_curr_exp`` neurons (64 excitatory, 16 inhibitory, p = 0.1) driven by
20 Poisson sources at 50 Hz, 100 ms at dt = 0.1 ms. Trials differ in their initial membrane
potentials. The anchor is the Numba engine running the same trials one after another.

``python -m benchmarks.batched [--quick]``; :func:`run` returns the table rows.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from biomem import backends
from biomem.description import (FixedProbabilityConnector, IF_curr_exp, Network, Population, Projection,
                                SpikeSourcePoisson, Uniform, lower)


def small_network() -> Network:
    """The benchmark's network (see the module docstring)."""
    net = Network("batched_small")
    cell = IF_curr_exp(cm=0.25, tau_m=10.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=5.0,
                       v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0)
    drive = net.add(Population("drive", 20, SpikeSourcePoisson(rate=50.0)))
    exc = net.add(Population("exc", 64, cell, initial_v=Uniform(-65.0, -50.0)))
    inh = net.add(Population("inh", 16, cell, initial_v=Uniform(-65.0, -50.0)))
    connect = FixedProbabilityConnector(0.1)
    for post in (exc, inh):
        net.add(Projection(drive, post, FixedProbabilityConnector(0.5), "excitatory", 1.0, 0.1,
                           label=f"drive_{post.label}"))
        net.add(Projection(exc, post, connect, "excitatory", 0.3, 0.5, label=f"exc_{post.label}"))
        net.add(Projection(inh, post, connect, "inhibitory", 0.6, 0.5, label=f"inh_{post.label}"))
    return net


def _initial_voltages(network, trials: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = np.repeat(network.v_init[None, :], trials, axis=0)
    cells = ~network.is_source
    v[:, cells] = rng.uniform(-65.0, -50.0, (trials, int(cells.sum())))
    return v


def run(quick: bool = False, device: str = "cpu") -> list[dict]:
    """Trials per second for B = 1, 64 and 1024 on torch, and for sequential Numba runs."""
    network = lower(small_network(), 20.0 if quick else 100.0, 0.1, seed=1)
    sizes = (1, 8) if quick else (1, 64, 1024)
    rows = []
    numba = backends.get("numba")
    numba.run(network)  # compile outside the timing
    count = 4 if quick else 64
    voltages = _initial_voltages(network, count, seed=2)
    started = time.perf_counter()
    for trial in range(count):
        network.v_init = voltages[trial]
        numba.run(network)
    elapsed = time.perf_counter() - started
    rows.append({"backend": "numba (sequential)", "device": "cpu", "B": 1, "trials_per_s": count / elapsed})
    if backends.missing_packages("torch"):
        rows.append({"backend": "torch", "device": device, "B": None, "trials_per_s": None,
                     "note": "torch not installed"})
        return rows
    torch_backend = backends.get("torch", device=device)
    for size in sizes:
        voltages = _initial_voltages(network, size, seed=3)
        torch_backend.run_trials(network, v_init=voltages[: min(size, 2)])  # warm-up
        started = time.perf_counter()
        torch_backend.run_trials(network, v_init=voltages)
        elapsed = time.perf_counter() - started
        rows.append({"backend": "torch", "device": device, "B": size, "trials_per_s": size / elapsed})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    print(f"{'backend':<20} {'device':<6} {'B':>5} {'trials/s':>10}")
    for row in run(args.quick, args.device):
        rate = "-" if row["trials_per_s"] is None else f"{row['trials_per_s']:.1f}"
        print(f"{row['backend']:<20} {row['device']:<6} {str(row['B']):>5} {rate:>10}")


if __name__ == "__main__":
    main()
