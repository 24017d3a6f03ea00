"""Runnable model configurations: the TOML files in the top-level ``models/`` folder.

Each file declares a model's name, summary, reference, the entry points that run it and
a schema of its parameters::

    name = "coba"
    summary = "Vogels-Abbott benchmark network"
    reference = "Brette et al. 2007"
    run = "biomem.models.benchmarks:run_coba"          # `biomem run`
    [sweep]                                            # optional, `biomem sweep`
    theory = "biomem.models.kuramoto.sweeps:theory_point"
    montecarlo = "biomem.models.kuramoto.sweeps:simulation_point"
    [parameters.n_neurons]
    type = "int"          # int | float | bool | str
    default = 4000
    min = 10              # optional bounds (inclusive); "min_open"/"max_open" = true for strict
    choices = [...]       # optional, for str
    unit = ""
    doc = "number of neurons"

Entry points must live in ``biomem.models``: a configuration can name code, never import
anything else. ``--set NAME=VALUE`` strings are parsed against the schema (no eval).
"""

from __future__ import annotations

import importlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from biomem.errors import BiomemError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
_ENTRY_PREFIX = "biomem.models."
_TYPES = ("int", "float", "bool", "str")


@dataclass(frozen=True)
class Parameter:
    """One entry of a model's parameter schema: type, default, optional bounds or choices, unit and meaning.

    ``min``/``max`` are inclusive unless ``min_open``/``max_open``; ``choices`` applies to ``str``.
    """

    name: str
    type: str
    default: Any
    min: float | None = None
    max: float | None = None
    min_open: bool = False
    max_open: bool = False
    choices: tuple | None = None
    unit: str = ""
    doc: str = ""

    def accepted(self) -> str:
        """What the parameter accepts, in words (for tables and error lines)."""
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.type == "bool":
            return "true or false"
        low = "" if self.min is None else f"{'>' if self.min_open else '>='} {self.min:g}"
        high = "" if self.max is None else f"{'<' if self.max_open else '<='} {self.max:g}"
        bounds = " and ".join(b for b in (low, high) if b)
        kind = {"int": "an integer", "float": "a finite number", "str": "text"}[self.type]
        return f"{kind} {bounds}".strip()

    def parse(self, text: str) -> Any:
        """Convert a command-line string to this parameter's type and check it."""
        if self.type == "bool":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise BiomemError(self.name, f"not a boolean: {text!r}", self.accepted())
            return self.check(lowered in ("true", "1", "yes"))
        if self.type == "int":
            try:
                value = int(text.strip())
            except ValueError:
                raise BiomemError(self.name, f"not an integer: {text!r}", self.accepted()) from None
            return self.check(value)
        if self.type == "float":
            try:
                value = float(text.strip())
            except ValueError:
                raise BiomemError(self.name, f"not a number: {text!r}", self.accepted()) from None
            return self.check(value)
        return self.check(text)

    def check(self, value: Any) -> Any:
        """Validate an already-typed value."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise BiomemError(self.name, f"not a boolean: {value!r}", self.accepted())
            return value
        if self.type == "str":
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise BiomemError(self.name, f"unknown value {value!r}", self.accepted())
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BiomemError(self.name, f"not a number: {value!r}", self.accepted())
        if self.type == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise BiomemError(self.name, f"not an integer: {value!r}", self.accepted())
                value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise BiomemError(self.name, f"must be finite, got {value}", self.accepted())
        too_low = self.min is not None and (value < self.min or (self.min_open and value == self.min))
        too_high = self.max is not None and (value > self.max or (self.max_open and value == self.max))
        if too_low or too_high:
            raise BiomemError(self.name, f"out of range: {value}", self.accepted())
        return value


@dataclass(frozen=True)
class ModelConfig:
    """One model configuration file: name, summary, reference, entry points and parameter schema.

    ``run`` and the values of ``sweep`` are ``module:function`` targets; ``path`` is the TOML file;
    ``extra`` holds the file's other top-level keys.
    """

    name: str
    summary: str
    reference: str
    run: str | None
    sweep: dict
    parameters: dict[str, Parameter]
    path: Path
    extra: dict = field(default_factory=dict)

    def defaults(self) -> dict[str, Any]:
        """Each parameter's default value, by name."""
        return {name: p.default for name, p in self.parameters.items()}

    def resolve(self, assignments: list[str] | dict | None = None) -> dict[str, Any]:
        """Defaults overridden by ``NAME=VALUE`` strings (or a dict of typed values), all validated."""
        values = self.defaults()
        items = assignments.items() if isinstance(assignments, dict) else [_split(a) for a in assignments or []]
        for name, value in items:
            if name not in self.parameters:
                raise BiomemError("--set", f"{self.name} has no parameter {name!r}",
                                  ", ".join(self.parameters) or "no parameters")
            parameter = self.parameters[name]
            values[name] = parameter.parse(value) if isinstance(value, str) and parameter.type != "str" \
                else parameter.check(value)
        return values

    def entry(self, kind: str) -> Callable:
        """The function a configuration names for ``kind`` ("run", "theory", "montecarlo")."""
        target = self.run if kind == "run" else self.sweep.get(kind)
        if not target:
            offered = ["run"] if self.run else []
            offered += list(self.sweep)
            raise BiomemError("method" if kind != "run" else "model",
                              f"{self.name} has no {kind} entry", ", ".join(offered) or "none")
        return load_entry(target, f"{self.path.name}:{kind}")


