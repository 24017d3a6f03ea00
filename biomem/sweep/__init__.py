"""Parameter sweeps over any model configuration with a ``[sweep]`` entry.

``biomem sweep MODEL --method theory|montecarlo --grid NAME=START:STOP:NUM ... --out STORE.zarr``:
:mod:`~biomem.sweep.grid` (axes, per-point seeds), :mod:`~biomem.sweep.store` (zarr, resume),
:mod:`~biomem.sweep.runner` (serial, Dask LocalCluster or scheduler) and
:mod:`~biomem.sweep.plots` (``phase_diagram.png``). ``python -m biomem.sweep`` runs the same
command without the rest of the CLI.
"""
