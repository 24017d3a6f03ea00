"""Anchor: the COBA benchmark written directly in Brian2, with no biomem code involved.

Hand-written Brian2 equations for the network that ``biomem.models.benchmarks.coba_network``
describes (Brette et al. 2007, benchmark 1, with the parameters of PyNN's VAbenchmarks.py):
4000 IF_cond_exp neurons (80 % excitatory), four E/I projections with connection
probability 0.02 and no autapses, conductance jumps of 4 nS (E) and 51 nS (I), and a kick
of 20 Poisson sources at 100 Hz for the first 50 ms (p = 0.01, 100 nS). The constants are
written out here on purpose; ``benchmarks.coba`` checks them against the biomem model.

To simulate exactly what the biomem engines simulate, three details of their step
semantics are mirrored:

- ``exponential_euler`` holds the conductances constant over a step and solves the membrane
  in closed form, as the engines do;
- biomem's delay of one step is Brian2's delay 0 (a spike changes the target's conductance
  in the ``synapses`` slot, after the state update, so it acts from the next step on);
- biomem adds ``w (tau_syn/dt)(1 - exp(-dt/tau_syn))`` per arriving spike (the mean of the
  exponential over its first step, as sPyNNaker does), so the jumps here are scaled alike.

Run: ``python benchmarks/anchors/brian2_coba.py --target numpy|cpp_standalone [--n 4000]
[--duration 1000] [--dt 0.1] [--seed 0] [--repeats 3]``; prints one JSON line with the timings (s):

- ``construct_s``: objects and connectivity;
- ``build_s``: construction and code generation, and for cpp_standalone compilation;
- ``sim_s``: Brian2's own wall-clock time for the simulation loop (``_last_run_time``); for
  cpp_standalone measured by the compiled binary, which is run ``--repeats`` times (median);
- ``cpu_sim_s``: CPU time of the simulation (numpy: of the run minus its code generation;
  cpp_standalone: of the binary, loading and saving arrays included), robust to a loaded machine;
- ``run_binary_s``: cpp_standalone, the whole binary including loading and saving arrays;
- ``total_s`` / ``total_cpu_s``: from the start of the script (imports included) to the first
  result, wall-clock / CPU time (compiler processes included).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

# Units of the biomem description: ms, mV, nF, uS, Hz.
PARAMETERS = {
    "exc_fraction": 0.8,
    "p_connect": 0.02,
    "cm": 0.2, "tau_m": 20.0, "v_rest": -60.0, "v_reset": -60.0, "v_thresh": -50.0, "tau_refrac": 5.0,
    "e_rev_E": 0.0, "e_rev_I": -80.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0, "i_offset": 0.0,
    "w_exc": 0.004, "w_inh": 0.051,
    "v_init_low": -60.0, "v_init_high": -50.0,
    "stim_sources": 20, "stim_rate": 100.0, "stim_duration": 50.0, "stim_p": 0.01, "stim_weight": 0.1,
}


def step_scale(tau: float, dt: float) -> float:
    """biomem's per-spike factor: the mean of a unit exponential over its first step."""
    return tau / dt * (1.0 - math.exp(-dt / tau))


