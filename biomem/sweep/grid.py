"""Parameter grids of a sweep: ``NAME=START:STOP:NUM`` (``numpy.linspace``) or ``NAME=V1,V2,...``.

A grid is the outer product of its axes, in the order given; each point's parameters are the
model's defaults, overridden by ``--set``, overridden by the point's axis values, every value
checked against the model's parameter schema. Each point's seed is derived from the run seed and
the point's grid indices with ``numpy.random.SeedSequence(run_seed, spawn_key=indices)``, so a point
gets the same seed however the sweep is split, ordered, interrupted or resumed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from biomem.errors import BiomemError


@dataclass(frozen=True)
class Axis:
    """One grid axis: a parameter name, its values and the ``--grid`` text it came from."""

    name: str
    values: tuple
    spec: str

    def __len__(self) -> int:
        return len(self.values)


def _number(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BiomemError("--grid", f"{what} of {spec!r} is not a number: {text!r}", "NAME=START:STOP:NUM") from None
    if not math.isfinite(value):
        raise BiomemError("--grid", f"{what} of {spec!r} must be finite, got {text!r}", "finite numbers")
    return value


def parse_axis(spec: str, config) -> Axis:
    """One ``--grid`` option checked against ``config``'s parameter schema."""
    if "=" not in spec:
        raise BiomemError("--grid", f"expected NAME=START:STOP:NUM, got {spec!r}", "NAME=START:STOP:NUM or NAME=V1,V2")
    name, _, body = spec.partition("=")
    name = name.strip()
    if name not in config.parameters:
        raise BiomemError("--grid", f"{config.name} has no parameter {name!r}", ", ".join(config.parameters))
    parameter = config.parameters[name]
    if parameter.type == "str":
        raise BiomemError("--grid", f"{name} is text and cannot be swept", "int, float or bool parameters")
    if ":" in body:
        parts = body.split(":")
        if len(parts) != 3:
            raise BiomemError("--grid", f"expected START:STOP:NUM in {spec!r}", "NAME=START:STOP:NUM")
        if parameter.type == "bool":
            raise BiomemError("--grid", f"{name} is a boolean", f"{name}=true,false")
        start, stop = _number(parts[0], "START", spec), _number(parts[1], "STOP", spec)
        try:
            num = int(parts[2])
        except ValueError:
            raise BiomemError("--grid", f"NUM of {spec!r} is not an integer: {parts[2]!r}", "an integer >= 1") from None
        if num < 1:
            raise BiomemError("--grid", f"NUM of {spec!r} must be at least 1, got {num}", "an integer >= 1")
        if num == 1 and start != stop:
            raise BiomemError("--grid", f"{spec!r} has one point but START != STOP", "START = STOP when NUM = 1")
        raw = np.linspace(start, stop, num)
        if parameter.type == "int":
            if not np.allclose(raw, np.round(raw), rtol=0, atol=1e-9):
                raise BiomemError("--grid", f"{spec!r} gives non-integer values for the integer {name}",
                                  "START, STOP and NUM giving integers")
            values = tuple(parameter.check(int(round(v))) for v in raw)
        else:
            values = tuple(parameter.check(float(v)) for v in raw)
    else:
        values = tuple(parameter.parse(text) for text in body.split(","))
    if len(set(values)) != len(values):
        raise BiomemError("--grid", f"{spec!r} repeats a value", "distinct values")
    return Axis(name, values, spec)


class Grid:
    """Axes of a sweep and the parameters and seed of each point."""

    def __init__(self, axes: list[Axis], base: dict):
        self.axes = list(axes)
        self.base = dict(base)

    @property
    def names(self) -> list[str]:
        """Parameter name of each axis, in axis order."""
        return [a.name for a in self.axes]

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values on each axis."""
        return tuple(len(a) for a in self.axes)

    @property
    def size(self) -> int:
        """Number of grid points, the product of :attr:`shape`."""
        return int(np.prod(self.shape))

    def indices(self):
        """An iterator over every point's index tuple, in C order (last axis fastest)."""
        return itertools.product(*(range(n) for n in self.shape))

    def params(self, index: tuple[int, ...]) -> dict:
        """All parameters of the point at ``index``: the base values with each axis's value set."""
        values = dict(self.base)
        values.update({a.name: a.values[i] for a, i in zip(self.axes, index)})
        return values

    @property
    def fixed(self) -> dict:
        """Parameters shared by all points (the gridded ones left out)."""
        return {k: v for k, v in self.base.items() if k not in self.names}

    def describe(self) -> list[dict]:
        """The axes as ``[{"name": ..., "values": [...]}, ...]``, JSON-ready (a store's identity)."""
        return [{"name": a.name, "values": list(a.values)} for a in self.axes]


def point_seed(run_seed: int, index: tuple[int, ...]) -> int:
    """Seed of one grid point: ``SeedSequence(run_seed, spawn_key=index)``, as a 63-bit integer."""
    state = np.random.SeedSequence(int(run_seed), spawn_key=tuple(int(i) for i in index)).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def build(config, specs: list[str], assignments: list[str] | None = None) -> Grid:
    """Grid of ``config`` from ``--grid`` specs and ``--set`` assignments."""
    if not specs:
        raise BiomemError("--grid", "no grid given", "at least one NAME=START:STOP:NUM")
    base = config.resolve(assignments or [])
    set_names = {a.split("=", 1)[0].strip() for a in assignments or []}
    axes = []
    for spec in specs:
        axis = parse_axis(spec, config)
        if axis.name in {a.name for a in axes}:
            raise BiomemError("--grid", f"{axis.name} is gridded twice", "each parameter once")
        if axis.name in set_names:
            raise BiomemError("--grid", f"{axis.name} is both gridded and set with --set", "one of the two")
        axes.append(axis)
    return Grid(axes, base)
