"""biomem: biologically plausible associative memories.

Spiking and Hebbian models described once, simulated on Numba, Brian2 or snnTorch,
analysed with statistical mechanics and exported to neuromorphic targets.
"""

__version__ = "0.1.0"

from biomem.errors import BiomemError, UnsupportedFeature  # noqa: E402
from biomem.simulate import simulate  # noqa: E402

__all__ = ["BiomemError", "UnsupportedFeature", "simulate", "__version__"]
