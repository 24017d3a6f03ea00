"""The three astrocyte experiments, shared by ``experiments/astro_*.py`` and ``biomem run astro-*``.

* :func:`run_tripartite` -- gliotransmitter modulation of synaptic release (tripartite synapses);
* :func:`run_retention` -- retention curve of a LIF network with and without astrocytes;
* :func:`run_learning` -- delayed recall (or digits read row by row) learned by AM-SU vs plain LIF.

Each returns a metrics dictionary (NumPy arrays allowed; :func:`jsonable` converts) and has a
``plot_*`` and ``summarise_*`` companion.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from biomem.astrocytes.common import SpikeInput
from biomem.astrocytes.description import GChIAstrocyte, TripartiteSynapse

# -- tripartite synapses ------------------------------------------------------------------------

#: Brian2 example 3: presynaptic spike times (ms) after the transient.
TRAIN_MS = (0, 50, 100, 150, 200, 300, 310, 320, 330, 340, 350, 360, 370, 380, 390, 400)


def _integrator(backend: str):
    from biomem.astrocytes import _module
    return _module(backend)


def modulation_run(alpha: float, transient_ms: float, backend: str = "numba"):
    """Brian2's example 3 with gliotransmission of nature ``alpha``; returns the traces."""
    dt = 1.0
    astrocyte = GChIAstrocyte(F_ex=2.0)
    synapse = TripartiteSynapse(alpha=alpha)
    steps = (np.asarray(TRAIN_MS) + transient_ms) / dt
    spikes = SpikeInput.from_steps(np.repeat(steps.astype(np.int64), 3), np.tile([0, 1, 2], len(TRAIN_MS)))
    n_steps = int(round((transient_ms + 600.0) / dt))
    return _integrator(backend).simulate_tripartite(
        astrocyte, synapse, 2, 3, n_steps, dt, spikes, astro_to_syn=([0, 1], [1, 2]), I_bias=[0.8, 1.25],
        initial={"I": 0.4})


def loop_run(n_synapses: int, epoch_ms: float, seed: int, backend: str = "numba", record_every: int = 10):
    """Brian2's example 4: closed-loop, open-loop and no gliotransmission under stepped input rates."""
    dt = 1.0
    rates = (0.011, 0.11, 1.1, 11.0)
    n_steps = int(round(len(rates) * epoch_ms / dt))
    rng = np.random.default_rng(seed)
    rate = np.repeat(rates, int(round(epoch_ms / dt)))
    fired = rng.random((n_steps, n_synapses)) < rate[:, None] * dt / 1000.0
    step, source = np.nonzero(fired)
    n = n_synapses
    # Synapse blocks: [0, n) closed loop, [n, 2n) open loop, [2n, 3n) no gliotransmission; each
    # source drives one synapse of each block.
    spikes = SpikeInput.from_steps(np.repeat(step, 3), (source[:, None] + np.array([0, n, 2 * n])[None, :]).ravel())
    astrocyte = GChIAstrocyte(O_beta=3.2, F_ex=2.0)
    synapse = TripartiteSynapse(alpha=0.0)
    bias = np.r_[np.zeros(n), np.ones(n)]
    traces = _integrator(backend).simulate_tripartite(
        astrocyte, synapse, 2 * n, 3 * n, n_steps, dt, spikes, syn_to_astro=(np.arange(n), np.arange(n)),
        astro_to_syn=(np.arange(2 * n), np.arange(2 * n)), I_bias=bias, record_every=record_every)
    return traces, rates


def run_tripartite(small: bool = False, backend: str = "numba", seed: int = 0) -> dict:
    """Brian2 examples 3 (alpha = 0 and 1) and 4 (closed/open loop) on ``backend``; ``small``: CI size."""
    transient = 3000.0 if small else 16500.0
    n_loop, epoch = (10, 2000.0) if small else (200, 5000.0)
    metrics = {"backend": backend, "transient_ms": transient, "train_ms": list(TRAIN_MS), "modulation": {}}
    started = time.perf_counter()
    for alpha in (0.0, 1.0):
        traces = modulation_run(alpha, transient, backend)
        r_s = traces.events["r_S"].reshape(len(TRAIN_MS), 3)
        first = int(round(transient))
        window = slice(first - 50, first + 600)
        metrics["modulation"][alpha] = {
            "r_S": r_s, "first_release": r_s[0], "paired_pulse_ratio": r_s[1] / r_s[0],
            "burst_ratio": r_s[-1] / r_s[5], "total_release": r_s.sum(0),
            "Gamma_S_at_train": traces["Gamma_S"][first], "releases": len(traces.events["release"][0]),
            "t_window": traces.times[window] - transient, "u_S": traces["u_S"][window], "x_S": traces["x_S"][window],
            "Y_S": traces["Y_S"][window], "t_astro": traces.times[:first] - transient,
            "C": traces["C"][:first], "G_A": traces["G_A"][:first]}
    traces, rates = loop_run(n_loop, epoch, seed, backend)
    n = n_loop
    y = traces["Y_S"]
    per_epoch = len(traces.times) // len(rates)
    blocks = {"closed": slice(0, n), "open": slice(n, 2 * n), "none": slice(2 * n, 3 * n)}
    metrics["loop"] = {"rates_hz": list(rates), "n_synapses": n, "epoch_ms": epoch, "t": traces.times,
                       "mean_Y_S": {k: y[:, b].mean(1) for k, b in blocks.items()},
                       "epoch_mean_Y_S": {k: [float(y[i * per_epoch:(i + 1) * per_epoch, b].mean())
                                              for i in range(len(rates))] for k, b in blocks.items()},
                       "releases": int(len(traces.events["release"][0]))}
    metrics["seconds"] = time.perf_counter() - started
    return metrics


