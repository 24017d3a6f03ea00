"""Figures of simulation results, written as PNG files.

Everything is drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas, so no
global pyplot state or display is involved and the functions are safe in scripts, tests and
worker processes. Each function returns the path it wrote.

``result`` is a :class:`biomem.results.SimulationResult`, or a mapping ``{population: spikes}``
where ``spikes`` is ``(times_ms, indices)`` or a list of ``[time_ms, index]`` pairs (the format of
``spikes.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from biomem.errors import BiomemError

_COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b8860b")


def _figure(width: float, height: float, rows: int = 1, height_ratios=None, columns: int = 1):
    """A figure on its own Agg canvas and a flat array of its axes (shared time axis for rows)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, sharex=columns == 1, squeeze=False,
                           gridspec_kw={"height_ratios": height_ratios} if height_ratios else None)
    return figure, axes.ravel()


def cv_isi(times, indices, size: int, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation (std/mean) of the inter-spike intervals of every neuron with at
    least ``min_spikes`` spikes; neurons with fewer are left out. ``indices`` are in ``[0, size)``."""
    times, indices = np.asarray(times, float), np.asarray(indices, np.int64)
    order = np.lexsort((times, indices))
    times, indices = times[order], indices[order]
    counts = np.bincount(indices, minlength=size)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    values = []
    for neuron in np.flatnonzero(counts >= min_spikes):
        intervals = np.diff(times[bounds[neuron]:bounds[neuron + 1]])
        mean = intervals.mean()
        if mean > 0:
            values.append(intervals.std() / mean)
    return np.asarray(values, float)


def _save(figure, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _spike_table(result, populations) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, int]], float]:
    """``{label: (times, indices, size)}`` of the chosen populations and the run's duration (ms)."""
    if hasattr(result, "network") and hasattr(result, "spikes"):
        available = [p.label for p in result.network.populations]
        chosen = available if populations is None else list(populations)
        table = {}
        for label in chosen:
            if label not in available:
                raise BiomemError("populations", f"unknown population {label!r}", ", ".join(available))
            times, indices = result.spikes(label)
            table[label] = (times, indices, result.network.population(label).size)
        return table, result.network.n_steps * result.dt
    if not isinstance(result, Mapping):
        raise BiomemError("result", f"cannot plot {type(result).__name__}",
                          "a SimulationResult or a mapping {population: spikes}")
    chosen = list(result) if populations is None else list(populations)
    table, end = {}, 0.0
    for label in chosen:
        if label not in result:
            raise BiomemError("populations", f"unknown population {label!r}", ", ".join(map(str, result)))
        spikes = result[label]
        if isinstance(spikes, tuple) and len(spikes) == 2:
            times, indices = (np.asarray(a) for a in spikes)
        else:
            pairs = np.asarray(spikes, float).reshape(-1, 2)
            times, indices = pairs[:, 0], pairs[:, 1].astype(np.int64)
        times, indices = np.asarray(times, float), np.asarray(indices, np.int64)
        table[label] = (times, indices, int(indices.max()) + 1 if indices.size else 1)
        if times.size:
            end = max(end, float(times.max()))
    return table, end if end > 0 else 1.0


def _marks(axes, marks) -> None:
    for time_ms, label in marks or ():
        for ax in axes:
            ax.axvline(time_ms, color="0.35", linestyle="--", linewidth=0.9)
        axes[0].annotate(str(label), xy=(time_ms, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(3, -3), textcoords="offset points", va="top", ha="left", fontsize=8, color="0.15",
                         bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.85))


def raster(result, populations: Sequence[str] | None = None, path=None, marks=None, *,
           rate_bin_ms: float | None = None, title: str | None = None, max_points: int = 400_000) -> Path:
    """Spike raster of ``populations`` (all by default), stacked bottom to top in the given order,
    above a histogram of the population rate (Hz per neuron, bins of ``rate_bin_ms``, by default
    about 1/200 of the run). ``marks`` is a list of ``(time_ms, label)`` drawn as vertical lines.
    With more than ``max_points`` spikes an even subsample is drawn (the histogram uses all)."""
    if path is None:
        raise BiomemError("path", "missing", "a file name ending in .png")
    table, duration = _spike_table(result, populations)
    if rate_bin_ms is None:
        rate_bin_ms = max(0.1, float(np.round(duration / 200.0, 1)))
    elif not rate_bin_ms > 0:
        raise BiomemError("rate_bin_ms", f"must be positive, got {rate_bin_ms}", "a bin width > 0 ms")
    figure, (ax, ax_rate) = _figure(8.0, 5.5, rows=2, height_ratios=(3, 1))
    total = sum(times.size for times, _, _ in table.values())
    stride = max(1, int(np.ceil(total / max_points)))
    offset, ticks, tick_labels = 0, [], []
    bins = np.arange(0.0, duration + rate_bin_ms, rate_bin_ms)
    for k, (label, (times, indices, size)) in enumerate(table.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        ax.scatter(times[::stride], indices[::stride] + offset, s=1.5, marker=".", linewidths=0, color=colour,
                   rasterized=True)
        ticks.append(offset + size / 2.0)
        tick_labels.append(label)
        counts, _ = np.histogram(times, bins=bins)
        ax_rate.step(bins[:-1], counts / size / (rate_bin_ms / 1000.0), where="post", color=colour,
                     linewidth=0.9, label=label)
        offset += size
    ax.set_xlim(0.0, duration)
    ax.set_ylim(-0.5, max(offset, 1) - 0.5)
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylabel("neuron")
    if title:
        ax.set_title(title + (f" (every {stride}th spike shown)" if stride > 1 else ""))
    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel(f"rate (Hz)\n{rate_bin_ms:g} ms bins")
    if len(table) > 1:
        ax_rate.legend(fontsize=7, loc="upper right", frameon=False, ncols=min(len(table), 4))
    _marks((ax, ax_rate), marks)
    return _save(figure, path)


def rate_histogram(result, populations: Sequence[str] | None = None, path=None, *, bins: int = 40) -> Path:
    """Distributions of per-neuron firing rates (Hz) and of the coefficient of variation of the
    inter-spike intervals (neurons with at least three spikes), one colour per population."""
    if path is None:
        raise BiomemError("path", "missing", "a file name ending in .png")
    table, duration = _spike_table(result, populations)
    figure, (ax_rate, ax_cv) = _figure(8.0, 3.2, columns=2)
    for k, (label, (times, indices, size)) in enumerate(table.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        rates = np.bincount(indices, minlength=size) / (duration / 1000.0)
        ax_rate.hist(rates, bins=bins, color=colour, alpha=0.6, label=f"{label} (mean {rates.mean():.1f} Hz)")
        cvs = cv_isi(times, indices, size)
        if cvs.size:
            ax_cv.hist(cvs, bins=bins, color=colour, alpha=0.6, label=f"{label} (mean {cvs.mean():.2f})")
    ax_rate.set_xlabel("firing rate (Hz)")
    ax_rate.set_ylabel("neurons")
    ax_cv.set_xlabel("CV of inter-spike intervals")
    for ax in (ax_rate, ax_cv):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, frameon=False)
    return _save(figure, path)


def state_plot(result, population: str, variable: str, path=None, neurons=None, *, marks=None,
               title: str | None = None) -> Path:
    """Recorded ``variable`` ("v", "isyn_exc", "gsyn_inh", ...) of ``population`` against time, one
    line per neuron of ``neurons`` (local indices; by default the first five recorded)."""
    if path is None:
        raise BiomemError("path", "missing", "a file name ending in .png")
    trace = np.asarray(result.state(population, variable))
    size = trace.shape[1]
    chosen = np.arange(min(size, 5)) if neurons is None else np.atleast_1d(np.asarray(neurons))
    if chosen.size == 0 or chosen.dtype.kind not in "iu" or chosen.min() < 0 or chosen.max() >= size:
        raise BiomemError("neurons", f"invalid selection {neurons!r}", f"indices in [0, {size - 1}]")
    units = {"v": "mV", "isyn_exc": "nA", "isyn_inh": "nA", "gsyn_exc": "uS", "gsyn_inh": "uS"}
    figure, (ax,) = _figure(8.0, 3.5)
    times = result.times
    for k, neuron in enumerate(chosen):
        ax.plot(times, trace[:, neuron], linewidth=0.8, color=_COLOURS[k % len(_COLOURS)], label=f"{neuron}")
    ax.set_xlim(times[0] if times.size else 0.0, (times[-1] + result.dt) if times.size else 1.0)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{variable} ({units[variable]})" if variable in units else variable)
    ax.set_title(title or f"{population}: {variable}")
    if chosen.size <= 10:
        ax.legend(title="neuron", fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _marks((ax,), marks)
    return _save(figure, path)
