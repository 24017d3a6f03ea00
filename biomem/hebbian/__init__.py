"""Hebbian associative memories: patterns, overlap Hamiltonians, heat-bath Monte Carlo, measurements.

Modules: :mod:`~biomem.hebbian.patterns` (random, diluted, sparse, noisy examples, digits),
:mod:`~biomem.hebbian.couplings` (Hamiltonians through overlaps, distinct indices),
:mod:`~biomem.backends.numba.hebbian` and :mod:`~biomem.backends.torch.hebbian` (heat bath),
:mod:`~biomem.hebbian.simulation` (replicas, labelled results), :mod:`~biomem.hebbian.measures`
(error bars, equilibration), :mod:`~biomem.hebbian.builders` (from model parameters),
:mod:`~biomem.hebbian.reference` (the straightforward numpy baseline) and
:mod:`~biomem.hebbian.willshaw` (sparse binary memory). Theory lives in :mod:`biomem.theory`.
"""
