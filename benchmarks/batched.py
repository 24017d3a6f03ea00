"""Batched throughput: trials per second of one small network, B trials at once on torch.

The network: 80 ``IF_curr_exp`` neurons (64 excitatory, 16 inhibitory, p = 0.1) driven by
20 Poisson sources at 50 Hz, 100 ms at dt = 0.1 ms (quick: 20 ms). Trials differ in their initial
membrane potentials. The anchor is the Numba engine running the same trials one after another.
B = 1, 64, 1024 on the CPU (quick: 1, 8), and on a GPU when there is one; each batch size runs
once untimed, then the median of 3 timed runs (quick: 1).

Budget: ~30 s full on an idle 2-core machine, ~4 s quick.

    python -m benchmarks.batched [--quick] [--json OUT]
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np

from benchmarks import common

FLOPS_PER_NEURON_STEP = 12  # membrane and two current-based synapses, closed-form decay factors


def small_network():
    """The benchmark's network (see the module docstring)."""
    from biomem.description import (FixedProbabilityConnector, IF_curr_exp, Network, Population, Projection,
                                    SpikeSourcePoisson, Uniform)

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


def _torch_rows(network, sizes, device: str, label: str, repeats: int) -> list[dict]:
    from biomem import backends

    engine = backends.get("torch", device=device)
    rows = []
    for size in sizes:
        voltages = _initial_voltages(network, size, seed=3)
        engine.run_trials(network, v_init=voltages[: min(size, 2)])  # warm-up
        seconds = statistics.median(common.timed(engine.run_trials, network, v_init=voltages)[1]
                                    for _ in range(repeats))
        rows.append({"case": "run", "backend": "torch", "device": label, "B": size, "trials_per_s": size / seconds})
    return rows


def run(quick: bool) -> list[dict]:
    """Trials per second: sequential Numba, torch batches on the CPU, and on a GPU when there is one."""
    from biomem import backends
    from biomem.description import lower

    network = lower(small_network(), 20.0 if quick else 100.0, 0.1, seed=1)
    repeats = 1 if quick else 3
    rows = [{"case": "limits", **common.limits(), "neurons": int((~network.is_source).sum()),
             "steps": int(network.n_steps)}]
    numba = backends.get("numba")
    numba.run(network)  # compile outside the timing
    count = 4 if quick else 64
    voltages = _initial_voltages(network, count, seed=2)

    def sequential():
        for trial in range(count):
            network.v_init = voltages[trial]
            numba.run(network)

    seconds = statistics.median(common.timed(sequential)[1] for _ in range(repeats))
    rows.append({"case": "run", "backend": "numba (sequential)", "device": "cpu", "B": 1,
                 "trials_per_s": count / seconds})
    if backends.missing_packages("torch"):
        return rows + [{"case": "run", "backend": "torch", "device": "cpu", "skipped": "torch not installed"}]
    print("batched torch cpu", flush=True)
    rows += _torch_rows(network, (1, 8) if quick else (1, 64, 1024), "cpu", "cpu", repeats)
    gpu = common.gpu_name()
    if gpu is None:
        return rows + [{"case": "run", "backend": "torch", "device": "cuda", "skipped": common.NO_GPU}]
    print("batched torch cuda", flush=True)
    return rows + _torch_rows(network, (1, 64) if quick else (1, 64, 1024, 8192), "cuda", gpu, repeats)


def section(rows: list[dict], figures: Path) -> list[str]:
    """Markdown: trials per second per backend and batch size, and the limit estimate."""
    limit = next(r for r in rows if r["case"] == "limits")
    bound = limit["flops"] / (limit["steps"] * limit["neurons"] * FLOPS_PER_NEURON_STEP)
    measured = [r for r in rows if r["case"] == "run" and "skipped" not in r]
    table = [[r["backend"], r["device"], r["B"], r["trials_per_s"], bound / r["trials_per_s"]] for r in measured]
    skipped = [f"- {r['backend']} ({r['device']}): {r['skipped']}" for r in rows if "skipped" in r]
    return [
        "## Batched trials of a small network",
        "",
        "B trials of one small network at once on torch, against the Numba engine running them one after another"
        " (`python -m benchmarks.batched`; network in its docstring). *from bound*: how many times slower than"
        " the bound below.",
        "",
        *common.table(["backend", "device", "B", "trials/s", "from bound"], table),
        "",
        *skipped,
        "",
        *common.limits_lines(limit),
        f"Physical-limit estimate: a trial is {limit['steps']} steps x {limit['neurons']} neurons x"
        f" ~{FLOPS_PER_NEURON_STEP} flops (membrane, two synaptic currents), all in cache, so at peak FLOP/s"
        f" one core could do at most {common.fmt(bound)} trials/s (synaptic events left out: an optimistic bound)."
        " A batch adds no work per trial; it amortises the per-step fixed cost over B trials.",
        "",
    ]


def targets(rows: list[dict]) -> list[dict]:
    """No speed target for the batched case."""
    return []


def main(argv=None) -> list[dict]:
    """``python -m benchmarks.batched [--quick] [--json OUT]``."""
    return common.main(run, __doc__, argv)


if __name__ == "__main__":
    main()
