"""Anchor: the COBA and CUBA benchmarks written directly in Brian2, no biomem code involved.

Hand-written Brian2 equations for the networks of ``biomem.models.benchmarks`` (constants in
``params.py``). Three details of biomem's step semantics are mirrored so that all of them
simulate the same thing:

- ``exponential_euler`` holds the synaptic variables constant over a step and solves the
  membrane in closed form, as the engines do;
- biomem's delay of one step is Brian2's delay 0 (a spike changes the target's synaptic
  variable in the ``synapses`` slot, after the state update, so it acts from the next step on);
- biomem adds ``w (tau_syn/dt)(1 - exp(-dt/tau_syn))`` per arriving spike, so the jumps here
  are scaled alike.

``python benchmarks/anchors/brian2_network.py --model coba|cuba --target numpy|cython|cpp_standalone
[--n 4000] [--duration 1000] [--dt 0.1] [--seed 0] [--repeats 3]`` prints one JSON line (times in s):
``build_s`` (construction, code generation, Cython or C++ compilation), ``sim_s`` (Brian2's own
time for the loop, ``_last_run_time``; cpp_standalone: measured in the binary, run ``--repeats``
times, median), ``cpu_sim_s`` (numpy/cython: CPU time of the run minus its code generation;
cpp_standalone: the binary's CPU time, array I/O included), ``total_s`` / ``total_cpu_s`` (from
the start of the script, imports included, to the first result; compiler processes included).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

try:
    from benchmarks.anchors.params import MODELS, n_excitatory, parser, step_scale
except ImportError:  # run as a script: this folder is on sys.path
    from params import MODELS, n_excitatory, parser, step_scale

EQUATIONS = {
    "coba": """
    dv/dt = (g_L * (E_L - v) + g_e * (E_e - v) + g_i * (E_i - v)) / C_m : volt (unless refractory)
    dg_e/dt = -g_e / tau_e : siemens
    dg_i/dt = -g_i / tau_i : siemens
    """,
    "cuba": """
    dv/dt = (E_L - v) / tau_m + (g_e - g_i) / C_m : volt (unless refractory)
    dg_e/dt = -g_e / tau_e : amp
    dg_i/dt = -g_i / tau_i : amp
    """,
}


def _children_cpu() -> float:
    """CPU seconds of finished child processes (compiler, the standalone binary)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cython_cache_files() -> int:
    from brian2.codegen.runtime.cython_rt.extension_manager import get_cython_cache_dir

    folder = get_cython_cache_dir()
    return len(os.listdir(folder)) if os.path.isdir(folder) else 0


def build(b2, model: str, n_neurons: int, dt: float):
    """The network objects and the namespace; the caller picks the device before."""
    from brian2 import Hz, ms, mV, nA, nF, uS

    P = MODELS[model]
    unit = uS if model == "coba" else nA  # conductance or current jumps
    n_exc = n_excitatory(n_neurons, P)
    namespace = {
        "C_m": P["cm"] * nF, "g_L": P["cm"] / P["tau_m"] * uS, "tau_m": P["tau_m"] * ms, "E_L": P["v_rest"] * mV,
        "tau_e": P["tau_syn_E"] * ms, "tau_i": P["tau_syn_I"] * ms, "V_t": P["v_thresh"] * mV,
        "V_r": P["v_reset"] * mV, "N_E": n_exc, "v_low": P["v_init_low"] * mV, "v_high": P["v_init_high"] * mV,
        "w_e": P["w_exc"] * step_scale(P["tau_syn_E"], dt) * unit,
        "w_i": P["w_inh"] * step_scale(P["tau_syn_I"], dt) * unit,
    }
    if model == "coba":
        namespace.update({"E_e": P["e_rev_E"] * mV, "E_i": P["e_rev_I"] * mV, "stim_rate": P["stim_rate"] * Hz,
                          "stim_end": P["stim_duration"] * ms,
                          "w_stim": P["stim_weight"] * step_scale(P["tau_syn_E"], dt) * unit})
    neurons = b2.NeuronGroup(n_neurons, EQUATIONS[model], threshold="v >= V_t", reset="v = V_r",
                             refractory=P["tau_refrac"] * ms, method="exponential_euler", namespace=namespace)
    neurons.v = "v_low + rand() * (v_high - v_low)"
    # biomem's "no self-connections" leaves out the pairs with equal local indices in each E/I
    # projection: the autapse and, for E->I and I->E, the partner neuron. With j global and i the
    # local index in the presynaptic group, those are j == i and j == i + N_E for both signs.
    excitatory = b2.Synapses(neurons[:n_exc], neurons, on_pre="g_e_post += w_e", namespace=namespace)
    excitatory.connect(condition="j != i and j != i + N_E", p=P["p_connect"])
    inhibitory = b2.Synapses(neurons[n_exc:], neurons, on_pre="g_i_post += w_i", namespace=namespace)
    inhibitory.connect(condition="j != i + N_E and j != i", p=P["p_connect"])
    objects = [neurons, excitatory, inhibitory]
    if P["stim_sources"]:
        stim = b2.PoissonGroup(P["stim_sources"], rates="stim_rate * int(t < stim_end)", namespace=namespace)
        kick = b2.Synapses(stim, neurons, on_pre="g_e_post += w_stim", namespace=namespace)
        kick.connect(p=P["stim_p"])
        objects += [stim, kick]
    monitor = b2.SpikeMonitor(neurons)
    return b2.Network(*objects, monitor), monitor, namespace, (excitatory, inhibitory)


