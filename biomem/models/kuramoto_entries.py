"""Entry points of models/kuramoto.toml and models/akorn.toml.

``run`` (``biomem run kuramoto``): one classic Kuramoto run on ``ctx.backend`` (numba, torch or
brian2; torch takes ``ctx.options["device"]``). Metrics: ``r`` = time average of the order parameter
over the second half of the run, ``r_std`` its standard deviation there, ``r_final``, the N -> inf
prediction ``r_theory`` (exact for the Lorentzian, self-consistent otherwise) and ``K_c``.
``width`` is the half-width for the Lorentzian, the standard deviation for the Gaussian and the
half-range for the uniform distribution.

Sweep points (``biomem sweep kuramoto --method theory|montecarlo``): ``theory_point`` and
``simulation_point`` take any subset of the parameters (the rest are the configuration defaults)
and return ``{"r": ...}`` (plus ``K_c``; the Monte Carlo point also ``r_std``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from biomem.models.context import RunContext, RunOutput


@lru_cache(maxsize=None)
def _config(name: str):
    from biomem.models import registry
    return registry.get(name)


def _params(params: dict, name: str = "kuramoto") -> dict:
    return _config(name).resolve(dict(params or {}))


def _model(p: dict):
    from biomem.oscillators.description import KuramotoModel
    return KuramotoModel(N=p["N"], K=p["K"], distribution=p["distribution"], width=p["width"], center=p["center"],
                         sampling=p["sampling"], coupling=p["coupling"], p=p["p"], integrator=p["integrator"],
                         dt=p["dt"], t_max=p["t_max"], record_every=p["record_every"])


def _theory(p: dict) -> tuple[float, float]:
    from biomem.oscillators import theory
    return (theory.stationary_r(p["distribution"], p["width"], p["K"]),
            theory.critical_coupling(p["distribution"], p["width"]))


def _second_half(result) -> tuple[float, float]:
    keep = result.times >= 0.5 * result.times[-1] - 1e-12
    return float(result.r[keep].mean()), float(result.r[keep].std())


def run(ctx: RunContext) -> RunOutput:
    """`biomem run kuramoto`: simulate the classic model and report r, the time-averaged order
    parameter over the second half of the run, beside the theory."""
    from biomem.oscillators.backends import check_backend, simulate
    backend = check_backend(ctx.backend)
    p = _params(ctx.params)
    model = _model(p)
    options = {"device": ctx.options.get("device", "cpu")} if backend == "torch" else {}
    with ctx.progress(f"kuramoto N={model.N} K={model.K:g} on {backend}", total=1) as bar:
        result = simulate(model, ctx.seed, backend, **options)
        bar.advance()
    r_mean, r_std = _second_half(result)
    r_theory, k_c = _theory(p)
    metrics = {"r": r_mean, "r_std": r_std, "r_final": float(result.r[-1]), "r_theory": float(r_theory),
               "K_c": float(k_c), "N": float(model.N), "K": float(model.K), "width": float(model.width),
               "steps": float(model.n_steps)}
    figures = [_plot(result, r_theory, p, ctx.out)]
    rate = model.N * model.n_steps / max(result.wall_s, 1e-9)
    summary = [f"Kuramoto N={model.N} K={model.K:g} {p['distribution']} width={p['width']:g} ({backend}, "
               f"{p['integrator']}, dt={p['dt']:g}, t_max={p['t_max']:g}, seed {ctx.seed})",
               f"r (second half) = {r_mean:.4f} +- {r_std:.4f}; N->inf theory {r_theory:.4f}; K_c = {k_c:.4f}",
               f"{result.wall_s:.2f} s, {rate:.3g} oscillator-steps/s"]
    return RunOutput(metrics=metrics, figures=figures, summary=summary)


def _plot(result, r_theory: float, p: dict, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pathlib import Path
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(result.times, result.r, lw=1, label="r(t)")
    ax.axhline(r_theory, color="k", ls="--", lw=1, label="N -> inf theory")
    ax.set(xlabel="t", ylabel="r", ylim=(0, 1.02), title=f"N={p['N']} K={p['K']:g} {p['distribution']}")
    ax.legend(loc="lower right")
    path = Path(out) / "kuramoto_r.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def theory_point(params: dict, seed: int = 0) -> dict[str, float]:
    """N -> inf stationary r (exact Lorentzian, self-consistent otherwise); the seed is unused."""
    r, k_c = _theory(_params(params))
    return {"r": float(r), "K_c": float(k_c)}


def simulation_point(params: dict, seed: int = 0) -> dict[str, float]:
    """Numba simulation: r averaged over the second half (and its std)."""
    from biomem.backends.numba.kuramoto import simulate
    p = _params(params)
    result = simulate(_model(p), int(seed))
    r_mean, r_std = _second_half(result)
    return {"r": r_mean, "r_std": r_std, "K_c": float(_theory(p)[1])}


def run_akorn(ctx: RunContext) -> RunOutput:
    """``biomem run akorn``: unsupervised object binding on synthetic scenes (AKOrN vs k-means FG-ARI)."""
    from biomem.oscillators.binding_model import binding_experiment
    p = _params(ctx.params, "akorn")
    with ctx.progress("akorn binding", total=1) as bar:
        scores = binding_experiment(images=p["images"], size=p["size"], kind=p["kind"], noise=p["noise"],
                                    max_objects=p["max_objects"], channels=p["channels"], n=p["n"], T=p["T"],
                                    gamma=p["gamma"], kernel_size=p["kernel_size"],
                                    coupling_scale=p["coupling_scale"], c_scale=p["c_scale"],
                                    train_steps=p["train_steps"], seed=ctx.seed)
        bar.advance()
    metrics = {k: float(v) for k, v in scores.items() if np.isscalar(v)}
    summary = [f"FG-ARI on {p['images']} {p['kind']} scenes: " +
               ", ".join(f"{k[7:]} {v:.3f}" for k, v in metrics.items() if k.startswith("fg_ari_"))]
    return RunOutput(metrics=metrics, summary=summary)