def plot_tripartite(metrics: dict, path: Path) -> Path:
    """The tripartite figure (calcium, Y_S, r_S per spike, loop <Y_S>) written to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
    labels = ("no gliotransmission", "weak (I_bias 0.8 uM)", "stronger (I_bias 1.25 uM)")
    zero = metrics["modulation"][0.0]
    for k, bias in enumerate((0.8, 1.25)):
        axes[0, 0].plot(zero["t_astro"] / 1000, zero["C"][:, k], label=f"astrocyte, I_bias {bias} uM")
    axes[0, 0].legend(fontsize=7)
    axes[0, 0].axhline(GChIAstrocyte().C_Theta, color="grey", ls=":")
    axes[0, 0].set(title="astrocyte Ca (threshold dotted)", xlabel="time before train (s)", ylabel="C (uM)")
    for k, label in enumerate(labels):
        axes[0, 1].plot(zero["t_window"], zero["Y_S"][:, k], label=label)
    axes[0, 1].set(title="alpha = 0: released neurotransmitter", xlabel="time (ms)", ylabel="Y_S (uM)")
    axes[0, 1].legend(fontsize=7)
    one = metrics["modulation"][1.0]
    for k, label in enumerate(labels):
        axes[0, 2].plot(one["t_window"], one["Y_S"][:, k], label=label)
    axes[0, 2].set(title="alpha = 1: released neurotransmitter", xlabel="time (ms)", ylabel="Y_S (uM)")
    for k, label in enumerate(labels):
        axes[1, 0].plot(metrics["train_ms"], zero["r_S"][:, k], "o-", ms=3, label=label)
        axes[1, 1].plot(metrics["train_ms"], one["r_S"][:, k], "o-", ms=3, label=label)
    axes[1, 0].set(title="alpha = 0 (release-decreasing): r_S per spike", xlabel="spike time (ms)", ylabel="r_S")
    axes[1, 1].set(title="alpha = 1 (release-increasing): r_S per spike", xlabel="spike time (ms)", ylabel="r_S")
    loop = metrics["loop"]
    for key, color in (("none", "k"), ("open", "C2"), ("closed", "C3")):
        axes[1, 2].plot(loop["t"] / 1000, loop["mean_Y_S"][key], color=color, lw=0.8, label=key)
    axes[1, 2].set(title=f"<Y_S> over {loop['n_synapses']} synapses; rate steps {loop['rates_hz']} Hz",
                   xlabel="time (s)", ylabel="<Y_S> (uM)")
    axes[1, 2].title.set_fontsize(8)
    axes[1, 2].legend(fontsize=7)
    fig.suptitle(f"Tripartite synapses with G-ChI astrocytes ({metrics['backend']})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summarise_tripartite(metrics: dict) -> list[str]:
    """Lines for a person: first release, paired-pulse ratios, loop <Y_S> per rate."""
    lines = []
    for alpha, m in metrics["modulation"].items():
        lines.append(f"alpha={alpha:g}: first release r_S = " + ", ".join(f"{v:.3f}" for v in m["first_release"]) +
                     " (none, weak, stronger); paired-pulse ratio " + ", ".join(f"{v:.2f}" for v in
                                                                             m["paired_pulse_ratio"]))
    loop = metrics["loop"]
    lines.append("mean <Y_S> per rate epoch (uM): " + "; ".join(
        f"{k} " + "/".join(f"{v:.1f}" for v in loop["epoch_mean_Y_S"][k]) for k in ("none", "open", "closed")))
    return lines


# -- retention (biophysical) ----------------------------------------------------------------------

def retention_settings(small: bool):
    """``(RetentionConfig, delays_ms, trials_per_delay)`` at full or CI size."""
    from biomem.astrocytes.tasks import RetentionConfig
    if small:
        return RetentionConfig(n_items=4, group_size=8), [200.0, 1000.0], 4
    return RetentionConfig(), [100.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 24000.0], 16


def run_retention(small: bool = False, backend: str = "numba", seed: int = 0, progress=None, config=None,
                  delays=None, trials=None) -> dict:
    """Retention curve with and without astrocytes (:func:`biomem.astrocytes.tasks.retention_curve`)."""
    from dataclasses import asdict
    from biomem.astrocytes.tasks import retention_curve
    default_config, default_delays, default_trials = retention_settings(small)
    config = config or default_config
    delays = delays or default_delays
    trials = trials or default_trials
    started = time.perf_counter()
    curve = retention_curve(config, delays, trials, seed=seed, backend=backend, progress=progress)
    curve.update(config=asdict(config), trials_per_delay=trials, backend=backend,
                 seconds=time.perf_counter() - started)
    return curve


def example_trial(config, delay_ms: float, seed: int = 0, backend: str = "numba"):
    """One cued trial with and without astrocytes, kept for plotting."""
    from biomem.astrocytes.tasks import retention_trial
    return {astro: retention_trial(config, 1, delay_ms, seed, astro=astro, backend=backend, keep=True)
            for astro in (True, False)}


def plot_retention(curve: dict, path: Path, example=None) -> Path:
    """Accuracy vs delay (and, with ``example``, rasters with calcium) written to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    columns = 3 if example else 1
    fig, axes = plt.subplots(1, columns, figsize=(5 * columns, 3.8), squeeze=False)
    ax = axes[0, 0]
    delays = np.asarray(curve["delays_ms"]) / 1000.0
    ax.plot(delays, curve["accuracy_astro"], "o-", color="C3", label="with astrocytes (SIC on)")
    ax.plot(delays, curve["accuracy_plain"], "s-", color="k", label="without (SIC off)")
    ax.axhline(curve["chance"], color="grey", ls=":", label="chance")
    ax.set(xscale="log", xlabel="delay (s)", ylabel="recall accuracy", ylim=(-0.02, 1.02),
           title=f"retention ({curve['trials_per_delay']} trials per delay)")
    ax.legend(fontsize=8, loc="center right")
    if example:
        config = curve["config"]
        for column, astro in ((1, True), (2, False)):
            result = example[astro]["result"]
            steps, neurons = result.spikes("cells")
            times = steps * result.lowered.dt / 1000.0
            ax = axes[0, column]
            ax.plot(times, neurons, ",", color="k")
            twin = ax.twinx()
            twin.plot(result.astro_times / 1000.0, result.astro["Ca_astro"], lw=0.8)
            twin.axhline(0.19669, color="grey", ls=":", lw=0.8)
            twin.set_ylabel("astrocyte Ca (uM)")
            ax.set(xlabel="time (s)", ylabel="neuron", ylim=(-1, config["n_items"] * config["group_size"]),
                   title=f"item 1, {'with' if astro else 'without'} astrocytes")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summarise_retention(curve: dict) -> list[str]:
    """One line per delay: accuracy and delay-period rate with and without astrocytes."""
    lines = [f"retention, chance {curve['chance']:.3f}, {curve['trials_per_delay']} trials per delay:"]
    for d, a, p, ra, rp in zip(curve["delays_ms"], curve["accuracy_astro"], curve["accuracy_plain"],
                               curve["delay_rate_hz_astro"], curve["delay_rate_hz_plain"]):
        lines.append(f"  delay {d / 1000:6.2f} s: with astrocytes {a:.3f}, without {p:.3f} "
                     f"(delay-period rate {ra:.2f} / {rp:.2f} Hz)")
    return lines


