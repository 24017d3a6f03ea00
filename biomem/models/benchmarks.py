"""The Vogels-Abbott benchmark networks of Brette et al. (2007), built from the description.

Both are sparse random networks of 80 % excitatory and 20 % inhibitory leaky
integrate-and-fire neurons, every pair of neurons (no autapses) being connected with
probability ``p_connect`` in each of the four E/I projections, with a synaptic delay of
one time step.

- COBA (benchmark 1): conductance-based synapses (``IF_cond_exp``), parameters of PyNN's
  ``VAbenchmarks.py``. The network is silent at rest (v_rest is 10 mV below threshold), so
  activity is started as there: 20 Poisson sources at 100 Hz for the first 50 ms, each
  connected to every neuron with probability 0.01 and weight 0.1 uS. What follows the
  kick is self-sustained.
- CUBA (benchmark 2): current-based synapses (``IF_curr_exp``), Brian2's ``CUBA`` example
  translated to PyNN units. Its resting potential (-49 mV) lies above threshold (-50 mV),
  so every neuron is a pacemaker and no external drive is needed; a voltage jump ``dV``
  becomes the current weight ``w = dV cm / tau_m``.

Units: ms, mV, nF, uS (COBA weights), nA (CUBA weights), Hz.

``run_coba`` / ``run_cuba`` (``biomem run coba|cuba``) report, over the excitatory and inhibitory
neurons (the starting sources left out): ``n_neurons``, ``n_spikes``, ``mean_rate_hz``,
``rate_exc_hz``, ``rate_inh_hz``, ``late_rate_hz`` (after the kick), ``last_spike_ms``,
``cv_isi_mean`` (mean CV of the inter-spike intervals of neurons with at least three spikes;
``n_cv_neurons`` of them), ``n_synapses`` and ``connection_fraction`` (recurrent synapses and their
share of all ordered pairs), ``build_s`` and ``sim_s``; all spikes go to spikes.json, and a raster
with the population rate and a histogram of rates and CVs to PNG files.
"""

from __future__ import annotations

import time

import numpy as np

from biomem.description import (FixedProbabilityConnector, IF_cond_exp, IF_curr_exp, Network, Population,
                                Projection, SpikeSourcePoisson, Uniform)
from biomem.description import validate as check
from biomem.models.context import RunContext, RunOutput
from biomem.plotting import cv_isi

EXC_FRACTION = 0.8

COBA_CELL = dict(cm=0.2, tau_m=20.0, v_rest=-60.0, v_reset=-60.0, v_thresh=-50.0, tau_refrac=5.0,
                 e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=5.0, tau_syn_I=10.0, i_offset=0.0)
CUBA_CELL = dict(cm=0.2, tau_m=20.0, v_rest=-49.0, v_reset=-60.0, v_thresh=-50.0, tau_refrac=5.0,
                 tau_syn_E=5.0, tau_syn_I=10.0, i_offset=0.0)
INITIAL_V = Uniform(-60.0, -50.0)

# The kick that starts COBA (PyNN VAbenchmarks.py): sources, rate, duration, probability, weight.
STIM_SOURCES, STIM_RATE, STIM_DURATION, STIM_P, STIM_WEIGHT = 20, 100.0, 50.0, 0.01, 0.1


def cuba_weight(dv: float, cm: float = CUBA_CELL["cm"], tau_m: float = CUBA_CELL["tau_m"]) -> float:
    """Current jump (nA) that moves the membrane by ``dv`` mV when integrated as Brian2's CUBA does:
    in ``tau_m dv/dt = ... + g``, ``g`` in mV enters as ``I/cm * tau_m``, so ``I = dv cm / tau_m``."""
    return dv * cm / tau_m


def _split(n_neurons: int) -> tuple[int, int]:
    n_exc = int(round(n_neurons * EXC_FRACTION))
    return n_exc, n_neurons - n_exc


def _recurrent(net: Network, exc: Population, inh: Population, p_connect: float, w_exc: float, w_inh: float,
               delay: float) -> None:
    connector = FixedProbabilityConnector(p_connect, allow_self_connections=False)
    for pre, receptor, weight in ((exc, "excitatory", w_exc), (inh, "inhibitory", w_inh)):
        for post in (exc, inh):
            net.add(Projection(pre, post, connector, receptor=receptor, weight=weight, delay=delay,
                               label=f"{pre.label}_to_{post.label}"))