def run(target: str, n_neurons: int = 4000, duration: float = 1000.0, dt: float = 0.1, seed: int = 0,
        directory: str | None = None, repeats: int = 3) -> dict:
    import brian2 as b2
    from brian2 import Hz, ms, mV, nF, uS

    imported = time.perf_counter()
    P = PARAMETERS
    standalone = target == "cpp_standalone"
    cleanup = None
    if standalone:
        if directory is None:
            directory = cleanup = tempfile.mkdtemp(prefix="brian2_coba_")
        b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
    else:
        b2.prefs.codegen.target = target
    b2.defaultclock.dt = dt * ms
    b2.seed(seed)

    n_exc = int(round(n_neurons * P["exc_fraction"]))
    namespace = {
        "C_m": P["cm"] * nF, "g_L": P["cm"] / P["tau_m"] * uS, "E_L": P["v_rest"] * mV,
        "E_e": P["e_rev_E"] * mV, "E_i": P["e_rev_I"] * mV, "tau_e": P["tau_syn_E"] * ms,
        "tau_i": P["tau_syn_I"] * ms, "V_t": P["v_thresh"] * mV, "V_r": P["v_reset"] * mV,
        "w_e": P["w_exc"] * step_scale(P["tau_syn_E"], dt) * uS,
        "w_i": P["w_inh"] * step_scale(P["tau_syn_I"], dt) * uS,
        "w_stim": P["stim_weight"] * step_scale(P["tau_syn_E"], dt) * uS,
        "stim_rate": P["stim_rate"] * Hz, "stim_end": P["stim_duration"] * ms, "N_E": n_exc,
        "v_low": P["v_init_low"] * mV, "v_high": P["v_init_high"] * mV,
    }
    equations = """
    dv/dt = (g_L * (E_L - v) + g_e * (E_e - v) + g_i * (E_i - v)) / C_m : volt (unless refractory)
    dg_e/dt = -g_e / tau_e : siemens
    dg_i/dt = -g_i / tau_i : siemens
    """
    neurons = b2.NeuronGroup(n_neurons, equations, threshold="v >= V_t", reset="v = V_r",
                             refractory=P["tau_refrac"] * ms, method="exponential_euler", namespace=namespace)
    neurons.v = "v_low + rand() * (v_high - v_low)"
    # One group per sign, as in Brian2's examples. biomem's "no self-connections" leaves out the
    # pairs with equal local indices in each E/I projection: the autapse and, for E->I and I->E,
    # the partner neuron; with j global, those are j == i and j == i + N_E (pre local index i).
    excitatory = b2.Synapses(neurons[:n_exc], neurons, on_pre="g_e_post += w_e", namespace=namespace)
    excitatory.connect(condition="j != i and j != i + N_E", p=P["p_connect"])
    inhibitory = b2.Synapses(neurons[n_exc:], neurons, on_pre="g_i_post += w_i", namespace=namespace)
    # Pre local index i of the inhibitory group is global N_E + i: its autapse is j == N_E + i,
    # its partner in the excitatory group j == i.
    inhibitory.connect(condition="j != i + N_E and j != i", p=P["p_connect"])
    stim = b2.PoissonGroup(P["stim_sources"], rates="stim_rate * int(t < stim_end)", namespace=namespace)
    kick = b2.Synapses(stim, neurons, on_pre="g_e_post += w_stim", namespace=namespace)
    kick.connect(p=P["stim_p"])
    monitor = b2.SpikeMonitor(neurons)
    network = b2.Network(neurons, excitatory, inhibitory, stim, kick, monitor)
    constructed = time.perf_counter()

    if standalone:
        network.run(duration * ms, namespace=namespace)  # only records the run into the project
        b2.device.build(directory=directory, compile=True, run=False, with_output=False)
        built = time.perf_counter()
        sims, cpus, binaries = [], [], []
        for _ in range(max(repeats, 1)):
            children = _children_cpu()
            began = time.perf_counter()
            b2.device.run(directory, None, False, None)
            binaries.append(time.perf_counter() - began)
            cpus.append(_children_cpu() - children)
            sims.append(float(b2.device._last_run_time))
            if len(sims) == 1:
                first_done, first_cpu = time.perf_counter(), time.process_time() + _children_cpu()
        sim, cpu_sim, run_binary = statistics.median(sims), statistics.median(cpus), statistics.median(binaries)
        build = built - imported
        total = first_done - STARTED
        total_cpu = first_cpu
    else:
        # A zero-length run generates the code; the timed run then regenerates it, so its code
        # generation cost (measured here) is subtracted from its CPU time.
        cpu = time.process_time()
        network.run(0 * ms, namespace=namespace)
        codegen_cpu = time.process_time() - cpu
        codegen = time.perf_counter() - constructed
        cpu = time.process_time()
        network.run(duration * ms, namespace=namespace)
        cpu_sim = max(time.process_time() - cpu - codegen_cpu, 0.0)
        sim = float(b2.device._last_run_time)
        sims, run_binary = [sim], None
        build = constructed - imported + codegen
        # The timed run generated the code a second time; count code generation once.
        total = time.perf_counter() - STARTED - codegen
        total_cpu = time.process_time() - codegen_cpu
    n_spikes = int(monitor.num_spikes)
    n_synapses = int(len(excitatory) + len(inhibitory))
    if cleanup:
        b2.device.reinit()
        b2.device.activate()
        shutil.rmtree(cleanup, ignore_errors=True)
    return {
        "case": f"brian2 {target} (anchor)", "target": target, "n_neurons": n_neurons, "duration_ms": duration,
        "dt_ms": dt, "seed": seed, "import_s": imported - STARTED, "construct_s": constructed - imported,
        "build_s": build, "sim_s": sim, "sim_s_all": sims, "cpu_sim_s": cpu_sim, "run_binary_s": run_binary,
        "total_s": total, "total_cpu_s": total_cpu, "n_spikes": n_spikes,
        "rate_hz": n_spikes / n_neurons / (duration / 1000.0), "n_synapses": n_synapses,
    }


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (compiler, the standalone binary)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=("numpy", "cython", "cpp_standalone"), default="numpy")
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--directory", default=None, help="cpp_standalone project folder (default: temporary)")
    parser.add_argument("--repeats", type=int, default=3, help="cpp_standalone: runs of the compiled binary (median)")
    args = parser.parse_args(argv)
    result = run(args.target, args.n, args.duration, args.dt, args.seed, args.directory, args.repeats)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
