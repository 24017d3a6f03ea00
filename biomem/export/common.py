"""What every exporter shares: the feature check against a target, and the issue list.

A feature that a target cannot express is an :class:`~biomem.errors.UnsupportedFeature`
naming it. With ``approximate=True`` the features that have a stated approximation are
replaced by it and recorded as :class:`Issue` entries (they end up in the report); those
without one (a conductance-based cell on a current-based chip, a time step the chip cannot
run) stay errors.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import numpy as np

from biomem.description.cells import IF_cond_exp, IF_curr_exp
from biomem.description.lowered import LoweredNetwork
from biomem.description.network import Network
from biomem.errors import BiomemError, UnsupportedFeature
from biomem.export.profiles import Profile


@dataclass(frozen=True)
class Issue:
    """One feature the target lacks: what it is, where, and what replaced it (None: an error)."""

    feature: str
    where: str
    detail: str
    approximation: str | None = None

    def to_dict(self) -> dict:
        """Plain dict for the report."""
        return asdict(self)


class Issues(list):
    """Issues found while exporting for ``target``; ``add`` raises unless approximating."""

    def __init__(self, target: str, approximate: bool):
        super().__init__()
        self.target = target
        self.approximate = approximate
        self.notes: list[str] = []

    def add(self, feature: str, where: str, detail: str, approximation: str | None) -> bool:
        """Record a missing feature; returns True when the caller must apply ``approximation``."""
        if approximation is None:
            raise UnsupportedFeature(feature, self.target, f"{where}: {detail}")
        if not self.approximate:
            raise UnsupportedFeature(feature, self.target,
                                     f"{where}: {detail}; with --approximate: {approximation}")
        self.append(Issue(feature, where, detail, approximation))
        return True

    def note(self, text: str) -> None:
        """A documented difference in semantics that is not an approximation biomem applies."""
        if text not in self.notes:
            self.notes.append(text)


def cell_name(cell) -> str:
    """The class name of a cell type (what profiles list in ``neuron_types``)."""
    return type(cell).__name__


def check_network(network: Network, lowered: LoweredNetwork, profile: Profile | None, issues: Issues,
                  *, plasticity_ok: bool | None = None) -> LoweredNetwork:
    """Check ``network`` against ``profile``'s features; returns the lowered network with the
    approximations applied (a copy when anything changed)."""
    if profile is None:
        if plasticity_ok is False:
            for projection in lowered.projections:
                if projection.plasticity is not None:
                    issues.add("STDP", projection.label, "plastic projection", "weights frozen at their initial values")
            return freeze_plasticity(lowered)
        return lowered
    features, time, numerics = profile.features, profile.time, profile.numerics
    result = lowered
    changed = False

    def mutable():
        nonlocal result, changed
        if not changed:
            result = copy.deepcopy(lowered)
            changed = True
        return result

    if not profile.allows_dt(lowered.dt):
        issues.add("time step", "network", f"dt = {lowered.dt:g} ms; {profile.name} runs "
                   + ", ".join(f"{d:g}" for d in time["dt_ms"]) + " ms", None)
    for population in network.populations:
        cell = population.cell
        if cell.spiking_source:
            continue
        name = cell_name(cell)
        if name not in features["neuron_types"]:
            kind = "conductance-based synapses (IF_cond_exp)" if isinstance(cell, IF_cond_exp) else f"cell type {name}"
            issues.add(kind, population.label, f"{profile.name} runs " + ", ".join(features["neuron_types"]), None)
        if not isinstance(cell, (IF_curr_exp, IF_cond_exp)):
            issues.add(f"cell type {name}", population.label, "not a LIF cell", None)
        piece = lowered.population(population.label)
        span = slice(piece.start, piece.stop)
        if not features["separate_synaptic_time_constants"] and cell.tau_syn_E != cell.tau_syn_I:
            if issues.add("separate excitatory and inhibitory synaptic time constants", population.label,
                          f"tau_syn_E = {cell.tau_syn_E:g} ms, tau_syn_I = {cell.tau_syn_I:g} ms",
                          "tau_syn_I set to tau_syn_E"):
                net = mutable()
                net.decay_I[span] = net.decay_E[span]
                net.scale_I[span] = net.scale_E[span]
        if not features["initial_voltage"] and not np.allclose(lowered.v_init[span], lowered.v_rest[span]):
            if issues.add("initial membrane potential", population.label,
                          "starts away from v_rest", "starts at v_rest"):
                net = mutable()
                net.v_init[span] = net.v_rest[span]
        if not features["constant_current"] and np.any(lowered.i_offset[span] != 0):
            if issues.add("constant input current (i_offset)", population.label, "i_offset != 0", "i_offset dropped"):
                mutable().i_offset[span] = 0.0
        if numerics["refractory"] == "none" and np.any(lowered.refrac_steps[span] > 0):
            if issues.add("refractory period", population.label,
                          f"tau_refrac = {cell.tau_refrac:g} ms ({int(lowered.refrac_steps[span].max())} steps)",
                          "refractory period dropped"):
                mutable().refrac_steps[span] = 0
    allowed_plasticity = features["plasticity"] if plasticity_ok is None else (["STDP"] if plasticity_ok else [])
    for projection in lowered.projections:
        synapses = slice(projection.start, projection.stop)
        if projection.plasticity is not None and "STDP" not in allowed_plasticity:
            issues.add("STDP", projection.label, "plastic projection",
                       "weights frozen at their initial values")
        delays = lowered.syn_delay[synapses]
        if delays.size and (delays.min() < time["delay_min_steps"] or delays.max() > time["delay_max_steps"]):
            if issues.add("synaptic delays" if time["delay_max_steps"] > 1 else "synaptic delays > 1 step",
                          projection.label, f"{int(delays.max())} steps; {profile.name} accepts "
                          f"{time['delay_min_steps']}..{time['delay_max_steps']}",
                          "delays clipped into the accepted range"):
                net = mutable()
                net.syn_delay[synapses] = np.clip(delays, time["delay_min_steps"], time["delay_max_steps"])
    return freeze_plasticity(result, issues) if any(i.feature == "STDP" for i in issues) else result


def freeze_plasticity(lowered: LoweredNetwork, issues: Issues | None = None) -> LoweredNetwork:
    """A copy without plasticity (weights stay at their initial values)."""
    if all(p.plasticity is None for p in lowered.projections):
        return lowered
    frozen = copy.deepcopy(lowered)
    frozen.projections = [type(p)(p.label, p.start, p.stop, p.pre, p.post, None, p.record_weights)
                          for p in lowered.projections]
    return frozen


def require_labels(lowered: LoweredNetwork) -> None:
    """Labels are written into generated code and graph keys: identifiers only (defence in depth)."""
    for item in list(lowered.populations) + list(lowered.projections):
        if not isinstance(item.label, str) or not item.label.isidentifier():
            raise BiomemError("label", f"not a valid label: {item.label!r}", "letters, digits and '_'")
