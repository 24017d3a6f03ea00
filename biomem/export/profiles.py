"""Hardware target profiles: the TOML files in the top-level ``hardware/`` folder.

A profile states what a neuromorphic target can express and at what precision; the
exporters, the quantiser and the core mapper read it and never hard-code a limit.
Schema (every key is checked; an unknown key or a wrong type is a one-line error)::

    name = "loihi"                     # identifier-like: letters, digits, '-', '_'
    summary = "Intel Loihi 1 through nengo-loihi 1.1 (emulator)"
    exporter = "loihi"                 # nengo | loihi | pynn | spinnaker | nir
    source = "shared/reference/ecosystem.md"   # where the numbers come from (free text)

    [time]
    dt_ms = [1.0]                      # time steps the target runs; [] = any
    delay_min_steps = 1                # synaptic delays it can express, in steps
    delay_max_steps = 144
    delay_local_steps = 16             # optional: longer delays need extra (delay-extension) cores

    [numerics]
    weight_bits = 8                    # 0: floating point
    weight_scaling = "per_projection"  # per_projection | per_target_receptor | none
    weight_exponent_min = -8           # exponent range of the shared scale (per_projection)
    weight_exponent_max = 7
    decay_bits = 12                    # fraction bits of the decay factors; 0: floating point
    voltage_fraction_bits = 0          # fixed-point fraction bits of v and thresholds (mV); 0: float
    threshold_bits = 17                # mantissa bits of the threshold relative to its range; 0: exact
    refractory = "steps"               # steps | none (the target has no refractory period)

    [limits]
    neurons_per_core = 1024
    input_axons_per_core = 4096        # distinct source neurons a core can receive from; 0: unlimited
    output_axons_per_core = 4096       # 0: unlimited
    synapse_memory_bits = 1048576      # per core; 0: unlimited
    synapse_overhead = "loihi"         # loihi | flat: how synapse memory is counted
    bits_per_synapse = 8
    cores_per_chip = 128
    chips_per_board = 32
    sources_use_cores = false          # spike sources occupy cores (SpiNNaker) or not (host input)
    source_neurons_per_core = 256

    [features]
    neuron_types = ["IF_curr_exp"]
    plasticity = []                    # e.g. ["STDP"]
    reset = ["to_v_reset"]
    separate_synaptic_time_constants = true   # tau_syn_E != tau_syn_I within a population
    initial_voltage = true             # a membrane potential other than rest at t = 0
    constant_current = true            # i_offset
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from biomem.errors import BiomemError

HARDWARE_DIR = Path(__file__).resolve().parents[2] / "hardware"
EXPORTERS = ("nengo", "loihi", "pynn", "spinnaker", "nir")
WEIGHT_SCALINGS = ("per_projection", "per_target_receptor", "none")
REFRACTORY = ("steps", "none")
SYNAPSE_OVERHEAD = ("loihi", "flat")
NEURON_TYPES = ("IF_curr_exp", "IF_cond_exp")
PLASTICITY = ("STDP",)
RESETS = ("to_v_reset",)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

# section -> key -> (kind, default, low, high); kind in int, float, bool, str, floats, strs
_SCHEMA: dict[str, dict[str, tuple]] = {
    "time": {
        "dt_ms": ("floats", [], 0.0, None),
        "delay_min_steps": ("int", 1, 0, None),
        "delay_max_steps": ("int", 1 << 30, 1, None),
        "delay_local_steps": ("int", 0, 0, None),
    },
    "numerics": {
        "weight_bits": ("int", 0, 0, 64),
        "weight_scaling": ("str", "none", WEIGHT_SCALINGS, None),
        "weight_exponent_min": ("int", -64, None, None),
        "weight_exponent_max": ("int", 64, None, None),
        "decay_bits": ("int", 0, 0, 64),
        "voltage_fraction_bits": ("int", 0, 0, 64),
        "threshold_bits": ("int", 0, 0, 64),
        "refractory": ("str", "steps", REFRACTORY, None),
    },
    "limits": {
        "neurons_per_core": ("int", 0, 0, None),
        "input_axons_per_core": ("int", 0, 0, None),
        "output_axons_per_core": ("int", 0, 0, None),
        "synapse_memory_bits": ("int", 0, 0, None),
        "synapse_overhead": ("str", "flat", SYNAPSE_OVERHEAD, None),
        "bits_per_synapse": ("int", 32, 1, None),
        "cores_per_chip": ("int", 0, 0, None),
        "chips_per_board": ("int", 0, 0, None),
        "sources_use_cores": ("bool", False, None, None),
        "source_neurons_per_core": ("int", 0, 0, None),
    },
    "features": {
        "neuron_types": ("strs", list(NEURON_TYPES), NEURON_TYPES, None),
        "plasticity": ("strs", [], PLASTICITY, None),
        "reset": ("strs", list(RESETS), RESETS, None),
        "separate_synaptic_time_constants": ("bool", True, None, None),
        "initial_voltage": ("bool", True, None, None),
        "constant_current": ("bool", True, None, None),
    },
}
_TOP = {"name": "str", "summary": "str", "exporter": "str", "source": "str"}


@dataclass(frozen=True)
class Profile:
    """A validated hardware profile; section values are plain dicts with every key filled in."""

    name: str
    summary: str
    exporter: str
    source: str
    time: dict
    numerics: dict
    limits: dict
    features: dict
    path: Path | None = None
    extra: dict = field(default_factory=dict)

    # Convenience accessors used throughout the exporters.
    @property
    def neurons_per_core(self) -> int:
        """The most neurons one core of the target holds (``limits.neurons_per_core``)."""
        return self.limits["neurons_per_core"]

    def allows_dt(self, dt: float) -> bool:
        """Whether the target runs time step ``dt`` (ms)."""
        allowed = self.time["dt_ms"]
        return not allowed or any(math.isclose(dt, a, rel_tol=1e-9) for a in allowed)

    def to_dict(self) -> dict:
        """Plain dict for the report."""
        return {"name": self.name, "summary": self.summary, "exporter": self.exporter, "source": self.source,
                "time": dict(self.time), "numerics": dict(self.numerics), "limits": dict(self.limits),
                "features": dict(self.features), "path": str(self.path) if self.path else None}


def _fail(where: str, key: str, problem: str, accepted: str) -> BiomemError:
    return BiomemError(f"{where}: {key}", problem, accepted)


def _value(where: str, key: str, value, spec: tuple):
    kind, _, low, high = spec
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, key, f"expected an integer, got {value!r}", "an integer")
        if (low is not None and value < low) or (high is not None and value > high):
            accepted = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"
            raise _fail(where, key, f"out of range: {value}", accepted)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _fail(where, key, f"expected true or false, got {value!r}", "true or false")
        return value
    if kind == "str":
        if not isinstance(value, str) or value not in low:
            raise _fail(where, key, f"unknown value {value!r}", "one of " + ", ".join(low))
        return value
    if kind == "floats":
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value):
            raise _fail(where, key, f"expected a list of numbers, got {value!r}", "a list of numbers (ms)")
        if any(not math.isfinite(v) or v <= low for v in value):
            raise _fail(where, key, f"non-positive or non-finite entry in {value!r}", "numbers > 0")
        return [float(v) for v in value]
    if kind == "strs":
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            raise _fail(where, key, f"expected a list of names, got {value!r}", ", ".join(low))
        unknown = [v for v in value if v not in low]
        if unknown:
            raise _fail(where, key, f"unknown entry {unknown[0]!r}", "entries from " + ", ".join(low))
        return list(value)
    raise AssertionError(kind)


def from_dict(data: dict, where: str = "profile", path: Path | None = None) -> Profile:
    """Validate a parsed TOML document and build a :class:`Profile`."""
    if not isinstance(data, dict):
        raise BiomemError(where, "expected a TOML table", "a hardware profile")
    for key in ("name", "exporter"):
        if key not in data:
            raise _fail(where, key, "missing", "a string")
    for key, kind in _TOP.items():
        if key in data and not isinstance(data[key], str):
            raise _fail(where, key, f"expected a string, got {data[key]!r}", "a string")
    if not _NAME.match(data["name"]):
        raise _fail(where, "name", f"not a valid profile name: {data['name']!r}",
                    "letters, digits, '-' and '_', starting with a letter")
    if data["exporter"] not in EXPORTERS:
        raise _fail(where, "exporter", f"unknown exporter {data['exporter']!r}", ", ".join(EXPORTERS))
    unknown = [k for k in data if k not in _TOP and k not in _SCHEMA]
    if unknown:
        raise _fail(where, unknown[0], "unknown key", ", ".join(list(_TOP) + list(_SCHEMA)))
    sections = {}
    for section, schema in _SCHEMA.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            raise _fail(where, section, "expected a table", f"[{section}]")
        extra = [k for k in given if k not in schema]
        if extra:
            raise _fail(where, f"{section}.{extra[0]}", "unknown key", ", ".join(schema))
        values = {}
        for key, spec in schema.items():
            values[key] = _value(where, f"{section}.{key}", given[key], spec) if key in given else (
                list(spec[1]) if isinstance(spec[1], list) else spec[1])
        sections[section] = values
    numerics, time = sections["numerics"], sections["time"]
    if numerics["weight_exponent_min"] > numerics["weight_exponent_max"]:
        raise _fail(where, "numerics.weight_exponent_min", "is above weight_exponent_max",
                    "weight_exponent_min <= weight_exponent_max")
    if time["delay_min_steps"] > time["delay_max_steps"]:
        raise _fail(where, "time.delay_min_steps", "is above delay_max_steps", "delay_min_steps <= delay_max_steps")
    if numerics["weight_scaling"] != "none" and numerics["weight_bits"] == 0:
        raise _fail(where, "numerics.weight_scaling", f"{numerics['weight_scaling']!r} needs weight_bits > 0",
                    "weight_bits >= 1, or weight_scaling = \"none\"")
    return Profile(name=data["name"], summary=data.get("summary", ""), exporter=data["exporter"],
                   source=data.get("source", ""), path=path, **sections)


def load(path) -> Profile:
    """Read and validate a profile TOML file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise BiomemError("--profile", f"no such file: {path}", "a hardware profile TOML file") from None
    except IsADirectoryError:
        raise BiomemError("--profile", f"is a directory: {path}", "a hardware profile TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise BiomemError(path.name, f"invalid TOML: {error}", "a hardware profile TOML file") from None
    return from_dict(data, path.name, path)


def available(directory: Path = HARDWARE_DIR) -> dict[str, Profile]:
    """Every profile in ``directory``, by name."""
    profiles = {}
    for path in sorted(Path(directory).glob("*.toml")):
        profile = load(path)
        profiles[profile.name] = profile
    return profiles


def get(name: str, directory: Path = HARDWARE_DIR) -> Profile:
    """The shipped profile called ``name`` (a file ``hardware/<name>.toml``)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise BiomemError("profile", f"not a valid profile name: {name!r}", "a name such as loihi or spinnaker")
    path = Path(directory) / f"{name}.toml"
    if not path.is_file():
        names = ", ".join(p.stem for p in sorted(Path(directory).glob("*.toml")))
        raise BiomemError("profile", f"unknown profile {name!r}", names or "none installed")
    return load(path)


# Which shipped profile a target uses unless --profile names another.
DEFAULT_PROFILE = {"nengo": "generic-nir", "loihi": "loihi", "pynn": "spinnaker", "spinnaker": "spinnaker",
                   "nir": "generic-nir"}
