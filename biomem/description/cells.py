"""Cell types, named and parametrised as in PyNN's standard library.

Units throughout: ms, mV, nA, nF, uS, Hz. Every cell is a frozen dataclass validated on
construction; backends read the parameters and never redefine them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from biomem.description import validate as check
from biomem.errors import BiomemError


class CellType:
    """Base of all cell types. ``spiking_source`` cells have no membrane."""

    spiking_source = False
    recordable: tuple[str, ...] = ("spikes",)

    def parameters(self) -> dict:
        """The cell's fields by name (values in the units of its class: ms, mV, nA, nF, uS, Hz)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _validate_lif(cell) -> None:
    for name in ("cm", "tau_m", "tau_syn_E", "tau_syn_I"):
        check.positive(name, getattr(cell, name))
    check.non_negative("tau_refrac", cell.tau_refrac)
    for name in ("v_rest", "v_reset", "v_thresh", "i_offset"):
        check.real(name, getattr(cell, name))
    if cell.v_reset >= cell.v_thresh:
        raise BiomemError("v_reset", f"{cell.v_reset:g} mV is not below v_thresh = {cell.v_thresh:g} mV",
                          "v_reset < v_thresh")


@dataclass(frozen=True)
class IF_curr_exp(CellType):
    """Leaky integrate-and-fire neuron with exponentially decaying synaptic currents.

    .. math::
        c_m \\frac{dv}{dt} = \\frac{c_m}{\\tau_m}(v_{rest} - v) + I_E - I_I + i_{offset}, \\qquad
        \\frac{dI_{E,I}}{dt} = -\\frac{I_{E,I}}{\\tau_{syn,E/I}}

    A spike is emitted when ``v >= v_thresh``; ``v`` is then held at ``v_reset`` for
    ``tau_refrac``. An arriving weight ``w`` (nA) is a current jump of ``w`` at the spike time.

    Units: cm nF, tau_* ms, v_* mV, i_offset nA.
    """

    cm: float = 1.0
    tau_m: float = 20.0
    tau_refrac: float = 0.1
    tau_syn_E: float = 5.0
    tau_syn_I: float = 5.0
    v_rest: float = -65.0
    v_reset: float = -65.0
    v_thresh: float = -50.0
    i_offset: float = 0.0

    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    conductance_based = False

    def __post_init__(self):
        _validate_lif(self)


@dataclass(frozen=True)
class IF_cond_exp(CellType):
    """Leaky integrate-and-fire neuron with exponentially decaying synaptic conductances.

    .. math::
        c_m \\frac{dv}{dt} = \\frac{c_m}{\\tau_m}(v_{rest} - v) + g_E (E_{rev,E} - v)
            + g_I (E_{rev,I} - v) + i_{offset}, \\qquad
        \\frac{dg_{E,I}}{dt} = -\\frac{g_{E,I}}{\\tau_{syn,E/I}}

    An arriving weight ``w`` (uS) is a conductance jump of ``w``.

    Units: cm nF, tau_* ms, v_* and e_rev_* mV, i_offset nA, g uS.
    """

    cm: float = 1.0
    tau_m: float = 20.0
    tau_refrac: float = 0.1
    tau_syn_E: float = 5.0
    tau_syn_I: float = 5.0
    e_rev_E: float = 0.0
    e_rev_I: float = -70.0
    v_rest: float = -65.0
    v_reset: float = -65.0
    v_thresh: float = -50.0
    i_offset: float = 0.0

    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    conductance_based = True

    def __post_init__(self):
        _validate_lif(self)
        check.real("e_rev_E", self.e_rev_E)
        check.real("e_rev_I", self.e_rev_I)


@dataclass(frozen=True)
class SpikeSourceArray(CellType):
    """Spike source replaying given times: ``spike_times[i]`` lists neuron i's spikes (ms).

    A time is emitted at the simulation step ``round(t / dt)``; times must be non-negative
    and sorted per neuron.
    """

    spike_times: tuple[tuple[float, ...], ...] = ()

    spiking_source = True

    def __post_init__(self):
        cleaned = []
        for i, times in enumerate(self.spike_times):
            array = check.real_array(f"spike_times[{i}]", list(times), low=0.0)
            if array.ndim != 1:
                raise BiomemError(f"spike_times[{i}]", "must be a flat list of times", "list of ms values")
            if np.any(np.diff(array) < 0):
                raise BiomemError(f"spike_times[{i}]", "times are not sorted", "non-decreasing times in ms")
            cleaned.append(tuple(float(t) for t in array))
        object.__setattr__(self, "spike_times", tuple(cleaned))


@dataclass(frozen=True)
class SpikeSourcePoisson(CellType):
    """Independent Poisson spike trains of ``rate`` Hz between ``start`` and ``start + duration`` ms.

    Discretised as a Bernoulli draw of probability ``rate * dt`` per step; the draws are made
    once from the network seed when the network is lowered, so every backend replays the same spikes.
    """

    rate: float = 1.0
    start: float = 0.0
    duration: float = 1e10

    spiking_source = True

    def __post_init__(self):
        check.non_negative("rate", self.rate)
        check.non_negative("start", self.start)
        check.non_negative("duration", self.duration)
