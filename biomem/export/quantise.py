"""Quantisation of a lowered network to a hardware profile's numerics.

What is rounded, and how (``profile.numerics``):

- **weights** (``weight_bits`` b > 0): magnitudes become integer multiples of a power-of-two
  step shared by a group of synapses:
  ``per_projection`` (Loihi: one weight exponent per synapse group): the group is a projection
  and the step is ``2^ceil(log2(w_top / (2^b - 1)))`` with ``w_top`` its largest weight
  (``w_max`` for a plastic projection, since learning will reach it);
  ``per_target_receptor`` (SpiNNaker: one scale per target population and receptor, chosen by
  sPyNNaker so that the largest summed input fits the 16-bit synaptic word): the step is
  ``2^ceil(log2(s_top / (2^b - 1)))`` with ``s_top`` the largest total weight one target neuron
  can receive through that receptor;
- **decays** (``decay_bits`` d > 0): ``exp(-dt/tau)`` for the membrane and both synaptic
  currents rounded to multiples of ``2^-d`` (Loihi's 12-bit ``decay_u``/``decay_v``, the U0.32
  factors of sPyNNaker); the per-step PSC scale ``(tau/dt)(1 - decay)`` follows the rounded decay;
- **thresholds** (``threshold_bits`` t > 0): the gap ``v_thresh - v_reset`` rounded to a
  ``t``-bit mantissa of the population's largest gap;
- **voltages** (``voltage_fraction_bits`` f > 0): ``v_rest``, ``v_reset``, ``v_thresh`` and
  ``v_init`` rounded to multiples of ``2^-f`` mV (sPyNNaker's S16.15 state).

Not modelled: the rounding of the state itself at every step (fixed-point arithmetic), and the
fixed-point STDP update; the quantised network is re-simulated in floating point.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from biomem.description.lowered import LoweredNetwork
from biomem.export.profiles import Profile


@dataclass
class QuantisationReport:
    """Errors introduced by quantisation, per kind of quantity (absolute in their own units)."""

    weights: dict = field(default_factory=dict)
    weight_groups: list = field(default_factory=list)
    decays: dict = field(default_factory=dict)
    thresholds: dict = field(default_factory=dict)
    voltages: dict = field(default_factory=dict)
    applied: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain dict for the report."""
        return {"applied": list(self.applied), "weights": self.weights, "weight_groups": self.weight_groups,
                "decays": self.decays, "thresholds": self.thresholds, "voltages": self.voltages}


def _stats(original: np.ndarray, quantised: np.ndarray, relative: bool = True) -> dict:
    original = np.asarray(original, float)
    quantised = np.asarray(quantised, float)
    if original.size == 0:
        return {"n": 0, "max_abs_error": 0.0, "rms_abs_error": 0.0, "max_rel_error": 0.0, "n_changed": 0}
    error = np.abs(quantised - original)
    nonzero = np.abs(original) > 0
    rel = error[nonzero] / np.abs(original[nonzero]) if nonzero.any() else np.zeros(0)
    out = {"n": int(original.size), "max_abs_error": float(error.max()),
           "rms_abs_error": float(np.sqrt(np.mean(error ** 2))), "n_changed": int(np.count_nonzero(error > 0))}
    if relative:
        out["max_rel_error"] = float(rel.max()) if rel.size else 0.0
        out["mean_rel_error"] = float(rel.mean()) if rel.size else 0.0
    return out


def power_of_two_step(top: float, levels: int) -> float:
    """Smallest power of two ``s`` with ``top <= levels * s`` (1 when ``top`` is 0)."""
    if top <= 0:
        return 1.0
    return 2.0 ** math.ceil(math.log2(top / levels) - 1e-12)


def _round_to(values: np.ndarray, step: float, levels: int) -> np.ndarray:
    return np.clip(np.round(values / step), 0, levels) * step