# -- learning (AM-SU vs LIF) ------------------------------------------------------------------------

def learning_settings(small: bool, task: str):
    """Delays, network size and training budget at full or CI size."""
    if small:
        return {"delays": [5, 20], "n_units": 16, "iterations": 30, "batch_size": 16, "test_batches": 2}
    delays = [25, 50, 100, 200, 400] if task == "recall" else [0, 25, 50, 100, 200]
    return {"delays": delays, "n_units": 64, "iterations": 300, "batch_size": 64, "test_batches": 8}


def make_task(task: str, delay: int):
    """``(train, test)`` batch generators of ``task`` ("recall" or "digits") at ``delay`` steps."""
    from biomem.astrocytes.tasks import DelayedRecall, DigitsRows
    if task == "recall":
        train = DelayedRecall(delay=delay)
        return train, train
    return DigitsRows(delay=delay), DigitsRows(delay=delay, split="test")


def run_learning(small: bool = False, task: str = "recall", device: str = "cpu", seed: int = 0, progress=None,
                 settings: dict | None = None, log=None) -> dict:
    """Train an AM-SU network and a LIF network of the same size with the same budget at each delay."""
    import torch
    from biomem.astrocytes.amsu import AMSUConfig, AMSUNetwork, train_classifier
    from biomem.astrocytes.common import check_backend
    from biomem.description import validate as check
    check.choice("task", task, ("recall", "digits"))
    settings = dict(learning_settings(small, task), **(settings or {}))
    out = {"task": task, "device": device, "settings": settings, "delays": list(settings["delays"]),
           "amsu": {"accuracy": [], "train_accuracy": [], "seconds": [], "rate_hz": [], "n_parameters": None,
                    "final_loss": []},
           "lif": {"accuracy": [], "train_accuracy": [], "seconds": [], "rate_hz": [], "n_parameters": None,
                   "final_loss": []}}
    check_backend("torch")
    started = time.perf_counter()
    previous = torch.get_num_threads()
    if str(device).startswith("cpu"):
        torch.set_num_threads(1)
    try:
        for delay in settings["delays"]:
            train_task, test_task = make_task(task, int(delay))
            for name, astro in (("amsu", True), ("lif", False)):
                config = AMSUConfig(n_in=train_task.n_in, n_units=settings["n_units"], n_out=train_task.n_classes,
                                    astro=astro)
                model = AMSUNetwork(config, device=device, seed=seed)
                result = train_classifier(model, train_task, make_test_batch=test_task,
                                          iterations=settings["iterations"], batch_size=settings["batch_size"],
                                          test_batches=settings["test_batches"], seed=seed, device=device,
                                          log=(lambda i, l, n=name, d=delay: log(f"{n} delay {d} it {i}: loss {l:.3f}"))
                                          if log else None)
                entry = out[name]
                entry["accuracy"].append(result.accuracy)
                entry["train_accuracy"].append(result.train_accuracy)
                entry["seconds"].append(result.seconds)
                entry["rate_hz"].append(result.rate_hz)
                entry["final_loss"].append(float(np.mean(result.losses[-10:])) if result.losses else float("nan"))
                entry["n_parameters"] = result.n_parameters
                if progress is not None:
                    progress()
    finally:
        torch.set_num_threads(previous)
    out["chance"] = 1.0 / make_task(task, 0)[0].n_classes
    out["seconds"] = time.perf_counter() - started
    return out


