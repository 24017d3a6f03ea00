"""Results of a simulation, labelled by population and projection."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.backends.base import RawRun
from biomem.description.lowered import LoweredNetwork

_STATE_NAMES = {("v", False): "v", ("exc", False): "isyn_exc", ("inh", False): "isyn_inh",
                ("v", True): "v", ("exc", True): "gsyn_exc", ("inh", True): "gsyn_inh"}


@dataclass
class SimulationResult:
    """Spikes, recorded states and weights of one run, with its provenance.

    Times are in ms; neuron indices are local to their population.
    """

    network: LoweredNetwork
    raw: RawRun
    backend: str
    provenance: dict = field(default_factory=dict)

    @property
    def dt(self) -> float:
        """The time step of the run in ms."""
        return self.network.dt

    @property
    def times(self) -> np.ndarray:
        """Time in ms of each step, ``k dt`` for ``k = 0 .. n_steps - 1``: the time axis of
        :meth:`state` and :meth:`weight_trace`."""
        return np.arange(self.network.n_steps) * self.network.dt

    def spikes(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """``(times_ms, indices)`` of one population's spikes, sorted by time then index."""
        piece = self.network.population(label)
        mask = (self.raw.spike_neurons >= piece.start) & (self.raw.spike_neurons < piece.stop)
        return self.raw.spike_steps[mask] * self.network.dt, self.raw.spike_neurons[mask] - piece.start

    def spike_steps(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, indices)``: spike times as integer step numbers."""
        piece = self.network.population(label)
        mask = (self.raw.spike_neurons >= piece.start) & (self.raw.spike_neurons < piece.stop)
        return self.raw.spike_steps[mask], self.raw.spike_neurons[mask] - piece.start

    def spike_counts(self) -> dict[str, int]:
        """Number of spikes of each population over the run, by label."""
        return {p.label: int(self.spike_steps(p.label)[0].size) for p in self.network.populations}

    def spikes_json(self) -> dict[str, list[list[float]]]:
        """``{population: [[time_ms, index], ...]}``, the format of ``spikes.json``."""
        out = {}
        for piece in self.network.populations:
            times, indices = self.spikes(piece.label)
            out[piece.label] = [[_number(t), int(i)] for t, i in zip(times, indices)]
        return out

    def state(self, label: str, variable: str) -> np.ndarray:
        """Recorded trace of shape (n_steps, population size); ``variable`` as PyNN names it."""
        piece = self.network.population(label)
        for key in ("v", "exc", "inh"):
            recorded = self.network.recorded_neurons(key)
            inside = (recorded >= piece.start) & (recorded < piece.stop)
            if not inside.any():
                continue
            if variable in (key, _STATE_NAMES.get((key, False)), _STATE_NAMES.get((key, True))):
                return self.raw.state[key][:, inside]
        from biomem.errors import BiomemError
        raise BiomemError("variable", f"{variable!r} was not recorded for {label}",
                          f"record it with Population(..., record=[..., {variable!r}])")

    def weights(self, label: str) -> np.ndarray:
        """Final weights of a projection, in connector order."""
        piece = self._projection(label)
        return self.raw.final_weights[piece.start:piece.stop]

    def connections(self, label: str) -> tuple[np.ndarray, np.ndarray]:
        """Local ``(pre, post)`` indices of a projection's synapses, in connector order."""
        piece = self._projection(label)
        pre_start = self.network.population(piece.pre).start
        post_start = self.network.population(piece.post).start
        return (self.network.syn_pre[piece.start:piece.stop] - pre_start,
                self.network.syn_post[piece.start:piece.stop] - post_start)

    def weight_trace(self, label: str) -> np.ndarray:
        """Weights of a projection after each step, shape (n_steps, n_synapses) in connector order;
        only for projections made with ``record_weights=True`` (others raise ``KeyError``)."""
        return self.raw.weight_traces[label]

    def _projection(self, label):
        for piece in self.network.projections:
            if piece.label == label:
                return piece
        from biomem.errors import BiomemError
        raise BiomemError("projection", f"unknown label {label!r}",
                          ", ".join(p.label for p in self.network.projections))

    def to_xarray(self):
        """An ``xarray.Dataset``: spikes as (time, index) pairs per population, state traces on
        a shared ``time`` axis, final weights per projection; provenance in ``attrs``."""
        import xarray as xr

        data, coords = {}, {"time": ("time", self.times, {"units": "ms"})}
        for piece in self.network.populations:
            times, indices = self.spikes(piece.label)
            dim = f"{piece.label}_spike"
            data[f"{piece.label}_spike_time"] = (dim, times, {"units": "ms"})
            data[f"{piece.label}_spike_index"] = (dim, indices)
        for piece in self.network.populations:
            for key in ("v", "exc", "inh"):
                recorded = self.network.recorded_neurons(key)
                inside = (recorded >= piece.start) & (recorded < piece.stop)
                if inside.any():
                    conductance = bool(self.network.conductance[piece.start])
                    name = _STATE_NAMES[(key, conductance)]
                    unit = "mV" if key == "v" else ("uS" if conductance else "nA")
                    data[f"{piece.label}_{name}"] = (("time", f"{piece.label}_neuron"),
                                                     self.raw.state[key][:, inside], {"units": unit})
        for piece in self.network.projections:
            pre, post = self.connections(piece.label)
            dim = f"{piece.label}_synapse"
            data[f"{piece.label}_weight"] = (dim, self.weights(piece.label))
            data[f"{piece.label}_pre"] = (dim, pre)
            data[f"{piece.label}_post"] = (dim, post)
        attrs = {"backend": self.backend, "dt_ms": self.dt, "seed": self.network.seed,
                 **{k: v for k, v in self.provenance.items() if isinstance(v, (str, int, float))}}
        return xr.Dataset(data, coords=coords, attrs=attrs)


def _number(value: float):
    """Integral times print as integers in JSON (as in the SpiNNaker reference tables)."""
    rounded = round(float(value), 9)
    return int(rounded) if rounded == int(rounded) else rounded
