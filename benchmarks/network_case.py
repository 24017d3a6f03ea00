"""One biomem network case in this (fresh) process; prints one JSON line.

``python -m benchmarks.network_case CASE --model coba|cuba [--n N] [--duration MS] [--dt] [--seed]
[--repeats R] [--split]``, CASE one of:

- ``numba-cold``: one run in this process: imports, construction, lowering, Numba's compilation
  (or its on-disk cache load; the caller picks ``NUMBA_CACHE_DIR``) and the simulation all count;
  ``jit_s`` estimates the compilation as the difference to a second run made afterwards;
- ``numba-warm``: one untimed run, then ``--repeats`` timed runs (medians); ``--split`` adds where
  the kernel's CPU time goes (:func:`kernel_split`);
- ``brian2``, ``brian2-standalone``, ``torch-cpu``, ``torch-cuda``: one run on that backend.

``build_s`` is everything before the simulation loop (construction, lowering, the backend's
preparation, code generation, compilation), ``sim_s`` the backend's own time for the loop
(``RawRun.sim_s``), ``total_s`` / ``total_cpu_s`` the time from the start of this script
(imports included) to the first result. ``cpu_sim_s`` (warm Numba only) is the CPU time of
the backend's run, a few ms of preparation included.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402

CASES = ("numba-cold", "numba-warm", "brian2", "brian2-standalone", "torch-cpu", "torch-cuda")
BACKENDS = {"brian2": ("brian2", {}), "brian2-standalone": ("brian2-standalone", {}),
            "torch-cpu": ("torch", {"device": "cpu"}), "torch-cuda": ("torch", {"device": "cuda"})}
NEURONS = ("exc", "inh")


def build_network(model: str, n_neurons: int, dt: float):
    """The biomem description of the benchmark ``model`` ("coba" or "cuba")."""
    from biomem.models.benchmarks import coba_network, cuba_network

    return (coba_network if model == "coba" else cuba_network)(n_neurons, dt=dt)


def _one_run(model, backend, n_neurons, duration, dt, seed, **options) -> dict:
    """Construction + lowering + backend run, with the time split as far as it is visible from outside."""
    from biomem import backends
    from biomem.description import lower
    from biomem.results import SimulationResult

    began = time.perf_counter()
    lowered = lower(build_network(model, n_neurons, dt), duration, dt, seed)
    lowered_at = time.perf_counter()
    engine = backends.get(backend, **options)
    cpu = time.process_time()
    raw = engine.run(lowered)
    cpu_run, finished = time.process_time() - cpu, time.perf_counter()
    result = SimulationResult(lowered, raw, backend)
    n_spikes = sum(int(result.spike_steps(label)[0].size) for label in NEURONS)
    return {
        "lower_s": lowered_at - began, "backend_build_s": raw.build_s, "sim_s": raw.sim_s,
        "build_s": (finished - began) - raw.sim_s, "run_s": finished - began, "cpu_run_s": cpu_run,
        "n_spikes": n_spikes, "rate_hz": n_spikes / n_neurons / (duration / 1000.0),
        "n_synapses": int(sum(p.stop - p.start for p in lowered.projections if p.pre in NEURONS)),
    }


def kernel_split(model, n_neurons, duration, dt, seed, repeats: int = 3) -> dict:
    """Where the Numba kernel's CPU time goes (min of ``repeats``): the network as is, and with the
    thresholds lifted (no neuron fires: the membrane updates remain, the spike handling goes)."""
    import copy

    import numpy as np

    from biomem import backends
    from biomem.description import lower

    lowered = lower(build_network(model, n_neurons, dt), duration, dt, seed)
    silent = copy.copy(lowered)
    silent.v_thresh = np.full_like(lowered.v_thresh, np.inf)
    engine, times = backends.get("numba"), {}
    for name, network in (("kernel_cpu_s", lowered), ("neuron_update_cpu_s", silent)):
        samples = []
        for _ in range(repeats):
            cpu = time.process_time()
            raw = engine.run(network)
            samples.append(time.process_time() - cpu - raw.build_s)
        times[name] = min(samples)
    times["spike_handling_cpu_s"] = max(times["kernel_cpu_s"] - times["neuron_update_cpu_s"], 0.0)
    return times


def run_case(case, model, n_neurons, duration, dt, seed, repeats=3, split=False) -> dict:
    """The JSON row of one case (see the module docstring)."""
    import biomem  # noqa: F401  (counted in import_s)

    imported = time.perf_counter()
    info = {"impl": case, "model": model, "n": n_neurons, "duration_ms": duration, "dt_ms": dt, "seed": seed,
            "import_s": imported - STARTED}
    if case == "numba-cold":
        first = _one_run(model, "numba", n_neurons, duration, dt, seed)
        info.update(first, total_s=time.perf_counter() - STARTED, total_cpu_s=time.process_time())
        second = _one_run(model, "numba", n_neurons, duration, dt, seed)
        info["jit_s"] = max(first["run_s"] - second["run_s"], 0.0)
        info["sim_s_all"] = [first["sim_s"]]
        return info
    if case == "numba-warm":
        _one_run(model, "numba", n_neurons, duration, dt, seed)
        runs = [_one_run(model, "numba", n_neurons, duration, dt, seed) for _ in range(max(repeats, 1))]
        for key in ("lower_s", "backend_build_s", "sim_s", "build_s", "run_s", "cpu_run_s"):
            info[key] = statistics.median(r[key] for r in runs)
        info.update({k: runs[0][k] for k in ("n_spikes", "rate_hz", "n_synapses")})
        info.update(cpu_sim_s=info["cpu_run_s"], sim_s_all=[r["sim_s"] for r in runs], total_s=info["run_s"])
        if split:
            info.update(kernel_split(model, n_neurons, duration, dt, seed))
        return info
    backend, options = BACKENDS[case]
    info.update(_one_run(model, backend, n_neurons, duration, dt, seed, **options))
    info.update(total_s=time.perf_counter() - STARTED, total_cpu_s=time.process_time(), sim_s_all=[info["sim_s"]])
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=CASES)
    parser.add_argument("--model", choices=("coba", "cuba"), default="coba")
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of numba-warm")
    parser.add_argument("--split", action="store_true", help="numba-warm: measure the kernel's time split")
    args = parser.parse_args(argv)
    print(json.dumps(run_case(args.case, args.model, args.n, args.duration, args.dt, args.seed, args.repeats,
                              args.split)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