def plot_learning(metrics: dict, path: Path) -> Path:
    """Accuracy and rate vs delay for AM-SU and LIF, written to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    delays = metrics["delays"]
    axes[0].plot(delays, metrics["amsu"]["accuracy"], "o-", color="C3",
                 label=f"AM-SU ({metrics['amsu']['n_parameters']} parameters)")
    axes[0].plot(delays, metrics["lif"]["accuracy"], "s-", color="k",
                 label=f"LIF ({metrics['lif']['n_parameters']} parameters)")
    axes[0].axhline(metrics["chance"], color="grey", ls=":", label="chance")
    axes[0].set(xlabel="delay (steps of 1 ms)", ylabel="test accuracy", ylim=(-0.02, 1.02),
                title=f"{metrics['task']}: {metrics['settings']['n_units']} units, "
                      f"{metrics['settings']['iterations']} iterations")
    axes[0].legend(fontsize=8, loc="lower left")
    axes[1].plot(delays, metrics["amsu"]["rate_hz"], "o-", color="C3", label="AM-SU")
    axes[1].plot(delays, metrics["lif"]["rate_hz"], "s-", color="k", label="LIF")
    axes[1].set(xlabel="delay (steps)", ylabel="mean rate (Hz)", title="activity after training")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summarise_learning(metrics: dict) -> list[str]:
    """One line per delay: both accuracies and their difference."""
    lines = [f"{metrics['task']}: AM-SU {metrics['amsu']['n_parameters']} vs LIF {metrics['lif']['n_parameters']} "
             f"parameters, chance {metrics['chance']:.3f}"]
    for d, a, b in zip(metrics["delays"], metrics["amsu"]["accuracy"], metrics["lif"]["accuracy"]):
        lines.append(f"  delay {d:4d}: AM-SU {a:.3f}, LIF {b:.3f}, difference {a - b:+.3f}")
    return lines


# -- helpers ---------------------------------------------------------------------------------------

def jsonable(value):
    """Metrics with NumPy arrays and numbers turned into lists and floats (for metrics.json)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return value


def flat_metrics(metrics: dict, prefix: str = "") -> dict[str, float]:
    """Scalars of a nested metrics dict, keys joined by '.', lists of numbers indexed (for RunOutput)."""
    out = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_metrics(value, name + "."))
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            out[name] = float(value)
        elif isinstance(value, (list, tuple, np.ndarray)) and 0 < len(value) <= 64 and \
                all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                    for v in np.asarray(value, dtype=object).ravel()):
            for i, v in enumerate(np.asarray(value, float).ravel()):
                out[f"{name}.{i}"] = float(v)
    return out
