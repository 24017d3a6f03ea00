"""The model description: frozen, validated building blocks that every backend reads."""

from biomem.description.cells import IF_cond_exp, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from biomem.description.connectors import (AllToAllConnector, ArrayConnector, FixedProbabilityConnector,
                                           FromListConnector, OneToOneConnector)
from biomem.description.lowered import LoweredNetwork, lower
from biomem.description.network import Network, Population, PopulationView, Projection, Uniform
from biomem.description.plasticity import STDP

__all__ = [
    "IF_cond_exp", "IF_curr_exp", "SpikeSourceArray", "SpikeSourcePoisson",
    "AllToAllConnector", "ArrayConnector", "FixedProbabilityConnector", "FromListConnector",
    "OneToOneConnector", "LoweredNetwork", "lower", "Network", "Population", "PopulationView",
    "Projection", "Uniform", "STDP",
]
