"""Replica-symmetric theory of associative memories (self-consistent equations, free energies).

Modules are imported on demand: ``biomem.theory.ags`` (Hopfield, Amit-Gutfreund-Sompolinsky),
``biomem.theory.dense`` (dense Hebbian networks learnt from examples), ``biomem.theory.multitasking``
(diluted patterns), ``biomem.theory.willshaw`` (sparse binary memories) and
``biomem.theory.integrals`` (Gaussian averages accurate down to T -> 0).
"""
