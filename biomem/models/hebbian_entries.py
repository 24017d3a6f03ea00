"""Entry points of the Hebbian model configurations (``models/hopfield.toml`` and friends).

Each model offers, as its configuration names them:

* ``run``: ``biomem run MODEL`` (a Monte Carlo sample compared with the theory, a figure, metrics);
* ``[sweep] theory`` / ``montecarlo``: ``point(params, seed) -> dict[str, float]`` for ``biomem sweep``
  (the phase is a number there, ``phase_code``; the names are in :data:`PHASES` and in the
  store's attributes);
* ``[sweep] theory_report``: ``report(params) -> dict`` for ``biomem theory MODEL --json``: ``m``, ``q``,
  ``r`` or ``m_hat`` where defined, ``f`` and the ``phase`` name, for the state iterated from the
  retrieval start (``m`` is the Mattis magnetisation with archetype 1).
"""

from __future__ import annotations

import json
import math

from biomem.errors import BiomemError

PHASES = ("paramagnetic", "spin-glass", "retrieval-metastable", "retrieval-global", "example",
          "hierarchical", "parallel", "partial", "retrieval", "overloaded")
PHASE_ATTRS = {"phase_codes": json.dumps({name: code for code, name in enumerate(PHASES)}),
               "plot_variable": "m"}


def _code(phase: str) -> float:
    return float(PHASES.index(phase))


def _floats(report: dict, keys) -> dict[str, float]:
    out = {}
    for key in keys:
        value = report.get(key, math.nan)
        out[key] = float(value) if value is not None else math.nan
    out["phase_code"] = _code(report["phase"])
    return out


# ---------------------------------------------------------------- reports (biomem theory --json)

def hopfield_report(params: dict) -> dict:
    """AGS state from m = 1 with its phase."""
    from biomem.theory import ags
    state = ags.phase(float(params["alpha"]), float(params["T"]))
    return {"m": state["m"], "q": state["q"], "r": state["r"], "f": state["f"], "phase": state["phase"],
            "f_other": state["f_other"], "T_g": state["T_g"], "converged": state["converged"],
            "convention": "H = -(1/2N) sum_{i!=j} sum_mu xi_i xi_j s_i s_j, K = alpha N"}


def dense_report(params: dict) -> dict:
    """Dense supervised / unsupervised state from the retrieval start with its phase."""
    from biomem.theory import dense, unsupervised
    P, rho, T, alpha = int(params["P"]), float(params["rho"]), float(params["T"]), float(params["alpha"])
    supervised, M = bool(params["supervised"]), int(params["M"])
    if alpha == 0 and not supervised:
        state = unsupervised.phase(P, rho, M, T)
        convention = "low load unsupervised: H = -(N/(2 M R^(P/2))) sum_mu sum_a n_{mu,a}^P, exact in M"
    else:
        alpha_eff = alpha if supervised else alpha * dense.unsupervised_gamma(P, rho, M)
        state = dense.phase(P, rho, T, alpha_eff)
        state["alpha_effective"] = alpha_eff
        convention = ("low load: H = -(N/2)(1+rho)^(-P/2) sum_mu m_hat_mu^P" if alpha == 0 else
                      "high load (Gardner): H = -N (1+rho)^(-P/2) sum_mu m_hat_mu^P, K = alpha N^(P-1)/P!"
                      + ("" if supervised else "; unsupervised: equal-overlap ansatz, alpha -> alpha gamma"))
    out = {k: v for k, v in state.items() if k not in ("iterations",)}
    out["r"] = dense.quality(rho, M)
    out["convention"] = convention
    return out


def multitasking_report(params: dict) -> dict:
    """Multitasking amplitudes from the hierarchical start with the phase."""
    from biomem.theory import multitasking
    state = multitasking.phase(int(params["K"]), float(params["d"]), float(params["T"]))
    state["convention"] = "H = -(N/2) sum_mu m_mu^2, xi in {-1,0,1}, P(0) = d; start: hierarchical configuration"
    return state


def willshaw_report(params: dict) -> dict:
    """Willshaw one-step retrieval theory."""
    from biomem.theory import willshaw
    out = willshaw.retrieval(int(params["N"]), int(params["k"]), int(params["K"]), float(params["cue"]),
                             params["mode"])
    out["convention"] = "clipped W_ij = 1 if any pattern has x_i = x_j = 1; threshold = active cue units"
    out.update(q=None, f=None)           # no Boltzmann distribution: no overlap q, no free energy
    return out


# ---------------------------------------------------------------- sweep points