def coba_network(n_neurons: int = 4000, p_connect: float = 0.02, *, w_exc: float = 0.004, w_inh: float = 0.051,
                 dt: float = 0.1, stimulus: bool = True, stim_rate: float = STIM_RATE,
                 stim_duration: float = STIM_DURATION) -> Network:
    """Benchmark 1 (COBA): ``n_neurons`` IF_cond_exp neurons, weights in uS, delay ``dt`` ms.

    With ``stimulus`` a population ``stim`` of 20 Poisson sources fires at ``stim_rate`` Hz for the
    first ``stim_duration`` ms to start the activity (see the module docstring).
    """
    n_neurons = check.integer("n_neurons", n_neurons, low=10)
    check.real("p_connect", p_connect, low=0.0, high=1.0)
    check.non_negative("w_exc", w_exc)
    check.non_negative("w_inh", w_inh)
    check.positive("dt", dt)
    n_exc, n_inh = _split(n_neurons)
    net = Network("coba")
    cell = IF_cond_exp(**COBA_CELL)
    exc = net.add(Population("exc", n_exc, cell, initial_v=INITIAL_V))
    inh = net.add(Population("inh", n_inh, cell, initial_v=INITIAL_V))
    _recurrent(net, exc, inh, p_connect, w_exc, w_inh, dt)
    if stimulus:
        check.non_negative("stim_rate", stim_rate)
        check.non_negative("stim_duration", stim_duration)
        stim = net.add(Population("stim", STIM_SOURCES, SpikeSourcePoisson(rate=stim_rate, duration=stim_duration)))
        kick = FixedProbabilityConnector(STIM_P)
        for post in (exc, inh):
            net.add(Projection(stim, post, kick, receptor="excitatory", weight=STIM_WEIGHT, delay=dt,
                               label=f"stim_to_{post.label}"))
    return net


def cuba_network(n_neurons: int = 4000, p_connect: float = 0.02, *, dv_exc: float = 1.62, dv_inh: float = 9.0,
                 dt: float = 0.1) -> Network:
    """Benchmark 2 (CUBA): ``n_neurons`` IF_curr_exp neurons; ``dv_exc``/``dv_inh`` (mV) are the
    voltage jumps of Brian2's example, converted to currents with :func:`cuba_weight`."""
    n_neurons = check.integer("n_neurons", n_neurons, low=10)
    check.real("p_connect", p_connect, low=0.0, high=1.0)
    check.non_negative("dv_exc", dv_exc)
    check.non_negative("dv_inh", dv_inh)
    check.positive("dt", dt)
    n_exc, n_inh = _split(n_neurons)
    net = Network("cuba")
    cell = IF_curr_exp(**CUBA_CELL)
    exc = net.add(Population("exc", n_exc, cell, initial_v=INITIAL_V))
    inh = net.add(Population("inh", n_inh, cell, initial_v=INITIAL_V))
    _recurrent(net, exc, inh, p_connect, cuba_weight(dv_exc), cuba_weight(dv_inh), dt)
    return net


# --------------------------------------------------------------------------- statistics


def network_statistics(result, labels=("exc", "inh"), after: float = 0.0) -> dict[str, float]:
    """Rates and irregularity of the populations ``labels`` of a :class:`SimulationResult`.

    ``mean_rate_hz`` counts the whole run, ``late_rate_hz`` only spikes at or after ``after`` ms
    (once an external kick is over); ``last_spike_ms`` tells whether the activity lasted to the
    end. ``cv_isi_mean`` averages the CV of the inter-spike intervals over neurons with at least
    three spikes (``n_cv_neurons`` of them).
    """
    duration = result.network.n_steps * result.dt
    n_neurons, n_spikes, late, last, cvs, per_population = 0, 0, 0, float("nan"), [], {}
    for label in labels:
        size = result.network.population(label).size
        times, indices = result.spikes(label)
        n_neurons += size
        n_spikes += times.size
        late += int(np.count_nonzero(times >= after))
        if times.size:
            last = round(float(times.max()), 9) if not last >= times.max() else last
        cvs.append(cv_isi(times, indices, size))
        per_population[f"rate_{label}_hz"] = times.size / size / (duration / 1000.0)
    cvs = np.concatenate(cvs)
    late_window = duration - after
    return {
        "n_spikes": int(n_spikes),
        "mean_rate_hz": n_spikes / n_neurons / (duration / 1000.0),
        **per_population,
        "late_rate_hz": late / n_neurons / (late_window / 1000.0) if late_window > 0 else float("nan"),
        "last_spike_ms": last,
        "cv_isi_mean": float(cvs.mean()) if cvs.size else float("nan"),
        "n_cv_neurons": int(cvs.size),
    }


