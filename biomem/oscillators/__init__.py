"""Oscillatory neurons: the classic Kuramoto model (Numba, torch and Brian2 backends, exact theory),
AKOrN layers (PyTorch), a phase associative memory and synthetic object-binding data.

Backends and torch are imported lazily: ``from biomem.oscillators import simulate`` needs only numpy.
"""

from biomem.oscillators.backends import BACKENDS, simulate
from biomem.oscillators.description import KuramotoModel, KuramotoResult, realize

__all__ = ["BACKENDS", "KuramotoModel", "KuramotoResult", "realize", "simulate"]
