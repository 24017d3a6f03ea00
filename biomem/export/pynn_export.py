"""Export to a standalone PyNN script (NEST, Brian2 or SpiNNaker through sPyNNaker).

This module writes the script (:func:`export`); the work is split into

- :mod:`~biomem.export.pynn_document`: the network as a JSON document (:func:`describe`),
- :mod:`~biomem.export.pynn_template`: the script's code and its rendering (:func:`script_text`),
- :mod:`~biomem.export.pynn_run`: running scripts on a simulator, reading their spikes
  (:func:`run_scripts`, :func:`simulator_available`),

whose public names are re-exported here.

The generated script holds the whole network as one JSON document: every number is written
by ``json.dumps`` (floats by ``repr``, so they round-trip exactly) and the document enters the
script as a Python string literal written by ``repr``; labels are checked to be identifiers.
No user-supplied text is ever pasted into code. Run it as::

    python ca3.py --simulator nest --out spikes.json      # or brian2, spiNNaker

It writes the spikes of every population in biomem's ``spikes.json`` format
(``{population: [[time_ms, index], ...]}``), with times in biomem's step convention, so
the file compares directly with ``biomem run``'s.

What the script keeps from the description: populations (``IF_curr_exp``, ``IF_cond_exp``,
spike sources replayed as ``SpikeSourceArray`` with the lowered spike times, Poisson sources
included, so every simulator sees the same input), initial voltages, connectors (one-to-one
and all-to-all stay symbolic when the weights are uniform; anything else becomes a
``FromListConnector`` of the lowered synapses), receptors, delays, and STDP as
``STDPMechanism(SpikePairRule, AdditiveWeightDependence)``.

STDP amplitudes: PyNN's standard ``AdditiveWeightDependence`` scales ``A_plus``/``A_minus`` by
``w_max`` (NEST's ``stdp_synapse`` ``lambda``, Brian2), while sPyNNaker applies them as absolute
weight changes on the hardware (see shared/reference/ca3_cam.md). The script writes the absolute
amplitude for ``--simulator spiNNaker`` and ``amplitude / w_max`` otherwise, so the step size is
the same everywhere. What still differs is *when* the rule acts (see :data:`STDP_NOTES`).

Timing: NEST and Brian2 add a spike arriving during a step to the current after that step's
membrane update, one step later than sPyNNaker and biomem; ``--timing aligned`` (their default)
runs two substeps per step with every delay shortened by one substep, which restores biomem's
step-exact timing for neurons driven over threshold in the first half of a step. See
docs/export.md for the measurements.
"""

from __future__ import annotations

import os
from pathlib import Path

from biomem.description.lowered import LoweredNetwork
from biomem.description.network import Network
from biomem.export.common import Issues, check_network
from biomem.export.profiles import Profile
from biomem.export.pynn_document import FORMAT, describe
from biomem.export.pynn_run import SIMULATORS, run_scripts, simulator_available
from biomem.export.pynn_template import script_text

#: Notes added to the report of a network with STDP: how the simulators' rules differ.
STDP_NOTES = (
    "PyNN NEST (stdp_synapse, all delay dendritic): a pre spike at t reaches the synapse at t + d; "
    "post spikes up to and including t + d - d_dendritic facilitate lazily at the next pre spike, and depression "
    "reads the post trace strictly before t; sPyNNaker on the hardware potentiates one step after the post spike "
    "and depresses also at zero lag (shared/reference/ca3_cam.md). The pairings at zero lag are therefore "
    "treated differently, and so is forgetting by relearning.",
    "PyNN STDP amplitudes are relative to w_max (A * w_max) on NEST and Brian2 and absolute on sPyNNaker: the "
    "script converts so that the weight step is the same on every simulator.",
    "pyNN.brian2 takes STDP delays as axonal only; the script delays the post-synaptic pathway by the synaptic "
    "delay so that Brian2 pairs spikes as NEST does (dendritic delay).",
    "NEST integrates IF_curr_exp exactly (iaf_psc_exp: the synaptic current decays within the step), biomem and "
    "sPyNNaker hold the current constant over a step at its step mean (closed form); NEST and Brian2 spike times "
    "land on the grid one step later, which the script shifts back.",
)


def export(network: Network, lowered: LoweredNetwork, out, *, profile: Profile | None = None,
           approximate: bool = False, target: str = "pynn", issues: Issues | None = None) -> dict:
    """Write the PyNN script of ``network`` to ``out`` (executable).

    Parameters
    ----------
    network : Network
        The network to export.
    lowered : LoweredNetwork
        ``network`` lowered for the run (duration, dt, seed, input spikes).
    out : str or os.PathLike
        The script's path.
    profile : Profile, optional
        A hardware profile whose limits and numerics are checked and applied (e.g. SpiNNaker's).
    approximate : bool, optional
        Replace what the target cannot express by its approximation instead of raising.
    target : str, optional
        ``"pynn"`` or ``"spinnaker"`` (named in the script and in error messages).
    issues : Issues, optional
        Collects unsupported features and notes (a new one when omitted).

    Returns
    -------
    dict
        ``{"script": path, "lowered": the lowered network as exported}`` (with the approximations
        applied); the notes on STDP semantics go to ``issues``.

    Raises
    ------
    UnsupportedFeature
        For a cell type without PyNN equivalent, or what the profile cannot express, unless
        ``approximate`` allows an approximation.
    """
    issues = issues if issues is not None else Issues(target, approximate)
    for population in network.populations:
        if not population.cell.spiking_source and type(population.cell).__name__ not in ("IF_curr_exp", "IF_cond_exp"):
            issues.add(f"cell type {type(population.cell).__name__}", population.label, "no PyNN equivalent", None)
    lowered = check_network(network, lowered, profile, issues)
    if any(p.plasticity is not None for p in lowered.projections):
        for note in STDP_NOTES:
            issues.note(note)
    out = Path(out)
    document = describe(network, lowered, issues)
    text = script_text(document, title=f"PyNN script of the biomem network {network.label}", target=target,
                       filename=out.name)
    out.write_text(text)
    os.chmod(out, 0o755)
    return {"script": str(out), "lowered": lowered}


__all__ = ["FORMAT", "SIMULATORS", "STDP_NOTES", "describe", "export", "run_scripts", "script_text",
           "simulator_available"]
