"""NIR (Neuromorphic Intermediate Representation): write, read, and import into biomem.

The work is split into

- :mod:`~biomem.export.nir_graph`: a network as a NIR graph (:func:`to_graph`, :class:`NirExport`),
- :mod:`~biomem.export.nir_io`: HDF5 files (:func:`write`, :func:`read`),
- :mod:`~biomem.export.nir_import`: a graph back into a biomem network (:func:`to_network`,
  :func:`inputs_from_lowered`),
- :mod:`~biomem.export.nir_snntorch`: the graph in snnTorch (:func:`to_snntorch`, :func:`run_snntorch`),

whose public names are re-exported here.

A network becomes one ``nir.Input`` per spike source, one ``nir.CubaLIF`` (and ``nir.Output``) per
neuron population and one ``nir.Linear`` (and ``nir.Delay`` for delays over one step) per
projection; the conventions (one step of latency on every edge, snnTorch's scaling, "physical" or
"euler" time constants) are stored in the graph's ``biomem.*`` metadata and described in
:mod:`~biomem.export.nir_graph`, with what NIR cannot express (plasticity, refractory periods,
conductance-based synapses, ...: an :class:`~biomem.errors.UnsupportedFeature` unless
``approximate=True`` replaces it).
"""

from __future__ import annotations

from biomem.export.nir_graph import DELAY_SUFFIX, FORMAT, OUTPUT_SUFFIX, TIME_CONSTANTS, NirExport, to_graph
from biomem.export.nir_import import inputs_from_lowered, to_network
from biomem.export.nir_io import metadata_value, read, write
from biomem.export.nir_snntorch import SNNTORCH_DT_S, run_snntorch, to_snntorch

__all__ = ["DELAY_SUFFIX", "FORMAT", "OUTPUT_SUFFIX", "SNNTORCH_DT_S", "TIME_CONSTANTS", "NirExport",
           "inputs_from_lowered", "metadata_value", "read", "run_snntorch", "to_graph", "to_network",
           "to_snntorch", "write"]
