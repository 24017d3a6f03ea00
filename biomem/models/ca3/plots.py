"""Figures of the CA3 memory (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from biomem.models.ca3.network import POPULATIONS
from biomem.models.ca3.operations import Learn, RecallByCue, Schedule

PANELS = (("inputs", POPULATIONS[:2]), ("internal", POPULATIONS[2:10]), ("outputs", POPULATIONS[10:]))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def short_name(operation) -> str:
    """L3 (learn cue 3), C3 (recall cue 3), F{1,6} (recall by content fragment)."""
    if isinstance(operation, Learn):
        return f"L{operation.cue}"
    if isinstance(operation, RecallByCue):
        return f"C{operation.cue}"
    return "F{" + ",".join(map(str, sorted(operation.fragment))) + "}"


def raster(result, path, schedule: Schedule | None = None, kinds: list[str] | None = None,
           title: str = "CA3 memory") -> Path:
    """Spike raster of every population in three panels (inputs, internal, outputs), with each
    operation's window shaded and labelled (green: correct, orange: residual, red: wrong)."""
    plt = _pyplot()
    sizes = {piece.label: piece.size for piece in result.network.populations}
    duration = result.network.n_steps * result.network.dt
    heights = [sum(sizes[p] for p in labels) + len(labels) for _, labels in PANELS]
    figure, axes = plt.subplots(3, 1, sharex=True, figsize=(min(18.0, 5.0 + duration / 25.0), 8.0),
                                gridspec_kw={"height_ratios": [max(h, 4) for h in heights]})
    colours = plt.get_cmap("tab10")
    for axis, (name, labels) in zip(axes, PANELS):
        offset, ticks = 0, []
        for n, label in enumerate(labels):
            times, indices = result.spikes(label)
            axis.scatter(times, indices + offset, s=6, marker="|" if sizes[label] < 40 else ".",
                         color=colours(n % 10), linewidths=1.0)
            ticks.append(offset + (sizes[label] - 1) / 2)
            offset += sizes[label] + 1
            if n < len(labels) - 1:
                axis.axhline(offset - 1, color="0.85", linewidth=0.5)
        axis.set_yticks(ticks)
        axis.set_yticklabels(labels, fontsize=7)
        axis.set_ylim(offset, -1)  # first population on top
        axis.set_ylabel(name)
        axis.set_xlim(-1, duration)
    if schedule is not None:
        _mark_operations(axes, schedule, kinds, duration)
    axes[-1].set_xlabel("time (ms)")
    figure.suptitle(title)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _mark_operations(axes, schedule: Schedule, kinds, duration: float) -> None:
    fill = {"correct": "#2ca02c", "residual": "#ff7f0e", "wrong": "#d62728"}
    ends = list(schedule.starts[1:]) + [duration]
    label_them = len(schedule) <= 60
    for index, (operation, start, end) in enumerate(zip(schedule.operations, schedule.starts, ends)):
        colour = fill.get(kinds[index], "0.5") if kinds else ("0.5" if index % 2 else "0.7")
        for axis in axes:
            axis.axvspan(start, end, color=colour, alpha=0.08 if index % 2 else 0.15, linewidth=0)
            axis.axvline(start, color="0.6", linewidth=0.4)
        if label_them:
            axes[0].text((start + end) / 2, 1.01, short_name(operation), transform=axes[0].get_xaxis_transform(),
                         ha="center", va="bottom", fontsize=6, color=colour if kinds else "0.2",
                         rotation=0 if len(schedule) <= 15 else 90)


def save_bar(path, labels, values, ylabel: str, title: str, ylim=(0, 1.05)) -> Path:
    """Write a bar chart of ``values``, one bar per label, to the PNG ``path``; ``ylim`` None: automatic."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(max(4.0, 0.5 * len(labels) + 2), 3.5))
    axis.bar(np.arange(len(labels)), values, color="#1f77b4")
    axis.set_xticks(np.arange(len(labels)))
    axis.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    if ylim:
        axis.set_ylim(*ylim)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return Path(path)


def save_lines(path, x, series: dict, xlabel: str, ylabel: str, title: str, ylim=(0, 1.05)) -> Path:
    """One line per entry of ``series`` (label -> y values over ``x``)."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 4.0))
    for label, y in series.items():
        axis.plot(x, y, marker="o", label=label)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    if ylim:
        axis.set_ylim(*ylim)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return Path(path)


def save_matrix(path, matrix, xlabel: str, ylabel: str, title: str, xticks=None, yticks=None,
                cmap: str = "viridis", vmin=None, vmax=None, annotate: bool = False) -> Path:
    """Write ``matrix`` as a heat map with a colour bar to the PNG ``path``.

    ``xticks``/``yticks`` label the columns/rows; ``vmin``/``vmax`` fix the colour range (None: the
    data's); ``annotate`` prints each value (2 decimals) in its cell.
    """
    plt = _pyplot()
    matrix = np.asarray(matrix, float)
    figure, axis = plt.subplots(figsize=(max(4.0, 0.45 * matrix.shape[1] + 2), max(3.0, 0.3 * matrix.shape[0] + 1.5)))
    image = axis.imshow(matrix, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, origin="upper")
    figure.colorbar(image, ax=axis)
    if xticks is not None:
        axis.set_xticks(np.arange(len(xticks)))
        long = max(len(str(t)) for t in xticks) > 4
        axis.set_xticklabels(xticks, fontsize=8, rotation=40 if long else 0, ha="right" if long else "center")
    if yticks is not None:
        axis.set_yticks(np.arange(len(yticks)))
        axis.set_yticklabels(yticks, fontsize=8)
    if annotate:
        for (i, j), value in np.ndenumerate(matrix):
            axis.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="w")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return Path(path)
