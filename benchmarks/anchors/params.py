"""The constants of the two benchmark networks, written out by hand for the anchors.

The anchors (Brian2, NEST through PyNN, snnTorch) use no biomem code; ``benchmarks.network``
checks these numbers against ``biomem.models.benchmarks`` (:func:`mismatches`), so a change
on either side shows up in the report. Units of the biomem description: ms, mV, nF, uS
(COBA weights), nA (CUBA weights), Hz.

- COBA (Brette et al. 2007, benchmark 1; PyNN's VAbenchmarks.py): IF_cond_exp, 4 nS / 51 nS
  conductance jumps, started by 20 Poisson sources at 100 Hz for 50 ms (p = 0.01, 100 nS).
- CUBA (benchmark 2; Brian2's CUBA example): IF_curr_exp with v_rest above threshold (every
  neuron a pacemaker), voltage jumps of 1.62 mV / 9 mV as currents ``dv cm / tau_m``.

Both: 80 % excitatory, p = 0.02 in each E/I projection without autapses, delay one step.
"""

from __future__ import annotations

import argparse
import math

COMMON = {
    "exc_fraction": 0.8, "p_connect": 0.02,
    "cm": 0.2, "tau_m": 20.0, "v_thresh": -50.0, "tau_refrac": 5.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0,
    "i_offset": 0.0, "v_init_low": -60.0, "v_init_high": -50.0,
}
COBA = {
    **COMMON, "v_rest": -60.0, "v_reset": -60.0, "e_rev_E": 0.0, "e_rev_I": -80.0,
    "w_exc": 0.004, "w_inh": 0.051,
    "stim_sources": 20, "stim_rate": 100.0, "stim_duration": 50.0, "stim_p": 0.01, "stim_weight": 0.1,
}
CUBA = {
    **COMMON, "v_rest": -49.0, "v_reset": -60.0,
    "w_exc": 1.62 * 0.2 / 20.0, "w_inh": 9.0 * 0.2 / 20.0,
    "stim_sources": 0,
}
MODELS = {"coba": COBA, "cuba": CUBA}
CELL_KEYS = {
    "coba": ("cm", "tau_m", "v_rest", "v_reset", "v_thresh", "tau_refrac", "e_rev_E", "e_rev_I", "tau_syn_E",
             "tau_syn_I", "i_offset"),
    "cuba": ("cm", "tau_m", "v_rest", "v_reset", "v_thresh", "tau_refrac", "tau_syn_E", "tau_syn_I", "i_offset"),
}


def step_scale(tau: float, dt: float) -> float:
    """biomem's per-spike factor: the mean of a unit exponential over its first step."""
    return tau / dt * (1.0 - math.exp(-dt / tau))


def n_excitatory(n_neurons: int, P: dict) -> int:
    """Size of the excitatory population, rounded as biomem rounds it."""
    return int(round(n_neurons * P["exc_fraction"]))


def mismatches(model: str, n_neurons: int = 4000, dt: float = 0.1) -> list[str]:
    """Differences between these constants and biomem's description of ``model`` (empty: identical)."""
    from biomem.description import SpikeSourcePoisson
    from biomem.models.benchmarks import coba_network, cuba_network

    P = MODELS[model]
    network = (coba_network if model == "coba" else cuba_network)(n_neurons, dt=dt)
    problems = []

    def expect(what, actual, wanted):
        if not math.isclose(float(actual), float(wanted), rel_tol=1e-12, abs_tol=1e-15):
            problems.append(f"{model} {what}: biomem {actual!r}, anchor {wanted!r}")

    exc, inh = network.population("exc"), network.population("inh")
    expect("excitatory size", exc.size, n_excitatory(n_neurons, P))
    expect("inhibitory size", inh.size, n_neurons - n_excitatory(n_neurons, P))
    for population in (exc, inh):
        cell = population.cell.parameters()
        for name in CELL_KEYS[model]:
            expect(f"{population.label}.{name}", cell[name], P[name])
        expect(f"{population.label}.initial_v low", population.initial_v.low, P["v_init_low"])
        expect(f"{population.label}.initial_v high", population.initial_v.high, P["v_init_high"])
    stim = [p for p in network.populations if isinstance(p.cell, SpikeSourcePoisson)]
    expect("stimulus sources", sum(p.size for p in stim), P["stim_sources"])
    for projection in network.projections:
        label, connector = projection.label, projection.connector
        expect(f"{label}.delay (steps)", round(projection.delay / dt), 1)
        if projection.plasticity is not None:
            problems.append(f"{model} {label}: plastic in biomem, static in the anchors")
        if projection.pre.label in ("exc", "inh"):
            excitatory = projection.pre.label == "exc"
            expect(f"{label}.p_connect", connector.p_connect, P["p_connect"])
            if connector.allow_self_connections:
                problems.append(f"{model} {label}: autapses allowed in biomem, not in the anchors")
            if projection.receptor != ("excitatory" if excitatory else "inhibitory"):
                problems.append(f"{model} {label}: receptor {projection.receptor}")
            expect(f"{label}.weight", float(projection.weight), P["w_exc"] if excitatory else P["w_inh"])
        else:
            expect(f"{label}.p_connect", connector.p_connect, P["stim_p"])
            expect(f"{label}.weight", float(projection.weight), P["stim_weight"])
            expect("stimulus rate", projection.pre.cell.rate, P["stim_rate"])
            expect("stimulus duration", projection.pre.cell.duration, P["stim_duration"])
    if sum(p.pre.label in ("exc", "inh") for p in network.projections) != 4:
        problems.append(f"{model}: not the four E/I projections the anchors build")
    return problems


def parser(description: str) -> argparse.ArgumentParser:
    """The command line every anchor shares: ``--model --n --duration --dt --seed``."""
    out = argparse.ArgumentParser(description=description)
    out.add_argument("--model", choices=tuple(MODELS), default="coba")
    out.add_argument("--n", type=int, default=4000, help="number of neurons")
    out.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms)")
    out.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    out.add_argument("--seed", type=int, default=0)
    return out
