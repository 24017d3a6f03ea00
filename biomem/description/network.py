"""Populations, projections and the network that holds them.

A network is a plain description: it owns no state and imports no backend. Backends
receive it through :func:`biomem.description.lower` as flat arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.description import validate as check
from biomem.description.cells import CellType
from biomem.description.connectors import Connector
from biomem.description.plasticity import STDP
from biomem.errors import BiomemError

RECEPTORS = ("excitatory", "inhibitory")


@dataclass(frozen=True)
class Uniform:
    """Values drawn uniformly from ``[low, high)`` with the network seed (PyNN's RandomDistribution('uniform'))."""

    low: float
    high: float

    def __post_init__(self):
        check.real("low", self.low)
        check.real("high", self.high)
        if self.high < self.low:
            raise BiomemError("high", f"{self.high:g} below low = {self.low:g}", "high >= low")

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` values drawn from ``rng``, uniform in ``[low, high)``."""
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True, eq=False)
class Population:
    """``size`` neurons of one cell type.

    ``initial_v`` (mV) is a number, an array of ``size`` values or a :class:`Uniform`;
    by default the membrane starts at ``v_rest``. ``record`` names what to record, from
    ``cell.recordable`` ("spikes", "v", "isyn_exc", ...).
    """

    label: str
    size: int
    cell: CellType
    initial_v: object = None
    record: tuple[str, ...] = ("spikes",)

    def __post_init__(self):
        check.name_like("label", self.label)
        check.integer(f"{self.label}.size", self.size, low=1)
        if not isinstance(self.cell, CellType):
            raise BiomemError(f"{self.label}.cell", f"not a cell type: {self.cell!r}",
                              "IF_curr_exp, IF_cond_exp, SpikeSourceArray, SpikeSourcePoisson")
        spike_times = getattr(self.cell, "spike_times", None)
        if spike_times is not None and len(spike_times) != self.size:
            raise BiomemError(f"{self.label}.spike_times", f"has {len(spike_times)} lists for {self.size} neurons",
                              f"one list of times per neuron ({self.size})")
        record = (self.record,) if isinstance(self.record, str) else tuple(self.record)
        for name in record:
            if name not in self.cell.recordable:
                raise BiomemError(f"{self.label}.record", f"{name!r} is not recordable",
                                  ", ".join(self.cell.recordable))
        object.__setattr__(self, "record", record)
        if self.initial_v is not None:
            if self.cell.spiking_source:
                raise BiomemError(f"{self.label}.initial_v", "spike sources have no membrane", "None")
            if not isinstance(self.initial_v, Uniform):
                value = check.real_array(f"{self.label}.initial_v", self.initial_v)
                if value.ndim not in (0, 1) or (value.ndim == 1 and value.size != self.size):
                    raise BiomemError(f"{self.label}.initial_v", f"wrong shape {value.shape}",
                                      f"a number or {self.size} values")

    def __getitem__(self, index) -> "PopulationView":
        indices = np.arange(self.size)[index]
        indices = np.atleast_1d(indices)
        if indices.size == 0:
            raise BiomemError(f"{self.label}[...]", "selects no neuron", "a non-empty slice or index list")
        return PopulationView(self, tuple(int(i) for i in indices))

    def __len__(self) -> int:
        return self.size

    @property
    def parent(self) -> "Population":
        """The population itself, as :attr:`PopulationView.parent` is a view's population."""
        return self

    @property
    def indices(self) -> np.ndarray:
        """Every neuron index, ``0 .. size - 1``."""
        return np.arange(self.size)


@dataclass(frozen=True, eq=False)
class PopulationView:
    """A subset of a population's neurons, in the given order (PyNN's PopulationView)."""

    parent: Population
    index_tuple: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of neurons selected."""
        return len(self.index_tuple)

    @property
    def indices(self) -> np.ndarray:
        """Indices of the selected neurons in the parent population, in view order (int64)."""
        return np.asarray(self.index_tuple, dtype=np.int64)

    @property
    def label(self) -> str:
        """The parent population's label."""
        return self.parent.label

    @property
    def cell(self) -> CellType:
        """The parent population's cell type."""
        return self.parent.cell

    def __len__(self) -> int:
        return self.size


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from ``pre`` to ``post`` through one receptor.

    ``weight`` is non-negative (nA for current-based targets, uS for conductance-based);
    the receptor gives the sign. It is a number, or one value per synapse in connector order.
    ``delay`` (ms) must be a whole number of time steps, at least one.
    """

    pre: Population | PopulationView
    post: Population | PopulationView
    connector: Connector
    receptor: str = "excitatory"
    weight: object = 0.0
    delay: float = 1.0
    plasticity: STDP | None = None
    label: str = ""
    record_weights: bool = False

    def __post_init__(self):
        name = self.label or f"{self.pre.label}_to_{self.post.label}"
        check.name_like("label", name)
        object.__setattr__(self, "label", name)
        if not isinstance(self.connector, Connector):
            raise BiomemError(f"{name}.connector", f"not a connector: {self.connector!r}",
                              "OneToOne, AllToAll, FixedProbability, FromList or Array connector")
        if self.post.cell.spiking_source:
            raise BiomemError(f"{name}.post", f"{self.post.label} is a spike source and cannot receive synapses",
                              "a population of neurons")
        check.choice(f"{name}.receptor", self.receptor, RECEPTORS)
        check.real_array(f"{name}.weight", self.weight, low=0.0)
        check.positive(f"{name}.delay", self.delay)
        if self.plasticity is not None and not isinstance(self.plasticity, STDP):
            raise BiomemError(f"{name}.plasticity", f"unknown rule {self.plasticity!r}", "STDP or None")


@dataclass(eq=False)
class Network:
    """A set of populations and projections, built up with :meth:`add`."""

    label: str = "network"
    populations: list[Population] = field(default_factory=list)
    projections: list[Projection] = field(default_factory=list)

    def add(self, *items):
        """Add populations or projections; returns the single item added, for chaining."""
        for item in items:
            if isinstance(item, Population):
                if any(p.label == item.label for p in self.populations):
                    raise BiomemError("label", f"duplicate population label {item.label!r}", "unique labels")
                self.populations.append(item)
            elif isinstance(item, Projection):
                for end in (item.pre, item.post):
                    if end.parent not in self.populations:
                        raise BiomemError(f"{item.label}", f"population {end.label!r} is not in the network",
                                          "add populations before their projections")
                if any(p.label == item.label for p in self.projections):
                    raise BiomemError("label", f"duplicate projection label {item.label!r}", "unique labels")
                self.projections.append(item)
            else:
                raise BiomemError("item", f"cannot add {type(item).__name__}", "Population or Projection")
        return items[0] if len(items) == 1 else items

    def population(self, label: str) -> Population:
        """The population labelled ``label``; raises :class:`~biomem.errors.BiomemError` if none is."""
        for population in self.populations:
            if population.label == label:
                return population
        raise BiomemError("population", f"unknown label {label!r}",
                          ", ".join(p.label for p in self.populations))
