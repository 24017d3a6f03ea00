"""The zarr store of a sweep: one array per output over the grid, written point by point.

Layout (readable by ``xarray.open_zarr``): one dimension per grid axis, in order, with the axis
values as coordinates; one float64 variable per output of the point function (``NaN`` until
computed) and a boolean ``done`` mask; attributes ``model``, ``method``, ``seed``, ``grid``
(JSON), ``parameters`` (the fixed, resolved parameters, JSON), ``biomem_version`` and whatever
the point function declares in its ``attrs`` (e.g. phase codes). Each finished point is written
at once into its chunk (zarr replaces chunk files atomically: write to a temporary file, then
rename), values first and ``done`` last: a point counts as finished only once its ``done`` flag is
stored, and finished points are never written again. Only the process that drives the sweep
writes; workers return values.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np

from biomem.errors import BiomemError

IDENTITY_KEYS = ("model", "method", "grid", "parameters", "seed")
CHUNK_POINTS = 4096


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Whole trailing axes up to ~4096 points per chunk."""
    chunks, budget = [], CHUNK_POINTS
    for n in reversed(shape):
        c = max(1, min(n, budget))
        chunks.append(c)
        budget = max(1, budget // c)
    return tuple(reversed(chunks))


def identity(model: str, method: str, grid, seed: int) -> dict:
    """What a store must match to be resumed: model, method, grid, fixed parameters, seed."""
    return {"model": model, "method": method, "grid": json.dumps(grid.describe()),
            "parameters": json.dumps(grid.fixed, sort_keys=True), "seed": int(seed)}


class Store:
    """An opened sweep store (created on the first finished point)."""

    def __init__(self, path: Path, group, variables: list[str]):
        self.path = Path(path)
        self.group = group
        self.variables = variables
        self.done = np.asarray(group["done"][...], dtype=bool)

    @property
    def attrs(self) -> dict:
        """A copy of the store's attributes: its identity (model, method, grid, parameters, seed),
        ``biomem_version``, ``variables`` (JSON) and any the point function declares."""
        return dict(self.group.attrs)

    def write(self, points: list[tuple[tuple[int, ...], dict]]) -> int:
        """Write finished points (skipping any already done); returns how many were written."""
        points = [(i, v) for i, v in points if not self.done[i]]
        if not points:
            return 0
        where = tuple(np.array([i[d] for i, _ in points]) for d in range(self.done.ndim))
        for name in self.variables:
            self.group[name].vindex[where] = np.array([float(v.get(name, np.nan)) for _, v in points])
        self.group["done"].vindex[where] = True
        for i, _ in points:
            self.done[i] = True
        return len(points)


def create(path: Path, grid, ident: dict, variables: list[str], extra_attrs: dict | None = None) -> Store:
    """A new store for ``grid`` with the given output ``variables`` (all NaN, nothing done)."""
    import biomem
    import xarray as xr
    import zarr
    shape = grid.shape
    coords = {a.name: np.array(a.values) for a in grid.axes}
    dims = tuple(grid.names)
    data = {name: (dims, np.full(shape, np.nan)) for name in variables}
    data["done"] = (dims, np.zeros(shape, dtype=bool))
    attrs = dict(extra_attrs or {})
    attrs.update(ident)
    attrs["biomem_version"] = biomem.__version__
    attrs["variables"] = json.dumps(variables)
    dataset = xr.Dataset(data, coords=coords, attrs=attrs)
    chunks = _chunks(shape)
    encoding = {name: {"chunks": chunks} for name in data}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".creating")
    if partial.exists():
        shutil.rmtree(partial)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # zarr v3: "consolidated metadata is not in the spec"
        dataset.to_zarr(partial, mode="w", encoding=encoding, consolidated=True)
    partial.rename(path)                      # a store exists only once complete
    return Store(path, zarr.open_group(str(path), mode="r+"), variables)


def open_existing(path: Path, ident: dict) -> Store:
    """Open a store to resume it; a store made for anything else is refused."""
    import zarr
    path = Path(path)
    try:
        group = zarr.open_group(str(path), mode="r+")
        attrs = dict(group.attrs)
    except Exception:
        raise BiomemError("--out", f"{path} is not a sweep store", "a store written by biomem sweep") from None
    if "model" not in attrs or "done" not in group:
        raise BiomemError("--out", f"{path} is not a sweep store", "a store written by biomem sweep")
    for key in IDENTITY_KEYS:
        if attrs.get(key) != ident[key]:
            mine = attrs.get(key)
            raise BiomemError("--out", f"{path} was made with a different {key} ({_short(mine)}, "
                              f"not {_short(ident[key])})", "a new --out, or the same model, method, grid, --set and --seed")
    for stray in path.rglob("*.partial"):     # temporary chunk files of an interrupted write
        stray.unlink(missing_ok=True)
    return Store(path, group, json.loads(attrs["variables"]))


def _short(value, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
