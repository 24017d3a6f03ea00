"""One COBA benchmark case in this process: ``python -m benchmarks.coba CASE [--n N] [--duration MS]``.

Prints one JSON line with the timings (s) and the activity. Cases:

- ``numba-cold``: one run in this (fresh) process: imports, network construction, lowering,
  Numba's compilation or cache load and the simulation all count;
- ``numba-warm``: one run to compile, then ``--repeats`` timed runs; the median is reported;
- ``brian2``, ``brian2-standalone``, ``torch``: one run on that biomem backend.

``build_s`` is everything before the simulation loop (construction, lowering, the backend's
preparation, code generation and compilation where there is any), ``sim_s`` the backend's
own time for the loop (``RawRun.sim_s``). The Numba backend compiles (or loads from its
on-disk cache) before the loop and counts that as build time; ``jit_s`` estimates it as the
difference to a second, warm run made afterwards in the same process. ``cpu_run_s`` is the CPU
time of the backend's whole run (``cpu_sim_s`` for the warm case, where preparation takes a
few ms) and ``total_cpu_s`` the CPU time of the cold process: both are robust to a loaded machine.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402

CASES = ("numba-cold", "numba-warm", "brian2", "brian2-standalone", "torch")
NEURON_POPULATIONS = ("exc", "inh")


def build_network(n_neurons: int, dt: float):
    from biomem.models.benchmarks import coba_network

    return coba_network(n_neurons, dt=dt)


def _activity(result, n_neurons: int, duration: float) -> dict:
    n_spikes = sum(int(result.spike_steps(label)[0].size) for label in NEURON_POPULATIONS)
    return {"n_spikes": n_spikes, "rate_hz": n_spikes / n_neurons / (duration / 1000.0),
            "n_synapses": int(sum(p.stop - p.start for p in result.network.projections
                                  if p.pre in NEURON_POPULATIONS))}


def _one_run(backend: str, n_neurons: int, duration: float, dt: float, seed: int, **options) -> dict:
    """Construction + lowering + backend run, with the time split as far as it can be seen from outside."""
    from biomem import backends
    from biomem.description import lower

    began = time.perf_counter()
    network = build_network(n_neurons, dt)
    constructed = time.perf_counter()
    lowered = lower(network, duration, dt, seed)
    lowered_at = time.perf_counter()
    engine = backends.get(backend, **options)
    cpu = time.process_time()
    raw = engine.run(lowered)
    cpu_run = time.process_time() - cpu
    finished = time.perf_counter()
    from biomem.results import SimulationResult

    result = SimulationResult(lowered, raw, backend)
    return {
        "construct_s": constructed - began, "lower_s": lowered_at - constructed,
        "backend_build_s": raw.build_s, "sim_s": raw.sim_s,
        "build_s": (finished - began) - raw.sim_s, "run_s": finished - began, "cpu_run_s": cpu_run,
        **_activity(result, n_neurons, duration),
    }


def run_case(case: str, n_neurons: int, duration: float, dt: float, seed: int, repeats: int) -> dict:
    if case not in CASES:
        raise SystemExit(f"case: unknown {case!r} (accepted: {', '.join(CASES)})")
    import biomem  # noqa: F401  (counted in import_s)

    imported = time.perf_counter()
    info = {"case": case, "n_neurons": n_neurons, "duration_ms": duration, "dt_ms": dt, "seed": seed,
            "import_s": imported - STARTED}
    if case == "numba-cold":
        first = _one_run("numba", n_neurons, duration, dt, seed)
        info.update(first)
        info["total_s"] = time.perf_counter() - STARTED
        info["total_cpu_s"] = time.process_time()
        second = _one_run("numba", n_neurons, duration, dt, seed)
        info["jit_s"] = max(first["sim_s"] - second["sim_s"], 0.0) + max(
            first["backend_build_s"] - second["backend_build_s"], 0.0)
        info["warm_sim_s"] = second["sim_s"]
        return info
    if case == "numba-warm":
        _one_run("numba", n_neurons, duration, dt, seed)
        runs = [_one_run("numba", n_neurons, duration, dt, seed) for _ in range(max(repeats, 1))]
        for key in ("construct_s", "lower_s", "backend_build_s", "sim_s", "build_s", "run_s", "cpu_run_s"):
            info[key] = statistics.median(r[key] for r in runs)
        # CPU time of the backend's run: the kernel plus its few ms of preparation (warm: no JIT).
        info["cpu_sim_s"] = info["cpu_run_s"]
        info["sim_s_all"] = [r["sim_s"] for r in runs]
        info.update(kernel_split(n_neurons, duration, dt, seed))
        info["repeats"] = len(runs)
        info["total_s"] = info["run_s"]
        info.update({k: runs[0][k] for k in ("n_spikes", "rate_hz", "n_synapses")})
        return info
    info.update(_one_run(case, n_neurons, duration, dt, seed))
    info["total_s"] = time.perf_counter() - STARTED
    return info


def kernel_split(n_neurons: int, duration: float, dt: float, seed: int, repeats: int = 3) -> dict:
    """Where the Numba kernel's time goes, in CPU time (min of ``repeats``): the same network once
    as is and once with the thresholds lifted (no neuron fires, so the membrane updates remain and the
    spike handling -- propagation, ring buffers, plasticity, output -- goes)."""
    import copy

    import numpy as np

    from biomem import backends
    from biomem.description import lower

    lowered = lower(build_network(n_neurons, dt), duration, dt, seed)
    silent = copy.copy(lowered)
    silent.v_thresh = np.full_like(lowered.v_thresh, np.inf)
    engine = backends.get("numba")
    times = {}
    for name, network in (("kernel_cpu_s", lowered), ("neuron_update_cpu_s", silent)):
        samples = []
        for _ in range(repeats):
            cpu = time.process_time()
            raw = engine.run(network)
            samples.append(time.process_time() - cpu - raw.build_s)
        times[name] = min(samples)
    times["spike_handling_cpu_s"] = max(times["kernel_cpu_s"] - times["neuron_update_cpu_s"], 0.0)
    return times


def anchor_mismatches(n_neurons: int = 4000, dt: float = 0.1) -> list[str]:
    """Differences between the anchor's hand-written constants and ``coba_network``'s description."""
    from benchmarks.anchors.brian2_coba import PARAMETERS as P
    from biomem.description import SpikeSourcePoisson

    network = build_network(n_neurons, dt)
    problems = []

    def expect(what, actual, wanted):
        if isinstance(wanted, float) or isinstance(actual, float):
            same = abs(float(actual) - float(wanted)) <= 1e-12 * max(1.0, abs(float(wanted)))
        else:
            same = actual == wanted
        if not same:
            problems.append(f"{what}: biomem {actual!r}, anchor {wanted!r}")

    exc, inh = network.population("exc"), network.population("inh")
    expect("excitatory size", exc.size, int(round(n_neurons * P["exc_fraction"])))
    expect("inhibitory size", inh.size, n_neurons - int(round(n_neurons * P["exc_fraction"])))
    for population in (exc, inh):
        for name, value in population.cell.parameters().items():
            expect(f"{population.label}.{name}", value, P[name])
        expect(f"{population.label}.initial_v", (population.initial_v.low, population.initial_v.high),
               (P["v_init_low"], P["v_init_high"]))
    stim = [p for p in network.populations if isinstance(p.cell, SpikeSourcePoisson)]
    expect("stimulus sources", sum(p.size for p in stim), P["stim_sources"])
    for population in stim:
        expect("stimulus rate", population.cell.rate, P["stim_rate"])
        expect("stimulus duration", population.cell.duration, P["stim_duration"])
        expect("stimulus start", population.cell.start, 0.0)
    for projection in network.projections:
        label = projection.label
        expect(f"{label}.delay (steps)", round(projection.delay / dt), 1)
        connector = projection.connector
        if projection.pre.label in NEURON_POPULATIONS:
            expect(f"{label}.p_connect", connector.p_connect, P["p_connect"])
            expect(f"{label}.allow_self_connections", connector.allow_self_connections, False)
            excitatory = projection.pre.label == "exc"
            expect(f"{label}.receptor", projection.receptor, "excitatory" if excitatory else "inhibitory")
            expect(f"{label}.weight", float(projection.weight), P["w_exc"] if excitatory else P["w_inh"])
        else:
            expect(f"{label}.p_connect", connector.p_connect, P["stim_p"])
            expect(f"{label}.allow_self_connections", connector.allow_self_connections, True)
            expect(f"{label}.receptor", projection.receptor, "excitatory")
            expect(f"{label}.weight", float(projection.weight), P["stim_weight"])
        if projection.plasticity is not None:
            problems.append(f"{label}: plastic in biomem, static in the anchor")
    expected_projections = {f"{a}_{b}" for a in NEURON_POPULATIONS for b in NEURON_POPULATIONS}
    found = {f"{p.pre.label}_{p.post.label}" for p in network.projections if p.pre.label in NEURON_POPULATIONS}
    if found != expected_projections:
        problems.append(f"recurrent projections {sorted(found)}, anchor has {sorted(expected_projections)}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run one COBA benchmark case and print a JSON line.")
    parser.add_argument("case", choices=CASES)
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of numba-warm")
    args = parser.parse_args(argv)
    print(json.dumps(run_case(args.case, args.n, args.duration, args.dt, args.seed, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
