"""The models ``biomem export`` knows how to build: a name from ``models/*.toml`` -> a network.

- ``ca3-cam``: :func:`biomem.models.ca3.network.build_network` driven by a testbench
  (``--input``: the authors' JSON ``{"simTime", "cue", "cont"}``; default: the functional experiment),
  1 ms steps. ``--set`` takes the model configuration's parameters (``cue_size``/``content_size``:
  0 = the testbench's) and the CA3 weights (``w_exc``, ``w_cont_cond``, ``w_cond_int``, ``stdp_tau``,
  ``stdp_amplitude``, ``w_max``);
- ``coba`` / ``cuba``: :mod:`biomem.models.benchmarks`' networks with the configuration's parameters
  (``duration``, ``dt`` and the network's own);
- ``hebbian-two-layer``: a trained Hebbian/dense memory as feature neurons and memory units
  (:mod:`biomem.hebbian.two_layer`), one trial per noisy cue, 1 ms steps; ``info`` carries the
  retrieval ``task`` that ``--check`` decodes and, for P > 2, the ``approximations`` the export must
  accept (:func:`biomem.export.api.export` raises UnsupportedFeature for them without ``--approximate``).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from biomem.errors import BiomemError

# The authors' functional experiment (shared/reference/ca3_cam.md): inputs only.
FUNCTIONAL = {
    "simTime": 90,
    "cue": [[0, 1, 2, 30], [], [], [20, 21, 22, 60, 61, 62, 70], [10, 11, 12]],
    "cont": [[0, 1, 2, 50], [0, 1, 2, 10, 11, 12, 60, 61, 62], [], [60, 61, 62], [20, 21, 22, 50, 60, 61, 62],
             [10, 11, 12, 20, 21, 22], [10, 11, 12, 20, 21, 22, 40, 80], [], [0, 1, 2, 60, 61, 62], [0, 1, 2]],
}
CA3_WEIGHTS = ("w_exc", "w_cont_cond", "w_cond_int", "stdp_tau", "stdp_amplitude", "w_max")
SUPPORTED = ("ca3-cam", "coba", "cuba", "hebbian-two-layer")


def load_testbench(path) -> dict:
    """``{"simTime", "cue", "cont"}`` from a file, validated by the CA3 module's loader when it exists."""
    try:
        from biomem.models.ca3 import testbench as loader
    except ImportError:
        loader = None
    if loader is not None and hasattr(loader, "load"):
        bench = loader.load(path)
        return {"simTime": bench.sim_time, "cue": [list(t) for t in bench.cue], "cont": [list(t) for t in bench.cont]}
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise BiomemError("--input", f"cannot read {path}: {error.strerror}", "a testbench JSON file") from None
    except json.JSONDecodeError as error:
        raise BiomemError("--input", f"invalid JSON: {error.msg} (line {error.lineno})",
                          "a testbench JSON file") from None
    if not isinstance(data, dict) or any(k not in data for k in ("simTime", "cue", "cont")):
        raise BiomemError("--input", "missing simTime, cue or cont",
                          '{"simTime": T, "cue": [[t, ...]], "cont": [[t, ...]]}')
    sim_time = data["simTime"]
    if isinstance(sim_time, bool) or not isinstance(sim_time, (int, float)) or sim_time < 1:
        raise BiomemError("simTime", f"not a positive number of ms: {sim_time!r}", "an integer >= 1")
    for key in ("cue", "cont"):
        trains = data[key]
        if not isinstance(trains, list) or any(not isinstance(t, list) for t in trains):
            raise BiomemError(key, "expected a list of lists of spike times", "[[t, ...], ...]")
        for train in trains:
            for t in train:
                if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < sim_time:
                    raise BiomemError(key, f"spike time {t!r} outside [0, simTime)", "times in ms in [0, simTime)")
    return {"simTime": sim_time, "cue": [sorted(t) for t in data["cue"]], "cont": [sorted(t) for t in data["cont"]]}


