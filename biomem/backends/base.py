"""The backend protocol and the raw result every backend returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from biomem.description.lowered import LoweredNetwork


@dataclass
class RawRun:
    """What one simulated trial produces, in global neuron and synapse indices.

    ``state[var]`` has shape (n_steps, len(lowered.recorded_neurons(var))): ``v`` after the
    step's update and reset, ``exc``/``inh`` the synaptic current or conductance that drove it.
    ``weight_traces[label]`` has shape (n_steps, n_synapses of that projection), after plasticity.
    """

    spike_steps: np.ndarray
    spike_neurons: np.ndarray
    final_weights: np.ndarray
    state: dict = field(default_factory=dict)
    weight_traces: dict = field(default_factory=dict)
    build_s: float = 0.0
    sim_s: float = 0.0

    def __post_init__(self):
        # Canonical order (step, neuron) so results compare equal across backends.
        order = np.lexsort((self.spike_neurons, self.spike_steps))
        self.spike_steps = np.asarray(self.spike_steps, np.int64)[order]
        self.spike_neurons = np.asarray(self.spike_neurons, np.int64)[order]


class Backend(ABC):
    """Builds and runs a :class:`LoweredNetwork`.

    Subclasses set ``name`` and ``requires`` (the importable packages they need), and
    implement :meth:`run`. Options particular to a backend go to its constructor.
    """

    name: str = ""
    requires: tuple[str, ...] = ()
    description: str = ""

    @abstractmethod
    def run(self, network: LoweredNetwork) -> RawRun:
        """Simulate ``network`` for ``network.n_steps`` steps."""