def sustained(stats: dict, duration: float, after: float = 0.0) -> bool:
    """Whether spiking lasted into the final tenth of the time after ``after`` (at least 10 ms)."""
    tail = max(10.0, 0.1 * (duration - after))
    return bool(stats["last_spike_ms"] >= duration - tail)


def connectivity(result, labels=("exc", "inh")) -> dict[str, float]:
    """Number of recurrent synapses among ``labels`` and their fraction of all ordered pairs
    without autapses."""
    members = set(labels)
    n_synapses = sum(p.stop - p.start for p in result.network.projections if p.pre in members and p.post in members)
    n = sum(result.network.population(label).size for label in labels)
    return {"n_synapses": int(n_synapses), "connection_fraction": n_synapses / (n * (n - 1)) if n > 1 else 0.0}


# --------------------------------------------------------------------------- run entries


def _run(ctx: RunContext, name: str, build) -> RunOutput:
    from biomem import plotting
    from biomem.simulate import simulate

    params = ctx.params
    with ctx.progress(f"{name}: build and simulate", total=2) as task:
        started = time.perf_counter()
        network = build(params)
        result = simulate(network, params["duration"], dt=params["dt"], seed=ctx.seed, backend=ctx.backend,
                          **ctx.options)
        total = time.perf_counter() - started
        task.advance()
        after = params.get("stim_duration", 0.0) if name == "coba" and params.get("stimulus", True) else 0.0
        after = min(after, params["duration"])
        stats = network_statistics(result, after=after)
        links = connectivity(result)
        marks = [(after, "stimulus off")] if after > 0 else None
        figures = [
            plotting.raster(result, ("exc", "inh"), ctx.out / f"{name}_raster.png", marks=marks,
                            title=f"{name.upper()} on {ctx.backend}"),
            plotting.rate_histogram(result, ("exc", "inh"), ctx.out / f"{name}_rates.png"),
        ]
        task.advance()
    # build_s: construction, lowering and the backend's preparation (JIT, code generation);
    # sim_s: the backend's own time for the simulation loop.
    metrics = {"n_neurons": int(params["n_neurons"]), **stats, **links,
               "build_s": total - result.raw.sim_s, "sim_s": result.raw.sim_s}
    summary = [
        f"{name.upper()}: {params['n_neurons']} neurons, {links['n_synapses']} synapses "
        f"({100 * links['connection_fraction']:.2f} % of pairs), {params['duration']:g} ms on {ctx.backend}",
        f"mean rate {stats['mean_rate_hz']:.2f} Hz (exc {stats['rate_exc_hz']:.2f}, inh {stats['rate_inh_hz']:.2f})"
        + (f", mean CV of ISIs {stats['cv_isi_mean']:.2f} over {stats['n_cv_neurons']} neurons"
           if stats["n_cv_neurons"] else ", too few spikes for a CV of ISIs"),
    ]
    if stats["n_spikes"] == 0 and name == "coba" and not params.get("stimulus", True):
        summary.append("no spikes: COBA rests below threshold and needs the starting stimulus (stimulus=true)")
    if after > 0:
        lasting = sustained(stats, params["duration"], after)
        summary.append(f"after the {after:g} ms kick: {stats['late_rate_hz']:.2f} Hz, "
                       + ("self-sustained to the end" if lasting else
                          "no spikes at all" if stats["n_spikes"] == 0 else
                          f"activity died out (last spike at {stats['last_spike_ms']:g} ms)"))
    return RunOutput(metrics=metrics, spikes=result.spikes_json(), figures=figures, summary=summary)


def run_coba(ctx: RunContext) -> RunOutput:
    """``biomem run coba``: benchmark 1 with the parameters of ``models/coba.toml``."""
    def build(p):
        return coba_network(p["n_neurons"], p["p_connect"], w_exc=p["w_exc"], w_inh=p["w_inh"], dt=p["dt"],
                            stimulus=p.get("stimulus", True), stim_rate=p.get("stim_rate", STIM_RATE),
                            stim_duration=p.get("stim_duration", STIM_DURATION))
    return _run(ctx, "coba", build)


def run_cuba(ctx: RunContext) -> RunOutput:
    """``biomem run cuba``: benchmark 2 with the parameters of ``models/cuba.toml``."""
    def build(p):
        return cuba_network(p["n_neurons"], p["p_connect"], dv_exc=p["dv_exc"], dv_inh=p["dv_inh"], dt=p["dt"])
    return _run(ctx, "cuba", build)
