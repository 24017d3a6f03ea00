"""Anchor: the COBA and CUBA benchmarks in PyNN on NEST (``pyNN.nest``), no biomem code involved.

The same networks as ``params.py`` describes, written as a PyNN user would: IF_cond_exp /
IF_curr_exp populations (NEST's ``iaf_cond_exp`` / ``iaf_psc_exp``), FixedProbabilityConnector
with NEST's native RNG (so the connections are drawn inside NEST, ``pairwise_bernoulli``),
delay ``dt``, one NEST thread (the other loops are single-threaded too).

What differs from biomem, by design of NEST: ``iaf_cond_exp`` is integrated by GSL's adaptive
Runge-Kutta-Fehlberg solver, ``iaf_psc_exp`` exactly (the currents decay within the step); a
spike adds its full weight (no ``(tau/dt)(1 - exp(-dt/tau))`` step mean); the random numbers
differ. Spike counts agree in distribution, not spike for spike.

``python benchmarks/anchors/nest_pynn.py --model coba|cuba [--n 4000] [--duration 1000] [--dt 0.1]
[--seed 0]`` prints one JSON line (times in s): ``build_s`` (setup, populations, connections),
``sim_s`` / ``cpu_sim_s`` (``sim.run``, wall / CPU), ``total_s`` / ``total_cpu_s`` (from the start
of the script, imports included, to the result).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

try:
    from benchmarks.anchors.params import MODELS, n_excitatory, parser
except ImportError:  # run as a script: this folder is on sys.path
    from params import MODELS, n_excitatory, parser


def run(model: str, n_neurons: int = 4000, duration: float = 1000.0, dt: float = 0.1, seed: int = 0) -> dict:
    """Build and simulate once; the timings and the activity."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyNN.nest as sim
        from pyNN.random import NumpyRNG, RandomDistribution
    imported = time.perf_counter()
    P = MODELS[model]
    sim.setup(timestep=dt, min_delay=dt, threads=1, rng_seed=seed + 1, verbosity="error")
    rng = sim.NativeRNG(seed=seed + 1)
    cell_type = sim.IF_cond_exp if model == "coba" else sim.IF_curr_exp
    keys = ("cm", "tau_m", "v_rest", "v_reset", "v_thresh", "tau_refrac", "tau_syn_E", "tau_syn_I", "i_offset")
    keys += ("e_rev_E", "e_rev_I") if model == "coba" else ()
    cell = cell_type(**{key: P[key] for key in keys})
    n_exc = n_excitatory(n_neurons, P)
    exc = sim.Population(n_exc, cell, label="exc")
    inh = sim.Population(n_neurons - n_exc, cell, label="inh")
    neurons = exc + inh
    # pyNN.nest draws initial values with a NumPy RNG only (NativeRNG is for the connectors).
    v_init = RandomDistribution("uniform", (P["v_init_low"], P["v_init_high"]), rng=NumpyRNG(seed=seed))
    neurons.initialize(v=v_init)
    connector = sim.FixedProbabilityConnector(P["p_connect"], allow_self_connections=False, rng=rng)
    projections = []
    # PyNN's convention: inhibitory weights are negative for current-based synapses only.
    w_inh = P["w_inh"] if model == "coba" else -P["w_inh"]
    for pre, receptor, weight in ((exc, "excitatory", P["w_exc"]), (inh, "inhibitory", w_inh)):
        for post in (exc, inh):
            projections.append(sim.Projection(pre, post, connector, sim.StaticSynapse(weight=weight, delay=dt),
                                              receptor_type=receptor))
    if P["stim_sources"]:
        stim = sim.Population(P["stim_sources"], sim.SpikeSourcePoisson(
            rate=P["stim_rate"], start=0.0, duration=P["stim_duration"]), label="stim")
        kick = sim.FixedProbabilityConnector(P["stim_p"], rng=rng)
        sim.Projection(stim, neurons, kick, sim.StaticSynapse(weight=P["stim_weight"], delay=dt),
                       receptor_type="excitatory")
    neurons.record("spikes")
    built = time.perf_counter()
    cpu = time.process_time()
    sim.run(duration)
    cpu_sim, sim_s = time.process_time() - cpu, time.perf_counter() - built
    n_spikes = int(sum(neurons.get_spike_counts().values()))
    total, total_cpu = time.perf_counter() - STARTED, time.process_time()
    n_synapses = int(sum(p.size() for p in projections))
    sim.end()
    return {
        "impl": "nest-pynn", "model": model, "n": n_neurons, "duration_ms": duration, "dt_ms": dt, "seed": seed,
        "import_s": imported - STARTED, "build_s": built - imported, "sim_s": sim_s, "sim_s_all": [sim_s],
        "cpu_sim_s": cpu_sim, "total_s": total, "total_cpu_s": total_cpu, "n_spikes": n_spikes,
        "rate_hz": n_spikes / n_neurons / (duration / 1000.0), "n_synapses": n_synapses,
    }


def main(argv=None) -> int:
    args = parser(__doc__.split("\n\n")[0]).parse_args(argv)
    print(json.dumps(run(args.model, args.n, args.duration, args.dt, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