def quantise(lowered: LoweredNetwork, profile: Profile | None) -> tuple[LoweredNetwork, QuantisationReport]:
    """A copy of ``lowered`` with the profile's numerics applied, and the error statistics."""
    report = QuantisationReport()
    if profile is None:
        return lowered, report
    numerics = profile.numerics
    net = copy.deepcopy(lowered)
    neurons = ~net.is_source

    bits = numerics["weight_bits"]
    scaling = numerics["weight_scaling"]
    if bits > 0 and scaling != "none" and net.n_synapses:
        levels = 2 ** bits - 1
        groups = []
        if scaling == "per_projection":
            for projection in net.projections:
                span = np.arange(projection.start, projection.stop)
                top = float(net.syn_weight[span].max()) if span.size else 0.0
                if projection.plasticity is not None:
                    top = max(top, projection.plasticity.w_max)
                groups.append((projection.label, span, top))
        else:
            plastic_max = np.zeros(net.n_synapses)
            for projection in net.projections:
                if projection.plasticity is not None:
                    plastic_max[projection.start:projection.stop] = projection.plasticity.w_max
            top_weight = np.maximum(net.syn_weight, plastic_max)
            for receptor, name in ((0, "excitatory"), (1, "inhibitory")):
                for population in net.populations:
                    if population.is_source:
                        continue
                    mask = (net.syn_receptor == receptor) & (net.syn_post >= population.start) & \
                        (net.syn_post < population.stop)
                    span = np.flatnonzero(mask)
                    if not span.size:
                        continue
                    sums = np.bincount(net.syn_post[span] - population.start, weights=top_weight[span],
                                       minlength=population.size)
                    groups.append((f"{population.label}.{name}", span, float(sums.max())))
        for label, span, top in groups:
            step = power_of_two_step(top, levels)
            net.syn_weight[span] = _round_to(lowered.syn_weight[span], step, levels)
            report.weight_groups.append({"group": label, "step": step, "top": top,
                                         "exponent": int(round(math.log2(step)))})
        report.weights = _stats(lowered.syn_weight, net.syn_weight)
        report.applied.append(f"weights: {bits}-bit, {scaling} power-of-two scale")
        # STDP bounds and amplitudes live on the same grid as the weights on chip; the
        # re-simulation keeps them in floating point (see the module docstring).

    decay_bits = numerics["decay_bits"]
    if decay_bits > 0:
        unit = 2.0 ** -decay_bits
        before = {}
        for name in ("decay_m", "decay_E", "decay_I"):
            before[name] = getattr(lowered, name)[neurons]
            quantised = np.round(getattr(net, name) / unit) * unit
            getattr(net, name)[neurons] = quantised[neurons]
        # The per-step PSC scale (tau/dt)(1 - decay) follows the rounded decay.
        for decay, scale in (("decay_E", "scale_E"), ("decay_I", "scale_I")):
            original = getattr(lowered, decay)
            tau_over_dt = np.where(original < 1, (getattr(lowered, scale)) / np.maximum(1 - original, 1e-300), 1.0)
            getattr(net, scale)[neurons] = (tau_over_dt * (1 - getattr(net, decay)))[neurons]
        report.decays = {name: _stats(before[name], getattr(net, name)[neurons]) for name in before}
        report.applied.append(f"decays: {decay_bits}-bit fractions")

    threshold_bits = numerics["threshold_bits"]
    if threshold_bits > 0:
        gap = (lowered.v_thresh - lowered.v_reset)
        quantised_gap = gap.copy()
        mantissa = 2 ** threshold_bits - 1
        for population in net.populations:
            if population.is_source:
                continue
            span = slice(population.start, population.stop)
            top = gap[span].max()
            quantised_gap[span] = np.maximum(np.round(gap[span] / top * mantissa), 1) * top / mantissa
        net.v_thresh[neurons] = (lowered.v_reset + quantised_gap)[neurons]
        report.thresholds = _stats(lowered.v_thresh[neurons], net.v_thresh[neurons])
        report.applied.append(f"thresholds: {threshold_bits}-bit mantissa of the population's threshold gap")

    fraction_bits = numerics["voltage_fraction_bits"]
    if fraction_bits > 0:
        unit = 2.0 ** -fraction_bits
        stats = {}
        for name in ("v_rest", "v_reset", "v_thresh", "v_init"):
            array = getattr(net, name)
            original = array[neurons].copy()
            array[neurons] = np.round(array[neurons] / unit) * unit
            stats[name] = _stats(original, array[neurons])
        report.voltages = stats
        report.applied.append(f"voltages: fixed point with {fraction_bits} fraction bits (mV)")
    return net, report