def _split_assignments(assignments) -> dict[str, str]:
    values = {}
    for assignment in assignments or []:
        if "=" not in assignment:
            raise BiomemError("--set", f"expected NAME=VALUE, got {assignment!r}", "NAME=VALUE")
        name, value = assignment.split("=", 1)
        values[name.strip()] = value.strip()
    return values


def _config(name: str):
    try:
        from biomem.models import registry
    except ImportError:
        return None
    try:
        return registry.get(name)
    except BiomemError:
        return None


def build(name: str, assignments=None, input_path=None, seed: int = 0):
    """``(network, duration_ms, dt_ms, info)`` for model ``name``."""
    if name not in SUPPORTED:
        raise BiomemError("model", f"{name!r} cannot be exported yet", ", ".join(SUPPORTED))
    values = _split_assignments(assignments)
    if name == "ca3-cam":
        return _ca3(values, input_path)
    if input_path is not None:
        raise BiomemError("--input", f"{name} takes no input file", "only ca3-cam reads a testbench")
    if name == "hebbian-two-layer":
        return _hebbian(values, seed)
    from biomem.models import benchmarks

    builder = getattr(benchmarks, f"{name}_network", None)
    if builder is None:
        raise BiomemError("model", f"biomem.models.benchmarks has no {name}_network", "ca3-cam")
    config = _config(name)
    params = config.resolve([f"{k}={v}" for k, v in values.items()]) if config else {}
    if config is None and values:
        raise BiomemError("--set", f"{name} has no configuration to check parameters against", "no --set")
    accepted = inspect.signature(builder).parameters
    network = builder(**{k: v for k, v in params.items() if k in accepted})
    duration = float(params.get("duration", 1000.0))
    dt = float(params.get("dt", 0.1))
    return network, duration, dt, {"model": name, "parameters": params}


def _ca3(values: dict, input_path):
    from biomem.description import validate as check
    from biomem.models.ca3.network import CA3Parameters, build_network

    weights = {}
    for key in CA3_WEIGHTS:
        if key in values:
            try:
                weights[key] = check.positive(key, float(values.pop(key)))
            except ValueError as error:
                if isinstance(error, BiomemError):
                    raise
                raise BiomemError(key, "not a number", "a positive number") from None
    config = _config("ca3-cam")
    params = {}
    if config is not None:
        params = config.resolve([f"{k}={v}" for k, v in values.items()])
    elif values:
        raise BiomemError("--set", f"unknown parameter {next(iter(values))!r}", ", ".join(CA3_WEIGHTS))
    bench = load_testbench(input_path) if input_path is not None else FUNCTIONAL
    cue_size, content_size = len(bench["cue"]), len(bench["cont"])
    for key, actual in (("cue_size", cue_size), ("content_size", content_size)):
        wanted = params.get(key, 0)
        if wanted and wanted != actual:
            raise BiomemError(key, f"{wanted} but the testbench has {actual}", f"0 or {actual}")
    network = build_network(cue_size, content_size, bench["cue"], bench["cont"], CA3Parameters(**weights))
    info = {"model": "ca3-cam", "cue_size": cue_size, "content_size": content_size,
            "testbench": str(input_path) if input_path else "functional (built in)", "weights": weights,
            "parameters": params}
    return network, float(bench["simTime"]), 1.0, info


def _hebbian(values: dict, seed: int):
    """The two-layer network of a trained Hebbian memory; the polynomial unit of P > 2 is built
    approximated and listed in ``info["approximations"]`` for the export to accept or refuse."""
    from biomem.hebbian.two_layer_task import from_parameters

    config = _config("hebbian-two-layer")
    if config is None:
        raise BiomemError("model", "models/hebbian-two-layer.toml is missing", "a biomem checkout with models/")
    params = config.resolve([f"{k}={v}" for k, v in values.items()])
    built = from_parameters(params, seed, approximate=True)
    info = {"model": "hebbian-two-layer", "parameters": params, "task": built.task,
            "approximations": built.approximations}
    return built.network, built.duration, built.dt, info