def hopfield_theory(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: AGS theory as numbers."""
    return _floats(hopfield_report(params), ("m", "q", "r", "f", "f_other", "converged"))


def dense_theory(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: dense theory as numbers."""
    return _floats(dense_report(params), ("m", "m_hat", "q", "f", "f_other", "converged"))


def multitasking_theory(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: multitasking theory (m_1..m_3)."""
    report = multitasking_report(params)
    m_k = report["m_k"] + [math.nan] * 3
    out = _floats(report, ("m", "m_sum", "q", "f", "converged"))
    out.update(m_2=m_k[1], m_3=m_k[2])
    return out


def willshaw_theory(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: Willshaw theory."""
    return _floats(willshaw_report(params), ("m", "p1", "p_false", "false_positives", "bits_per_synapse"))


def _mc(model: str, params: dict, seed: int) -> dict[str, float]:
    from biomem.hebbian.builders import montecarlo
    out = montecarlo(model, params, seed)
    return {k: float(v) for k, v in out.items()}


def hopfield_montecarlo(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: Hopfield heat-bath Monte Carlo summary."""
    return _mc("hopfield", params, seed)


def dense_montecarlo(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: dense heat-bath Monte Carlo summary."""
    return _mc("dense-hebbian", params, seed)


def multitasking_montecarlo(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: multitasking Monte Carlo (fixed outputs m, m_2, m_3, sorted amplitudes)."""
    out = _mc("multitasking", params, seed)
    fixed = {k: out[k] for k in ("m", "m_err", "q", "q_err", "energy", "energy_err", "equilibrated")}
    fixed.update({f"m_sorted_{k}": out.get(f"m_sorted_{k}", math.nan) for k in (1, 2, 3)})
    fixed.update({f"m_{k}": out.get(f"m_{k}", math.nan) for k in (2, 3)})
    return fixed


def willshaw_montecarlo(params: dict, seed: int) -> dict[str, float]:
    """Sweep point: simulated Willshaw storage and retrieval."""
    from biomem.hebbian.willshaw import simulate
    return simulate(int(params["N"]), int(params["k"]), int(params["K"]), float(params["cue"]), params["mode"],
                    int(params["trials"]), int(seed))


for _point in (hopfield_theory, dense_theory, multitasking_theory, willshaw_theory, hopfield_montecarlo,
               dense_montecarlo, multitasking_montecarlo, willshaw_montecarlo):
    _point.attrs = PHASE_ATTRS


# ---------------------------------------------------------------- biomem run

_REPORTS = {"hopfield": hopfield_report, "dense-hebbian": dense_report, "multitasking": multitasking_report,
            "willshaw": willshaw_report}


def _run(model: str, ctx):
    from biomem.models.context import RunOutput
    theory = _REPORTS[model](ctx.params)
    figures, summary = [], []
    with ctx.progress(f"{model} Monte Carlo", total=1) as bar:
        if model == "willshaw":
            metrics = willshaw_montecarlo(ctx.params, ctx.seed)
            result = None
        else:
            from biomem.hebbian.builders import montecarlo
            metrics, result = montecarlo(model, ctx.params, ctx.seed, dataset=True)
        bar.advance()
    metrics = {f"mc_{k}": float(v) for k, v in metrics.items()}
    metrics.update({f"theory_{k}": float(v) for k, v in theory.items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)})
    summary.append(f"theory: m = {theory['m']:.4f} ({theory['phase']})")
    summary.append(f"Monte Carlo: m = {metrics['mc_m']:.4f} +- {metrics.get('mc_m_err', math.nan):.4f}")
    if result is not None:
        figures.append(_trace_figure(result, theory, ctx.out / f"{model}_overlap.png"))
    return RunOutput(metrics=metrics, figures=figures, summary=summary)


def _trace_figure(result, theory, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for r in result.replica.values:
        ax.plot(result.sweep, result["m"].sel(replica=r).isel(m_index=0), lw=1, label=f"replica {r}")
    ax.axhline(theory["m"], color="k", ls="--", label=f"RS theory m = {theory['m']:.3f}")
    ax.set(xlabel="sweep", ylabel="Mattis overlap m", title=f"{result.attrs['model']}  T = {result.attrs['T']:g}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def run_hopfield(ctx):
    """``biomem run hopfield``."""
    return _run("hopfield", ctx)


def run_dense(ctx):
    """``biomem run dense-hebbian``."""
    return _run("dense-hebbian", ctx)


def run_multitasking(ctx):
    """``biomem run multitasking``."""
    return _run("multitasking", ctx)


def run_willshaw(ctx):
    """``biomem run willshaw``."""
    return _run("willshaw", ctx)


def report(model: str, params: dict) -> dict:
    """The theory report of a Hebbian model by name."""
    if model not in _REPORTS:
        raise BiomemError("model", f"no Hebbian theory for {model!r}", ", ".join(_REPORTS))
    return _REPORTS[model](params)