def _split(assignment: str) -> tuple[str, str]:
    if "=" not in assignment:
        raise BiomemError("--set", f"expected NAME=VALUE, got {assignment!r}", "NAME=VALUE")
    name, value = assignment.split("=", 1)
    return name.strip(), value


def load_entry(target: str, where: str) -> Callable:
    """Import the function named by ``target`` (``biomem.models.<module>:<function>``).

    Any other target is refused with a BiomemError naming ``where``.
    """
    module, _, attribute = target.partition(":")
    if not module.startswith(_ENTRY_PREFIX) or not attribute.isidentifier():
        raise BiomemError(where, f"entry point {target!r} is not allowed", "biomem.models.<module>:<function>")
    return getattr(importlib.import_module(module), attribute)


def _parameter(name: str, spec: dict, where: str) -> Parameter:
    kind = spec.get("type")
    if kind not in _TYPES:
        raise BiomemError(f"{where}: parameters.{name}.type", f"unknown type {kind!r}", ", ".join(_TYPES))
    choices = spec.get("choices")
    parameter = Parameter(name=name, type=kind, default=spec.get("default"), min=spec.get("min"),
                          max=spec.get("max"), min_open=bool(spec.get("min_open", False)),
                          max_open=bool(spec.get("max_open", False)),
                          choices=tuple(choices) if choices else None,
                          unit=str(spec.get("unit", "")), doc=str(spec.get("doc", "")))
    parameter.check(parameter.default)
    return parameter


def load(path: Path) -> ModelConfig:
    """Read and validate the model configuration in the TOML file ``path``."""
    with open(path, "rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise BiomemError(str(path), f"invalid TOML: {error}", "a TOML model configuration") from None
    for key in ("name", "summary"):
        if not isinstance(data.get(key), str):
            raise BiomemError(f"{path.name}: {key}", "missing", "a string")
    parameters = {name: _parameter(name, spec, path.name) for name, spec in data.get("parameters", {}).items()}
    known = {"name", "summary", "reference", "run", "sweep", "parameters"}
    return ModelConfig(name=data["name"], summary=data["summary"], reference=data.get("reference", ""),
                       run=data.get("run"), sweep=dict(data.get("sweep", {})), parameters=parameters, path=path,
                       extra={k: v for k, v in data.items() if k not in known})


def all_models(directory: Path = MODELS_DIR) -> dict[str, ModelConfig]:
    """Every configuration in ``directory``'s ``*.toml`` files, by model name (files in name order)."""
    models = {}
    for path in sorted(directory.glob("*.toml")):
        config = load(path)
        models[config.name] = config
    return models


def get(name: str, directory: Path = MODELS_DIR) -> ModelConfig:
    """The configuration of the model called ``name``; a BiomemError if there is none."""
    models = all_models(directory)
    if name not in models:
        raise BiomemError("model", f"unknown model {name!r}", ", ".join(models) or "none installed")
    return models[name]
