"""``phase_diagram.png`` beside a sweep store, theory and Monte Carlo overlaid.

Design: stores of the same model and the same grid axes (names, in order) that sit in the same
folder are drawn together, so the usual layout is::

    results/ags/theory.zarr       biomem sweep hopfield --method theory ...
    results/ags/montecarlo.zarr   biomem sweep hopfield --method montecarlo ... (coarser grid)
    results/ags/phase_diagram.png (redrawn after each sweep, with everything found there)

The plotted variable is the store's ``plot_variable`` attribute (set by the point function's
``attrs``), else its first output that varies over the grid. One axis: theory as lines, Monte Carlo as points with ``<variable>_err`` error bars. Two
or more axes: the first two (others at their first value); theory as a colour map with the
boundaries of ``phase_code`` drawn as lines when present, Monte Carlo as disks coloured on the same
scale. Points not computed yet are left blank.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FILENAME = "phase_diagram.png"


def _open(path: Path):
    import xarray as xr
    try:
        return xr.open_zarr(path)
    except Exception:
        return None


def siblings(store: Path) -> list:
    """Datasets in ``store``'s folder with the same model and grid axes (``store`` first)."""
    store = Path(store)
    main = _open(store)
    if main is None:
        return []
    found = [main]
    dims = list(main["done"].dims)
    for other in sorted(store.parent.glob("*.zarr")):
        if other.resolve() == store.resolve():
            continue
        ds = _open(other)
        if ds is not None and "done" in ds and ds.attrs.get("model") == main.attrs.get("model") \
                and list(ds["done"].dims) == dims:
            found.append(ds)
    return found


def _variable(ds) -> str:
    """The ``plot_variable`` attribute (a point function's ``attrs``), else the first output that
    varies over the grid, else the first output."""
    names = json.loads(ds.attrs.get("variables", "[]")) or [v for v in ds.data_vars if v != "done"]
    preferred = ds.attrs.get("plot_variable")
    if preferred in names:
        return preferred
    for name in names:
        values = ds[name].values
        values = values[np.isfinite(values)]
        if values.size and np.ptp(values) > 0:
            return name
    return names[0]


def _slice(ds, keep: int):
    dims = list(ds["done"].dims)
    return ds.isel({d: 0 for d in dims[keep:]}) if len(dims) > keep else ds


def phase_diagram(store: str | Path) -> Path:
    """Draw ``phase_diagram.png`` next to ``store``; returns its path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    store = Path(store)
    datasets = siblings(store)
    path = store.parent / FILENAME
    if not datasets:
        return path
    variable = _variable(datasets[0])
    dims = list(datasets[0]["done"].dims)
    theory = [d for d in datasets if d.attrs.get("method") == "theory"]
    others = [d for d in datasets if d.attrs.get("method") != "theory"]
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    title = f"{datasets[0].attrs.get('model')}: {variable}"
    if len(dims) == 1:
        x = dims[0]
        for ds in theory:
            if variable in ds:
                ax.plot(ds[x], ds[variable].where(ds["done"]), "-", color="k", label=f"theory {variable}")
        for ds in others:
            if variable in ds:
                err = ds.get(f"{variable}_err")
                ax.errorbar(ds[x], ds[variable].where(ds["done"]), yerr=None if err is None else err.values,
                            fmt="o", ms=4, capsize=2, label=f"{ds.attrs.get('method')} {variable}")
        ax.set(xlabel=x, ylabel=variable)
        ax.legend(fontsize=8)
    else:
        x, y = dims[0], dims[1]
        values = [_slice(ds, 2)[variable].where(_slice(ds, 2)["done"]).values for ds in datasets if variable in ds]
        finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        mesh = None
        for ds in theory:
            part = _slice(ds, 2)
            if variable not in part:
                continue
            data = part[variable].where(part["done"]).transpose(y, x)
            mesh = ax.pcolormesh(part[x], part[y], data, shading="nearest", cmap="viridis", vmin=vmin, vmax=vmax)
            if "phase_code" in part and part[x].size > 1 and part[y].size > 1:
                codes = part["phase_code"].where(part["done"]).transpose(y, x).values
                levels = np.unique(codes[np.isfinite(codes)])
                if levels.size > 1:
                    ax.contour(part[x], part[y], codes, levels=(levels[:-1] + levels[1:]) / 2, colors="w",
                               linewidths=1.2)
        for ds in others:
            part = _slice(ds, 2)
            if variable not in part:
                continue
            X, Y = np.meshgrid(part[x], part[y])
            data = part[variable].where(part["done"]).transpose(y, x).values
            sc = ax.scatter(X, Y, c=data, cmap="viridis", vmin=vmin, vmax=vmax, edgecolors="k", s=45,
                            label=f"{ds.attrs.get('method')}")
            mesh = mesh or sc
            ax.legend(fontsize=8, loc="upper right")
        if mesh is not None:
            fig.colorbar(mesh, ax=ax, label=variable)
        ax.set(xlabel=x, ylabel=y)
        if len(dims) > 2:
            title += " (" + ", ".join(f"{d} = {datasets[0][d].values[0]}" for d in dims[2:]) + ")"
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
