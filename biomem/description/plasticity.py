"""Synaptic plasticity rules."""

from __future__ import annotations

from dataclasses import dataclass

from biomem.description import validate as check
from biomem.errors import BiomemError

VARIANTS = ("textbook", "spinnaker")


@dataclass(frozen=True)
class STDP:
    """Pair-based STDP with additive weight dependence, all-to-all pairing through traces.

    Each source neuron keeps a trace ``x`` and each target neuron a trace ``y``:
    ``x <- x exp(-dt_last / tau_plus) + 1`` at every source spike, ``y`` likewise with ``tau_minus``.
    Spike times are taken where the spikes are emitted (steps, ``dt`` ms each).

    ``variant="textbook"`` (PyNN ``SpikePairRule`` + ``AdditiveWeightDependence``, amplitudes
    relative to ``w_max``), processed at the end of step ``t``:

    - source spike at ``t``: ``w -= A_minus * w_max * sum_{s < t} exp(-(t - s) / tau_minus)`` over
      target spikes ``s``; clip to ``w_min``; the new weight is transmitted;
    - target spike at ``t``: ``w += A_plus * w_max * sum_{u <= t} exp(-(t - u) / tau_plus)`` over
      source spikes ``u`` (a simultaneous pair potentiates); clip to ``w_max``.

    ``variant="spinnaker"`` (what sPyNNaker does on SpiNNaker hardware with one-step delays,
    amplitudes absolute, in the weight's unit):

    - target spike at ``s``: at step ``s + 1``,
      ``w += A_plus * sum_{u <= s} exp(-(s + 1 - u) / tau_plus)``; clip to ``w_max``;
    - source spike at ``t``: ``w -= A_minus * sum_{s <= t - 1} exp(-(t - 1 - s) / tau_minus)``;
      clip to ``w_min``; then transmit;
    - within one step, potentiation is applied before depression.

    Units: tau_* ms; A_* dimensionless (textbook) or weight units (spinnaker); w_* weight units.
    """

    tau_plus: float = 20.0
    tau_minus: float = 20.0
    A_plus: float = 0.01
    A_minus: float = 0.012
    w_min: float = 0.0
    w_max: float = 1.0
    variant: str = "textbook"

    def __post_init__(self):
        check.positive("tau_plus", self.tau_plus)
        check.positive("tau_minus", self.tau_minus)
        check.non_negative("A_plus", self.A_plus)
        check.non_negative("A_minus", self.A_minus)
        check.non_negative("w_min", self.w_min)
        check.real("w_max", self.w_max)
        if self.w_max < self.w_min:
            raise BiomemError("w_max", f"{self.w_max:g} is below w_min = {self.w_min:g}", "w_max >= w_min")
        check.choice("variant", self.variant, VARIANTS)

    @property
    def potentiation_amplitude(self) -> float:
        """Weight added per unit of trace, in weight units: ``A_plus * w_max`` (textbook) or ``A_plus``
        (spinnaker)."""
        return self.A_plus * self.w_max if self.variant == "textbook" else self.A_plus

    @property
    def depression_amplitude(self) -> float:
        """Weight removed per unit of trace, in weight units: ``A_minus * w_max`` (textbook) or
        ``A_minus`` (spinnaker)."""
        return self.A_minus * self.w_max if self.variant == "textbook" else self.A_minus