def run(model: str, target: str, n_neurons: int = 4000, duration: float = 1000.0, dt: float = 0.1, seed: int = 0,
        repeats: int = 3) -> dict:
    """Build and simulate once (cpp_standalone: run the binary ``repeats`` times); the timings."""
    import brian2 as b2
    from brian2 import ms

    imported = time.perf_counter()
    standalone = target == "cpp_standalone"
    directory = tempfile.mkdtemp(prefix="brian2_anchor_") if standalone else None
    if standalone:
        b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
    else:
        b2.prefs.codegen.target = target
    b2.defaultclock.dt = dt * ms
    b2.seed(seed)
    cache_before = _cython_cache_files() if target == "cython" else 0
    network, monitor, namespace, synapses = build(b2, model, n_neurons, dt)
    constructed = time.perf_counter()
    extra = {}
    if standalone:
        network.run(duration * ms, namespace=namespace)  # only records the run into the project
        b2.device.build(directory=directory, compile=True, run=False, with_output=False)
        built = time.perf_counter()
        sims, cpus = [], []
        for _ in range(max(repeats, 1)):
            children = _children_cpu()
            b2.device.run(directory, None, False, None)
            cpus.append(_children_cpu() - children)
            sims.append(float(b2.device._last_run_time))
            if len(sims) == 1:
                total, total_cpu = time.perf_counter() - STARTED, time.process_time() + _children_cpu()
        sim, cpu_sim, build_s = statistics.median(sims), statistics.median(cpus), built - imported
    else:
        # A zero-length run generates (and for Cython compiles) the code. The timed run generates it
        # again (Cython: from the cache), so a second zero-length run measures that and its CPU time is
        # subtracted from the timed run's.
        network.run(0 * ms, namespace=namespace)
        codegen = time.perf_counter() - constructed
        cpu, began = time.process_time(), time.perf_counter()
        network.run(0 * ms, namespace=namespace)
        codegen_cpu, regenerate = time.process_time() - cpu, time.perf_counter() - began
        cpu = time.process_time()
        network.run(duration * ms, namespace=namespace)
        cpu_sim = max(time.process_time() - cpu - codegen_cpu, 0.0)
        sim = float(b2.device._last_run_time)
        sims, build_s = [sim], constructed - imported + codegen
        total = time.perf_counter() - STARTED - regenerate  # the measuring run left out
        total_cpu = time.process_time() + _children_cpu() - codegen_cpu
        if target == "cython":
            extra["compiled_extensions"] = max(_cython_cache_files() - cache_before, 0)
    n_spikes = int(monitor.num_spikes)
    n_synapses = int(sum(len(s) for s in synapses))
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
    return {
        "impl": f"brian2-{target}", "model": model, "n": n_neurons, "duration_ms": duration, "dt_ms": dt,
        "seed": seed, "import_s": imported - STARTED, "construct_s": constructed - imported, "build_s": build_s,
        "sim_s": sim, "sim_s_all": sims, "cpu_sim_s": cpu_sim, "total_s": total, "total_cpu_s": total_cpu,
        "n_spikes": n_spikes, "rate_hz": n_spikes / n_neurons / (duration / 1000.0), "n_synapses": n_synapses,
        **extra,
    }


def main(argv=None) -> int:
    command = parser(__doc__.split("\n\n")[0])
    command.add_argument("--target", choices=("numpy", "cython", "cpp_standalone"), default="numpy")
    command.add_argument("--repeats", type=int, default=3, help="cpp_standalone: runs of the compiled binary (median)")
    args = command.parse_args(argv)
    print(json.dumps(run(args.model, args.target, args.n, args.duration, args.dt, args.seed, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
