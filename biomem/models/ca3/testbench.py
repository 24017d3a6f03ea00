"""The authors' testbench format: ``{"simTime": T, "cue": [[t, ...], ...], "cont": [[t, ...], ...]}``.

``cue[i]`` lists the spike times (ms, integers: the model runs in 1 ms steps) of cue input
neuron i, ``cont[j]`` those of content input neuron j; every time lies in ``[0, simTime)``.
Other keys in a file (a description, recorded spikes) are ignored, so the reference table of
the functional experiment is itself a valid testbench.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

from biomem.errors import BiomemError

_KEYS = ("simTime", "cue", "cont")


@dataclass(frozen=True)
class Testbench:
    """Input spike times of one CA3 run; validated on construction (one BiomemError line per fault)."""

    __test__ = False  # not a pytest test class despite the name

    sim_time: int
    cue: tuple[tuple[int, ...], ...]
    cont: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        sim_time = _time("simTime", self.sim_time)
        if sim_time < 1:
            raise BiomemError("simTime", f"must be at least 1 ms, got {sim_time}", "an integer >= 1 (ms)")
        object.__setattr__(self, "sim_time", sim_time)
        object.__setattr__(self, "cue", _trains("cue", self.cue, sim_time, minimum=2))
        object.__setattr__(self, "cont", _trains("cont", self.cont, sim_time, minimum=1))

    @property
    def cue_size(self) -> int:
        """Number of cue input neurons."""
        return len(self.cue)

    @property
    def content_size(self) -> int:
        """Number of content input neurons."""
        return len(self.cont)

    def check_sizes(self, cue_size: int | None = None, content_size: int | None = None) -> "Testbench":
        """Raise unless the testbench has ``cue_size`` cue and ``content_size`` content neurons (None: any)."""
        if cue_size is not None and cue_size != self.cue_size:
            raise BiomemError("cue", f"has {self.cue_size} neurons but cue_size = {cue_size}",
                              f"one list of times per cue neuron ({cue_size})")
        if content_size is not None and content_size != self.content_size:
            raise BiomemError("cont", f"has {self.content_size} neurons but content_size = {content_size}",
                              f"one list of times per content neuron ({content_size})")
        return self

    @classmethod
    def from_dict(cls, data, cue_size: int | None = None, content_size: int | None = None) -> "Testbench":
        """A testbench from a parsed JSON object in the authors' format, checked against the sizes (None: any)."""
        if not isinstance(data, dict):
            raise BiomemError("testbench", f"expected a JSON object, got {type(data).__name__}",
                              '{"simTime": T, "cue": [[t, ...], ...], "cont": [[t, ...], ...]}')
        missing = [key for key in _KEYS if key not in data]
        if missing:
            raise BiomemError("testbench", f"missing key {', '.join(map(repr, missing))}",
                              '{"simTime": T, "cue": [[t, ...], ...], "cont": [[t, ...], ...]}')
        return cls(data["simTime"], data["cue"], data["cont"]).check_sizes(cue_size, content_size)

    def to_dict(self) -> dict:
        """The testbench in the authors' JSON format (``simTime``, ``cue``, ``cont``)."""
        return {"simTime": self.sim_time, "cue": [list(t) for t in self.cue], "cont": [list(t) for t in self.cont]}

    def spike_count(self) -> int:
        """Total number of input spikes, cue and content."""
        return sum(map(len, self.cue)) + sum(map(len, self.cont))


def read_json(path, name: str = "input"):
    """The JSON value in ``path`` (plain JSON only); unreadable or invalid files are one BiomemError
    line naming ``name``."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise BiomemError(name, f"cannot read {path}: {error.strerror}", "a readable JSON file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise BiomemError(name, f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})",
                          "a JSON testbench") from None


def load(path, cue_size: int | None = None, content_size: int | None = None) -> Testbench:
    """Read a testbench JSON file and validate it."""
    return Testbench.from_dict(read_json(path), cue_size, content_size)


def save(testbench: Testbench, path) -> Path:
    """Write ``testbench`` to ``path`` as JSON in the authors' format; return the path."""
    path = Path(path)
    path.write_text(json.dumps(testbench.to_dict()))
    return path


def _time(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise BiomemError(name, f"expected an integer time in ms, got {value!r}", "integers (ms, 1 ms steps)")
    if isinstance(value, Integral):
        return int(value)
    if not float(value).is_integer():
        raise BiomemError(name, f"{value!r} is not a whole number of ms", "integers (ms, 1 ms steps)")
    return int(value)


def _trains(name: str, trains, sim_time: int, minimum: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(trains, (str, bytes, dict)) or not hasattr(trains, "__iter__"):
        raise BiomemError(name, f"expected a list of spike-time lists, got {type(trains).__name__}",
                          "[[t, ...] for each neuron]")
    trains = list(trains)
    if len(trains) < minimum:
        size = "cue_size" if name == "cue" else "content_size"
        raise BiomemError(name, f"has {len(trains)} neurons, so {size} = {len(trains)} is too small",
                          f"{size} >= {minimum}")
    cleaned = []
    for i, train in enumerate(trains):
        where = f"{name}[{i}]"
        if isinstance(train, (str, bytes, dict)) or not hasattr(train, "__iter__"):
            raise BiomemError(where, f"expected a list of times, got {train!r}", "a list of integer times (ms)")
        times = tuple(_time(where, t) for t in train)
        for t in times:
            if t < 0:
                raise BiomemError(where, f"negative time {t}", "times >= 0 ms")
            if t >= sim_time:
                raise BiomemError(where, f"time {t} is not before simTime = {sim_time}", f"times < {sim_time} ms")
        for a, b in zip(times, times[1:]):
            if b <= a:
                raise BiomemError(where, f"times are not strictly increasing ({a} then {b})",
                                  "sorted times, each at most once")
        cleaned.append(times)
    return tuple(cleaned)
