"""Entry points of models/astro-tripartite.toml, astro-retention.toml and astro-learning.toml.

``biomem run astro-tripartite`` -- gliotransmitter modulation of release at tripartite synapses
(G-ChI astrocytes; backends numba, torch, brian2).
``biomem run astro-retention`` -- retention curve of a LIF network with and without Li-Rinzel
astrocytes (backends numba, torch, brian2; torch takes ``--device``).
``biomem run astro-learning`` -- AM-SU vs LIF on delayed recall or digits read row by row (PyTorch;
``--device cuda`` when available).

Each writes its figure under ``--out`` and returns flat metrics (lists are indexed: ``x.0``, ``x.1``).
The same experiments, at full size, are ``experiments/astro_*.py``.
"""

from __future__ import annotations

from functools import lru_cache

from biomem.errors import BiomemError
from biomem.models.context import RunContext, RunOutput

_ASTRO_BACKENDS = ("numba", "torch", "brian2")


@lru_cache(maxsize=None)
def _config(name: str):
    from biomem.models import registry
    return registry.get(name)


def _backend(ctx: RunContext) -> str:
    if ctx.backend not in _ASTRO_BACKENDS:
        raise BiomemError("--backend", f"astrocyte models do not run on {ctx.backend!r}", ", ".join(_ASTRO_BACKENDS))
    return ctx.backend


def _numbers(name: str, text: str, cast=float) -> list:
    try:
        values = [cast(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise BiomemError(name, f"not a comma-separated list of numbers: {text!r}", "for example 0.5,2,8") from None
    if not values or any(v < 0 for v in values):
        raise BiomemError(name, f"needs non-negative numbers, got {text!r}", "for example 0.5,2,8")
    return values


def run_tripartite(ctx: RunContext) -> RunOutput:
    """``biomem run astro-tripartite``: release modulation by gliotransmission (figure + metrics)."""
    from biomem.astrocytes import studies
    backend = _backend(ctx)
    p = _config("astro-tripartite").resolve(dict(ctx.params or {}))
    with ctx.progress("tripartite synapses", total=1) as bar:
        metrics = studies.run_tripartite(small=p["small"], backend=backend, seed=ctx.seed)
        bar.advance()
    figure = studies.plot_tripartite(metrics, ctx.out / "astro_tripartite.png")
    flat = {}
    for alpha, m in metrics["modulation"].items():
        for key in ("first_release", "paired_pulse_ratio", "burst_ratio", "total_release", "Gamma_S_at_train"):
            for k, label in enumerate(("none", "weak", "strong")):
                flat[f"alpha{alpha:g}.{key}.{label}"] = float(m[key][k])
        flat[f"alpha{alpha:g}.releases"] = float(m["releases"])
    for key, values in metrics["loop"]["epoch_mean_Y_S"].items():
        for rate, value in zip(metrics["loop"]["rates_hz"], values):
            flat[f"loop.{key}.mean_Y_S.{rate:g}Hz"] = float(value)
    flat["seconds"] = float(metrics["seconds"])
    return RunOutput(metrics=flat, figures=[figure], summary=studies.summarise_tripartite(metrics))


def run_retention(ctx: RunContext) -> RunOutput:
    """``biomem run astro-retention``: accuracy vs delay with and without astrocytes."""
    from dataclasses import replace

    from biomem.astrocytes import studies
    backend = _backend(ctx)
    p = _config("astro-retention").resolve(dict(ctx.params or {}))
    config = replace(studies.retention_settings(False)[0], n_items=p["n_items"], group_size=p["group_size"],
                     w_sic=p["w_sic"], astro_every=p["astro_every"])
    delays = [1000.0 * d for d in _numbers("delays_s", p["delays_s"])]
    with ctx.progress("retention trials", total=len(delays) * p["trials"]) as bar:
        curve = studies.run_retention(backend=backend, seed=ctx.seed, config=config, delays=delays,
                                      trials=p["trials"], progress=bar.advance)
    example = studies.example_trial(config, delays[len(delays) // 2], seed=ctx.seed, backend=backend) \
        if p["example"] else None
    figure = studies.plot_retention(curve, ctx.out / "astro_retention.png", example)
    flat = {"chance": curve["chance"], "seconds": curve["seconds"]}
    for d, a, b in zip(curve["delays_ms"], curve["accuracy_astro"], curve["accuracy_plain"]):
        flat[f"accuracy_astro.{d / 1000:g}s"] = a
        flat[f"accuracy_plain.{d / 1000:g}s"] = b
    return RunOutput(metrics=flat, figures=[figure], summary=studies.summarise_retention(curve))


def run_learning(ctx: RunContext) -> RunOutput:
    """``biomem run astro-learning``: AM-SU vs LIF test accuracy vs delay."""
    from biomem.astrocytes import studies
    if ctx.backend != "torch" and ctx.backend not in _ASTRO_BACKENDS:
        raise BiomemError("--backend", f"astro-learning trains with PyTorch, not {ctx.backend!r}", "torch")
    p = _config("astro-learning").resolve(dict(ctx.params or {}))
    delays = _numbers("delays", p["delays"], int)
    settings = {"delays": delays, "n_units": p["n_units"], "iterations": p["iterations"],
                "batch_size": p["batch_size"], "test_batches": p["test_batches"]}
    device = ctx.options.get("device", "cpu")
    with ctx.progress(f"training AM-SU and LIF ({p['task']})", total=2 * len(delays)) as bar:
        metrics = studies.run_learning(task=p["task"], device=device, seed=ctx.seed, settings=settings,
                                       progress=bar.advance)
    figure = studies.plot_learning(metrics, ctx.out / "astro_learning.png")
    flat = {"chance": metrics["chance"], "seconds": metrics["seconds"],
            "amsu.n_parameters": float(metrics["amsu"]["n_parameters"]),
            "lif.n_parameters": float(metrics["lif"]["n_parameters"])}
    for i, d in enumerate(delays):
        for name in ("amsu", "lif"):
            flat[f"{name}.accuracy.delay{d}"] = metrics[name]["accuracy"][i]
            flat[f"{name}.rate_hz.delay{d}"] = metrics[name]["rate_hz"][i]
    return RunOutput(metrics=flat, figures=[figure], summary=studies.summarise_learning(metrics))
