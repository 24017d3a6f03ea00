"""Export of biomem networks to neuromorphic targets and their simulators.

- :mod:`~biomem.export.profiles`: hardware profiles (``hardware/*.toml``),
- :mod:`~biomem.export.quantise` / :mod:`~biomem.export.mapping`: numerics and core mapping,
- :mod:`~biomem.export.nengo_export`, :mod:`~biomem.export.loihi`, :mod:`~biomem.export.pynn_export`,
  :mod:`~biomem.export.spinnaker`, :mod:`~biomem.export.nir_export`: one module per target;
  PyNN's is built from :mod:`~biomem.export.pynn_document` (the network as data),
  :mod:`~biomem.export.pynn_template` (the standalone script, every value escaped) and
  :mod:`~biomem.export.pynn_run` (running it and reading its spikes), NIR's from
  :mod:`~biomem.export.nir_graph`, :mod:`~biomem.export.nir_io`, :mod:`~biomem.export.nir_import`
  and :mod:`~biomem.export.nir_snntorch`,
- :mod:`~biomem.export.report`: ``PATH.report.json`` and the agreement measures of ``--check``,
- :mod:`~biomem.export.api`: :func:`export`, what ``biomem export`` calls.

Nothing here imports nengo, PyNN, NEST, nir or torch at module level: each target imports
its packages when it is used.
"""
