"""The CA3 spiking content-addressable memory (Casanueva-Morato et al., 2024).

``CA3Memory`` is the learn/recall front end; ``build_network`` the network description;
``Testbench`` the authors' input format; ``schedule``/``decode`` lay operations out as input
spikes and read answers from output spikes; ``IdealCAM`` gives the answers a perfect memory
would give and ``ResidualCAM`` the network's known departures from them.
"""

from biomem.models.ca3.decode import Answer, decode
from biomem.models.ca3.ideal import IdealCAM, ResidualCAM, classify
from biomem.models.ca3.memory import CA3Memory, Evaluation, evaluate, simulate_testbench
from biomem.models.ca3.network import POPULATIONS, CA3Parameters, build_network
from biomem.models.ca3.operations import (Learn, RecallByContent, RecallByCue, Schedule, TightSpacingWarning,
                                          operations_from_testbench, schedule)
from biomem.models.ca3.testbench import Testbench, load, save

__all__ = [
    "Answer", "decode", "IdealCAM", "ResidualCAM", "classify", "CA3Memory", "Evaluation", "evaluate",
    "simulate_testbench", "POPULATIONS", "CA3Parameters", "build_network", "Learn", "RecallByContent",
    "RecallByCue", "Schedule", "TightSpacingWarning", "operations_from_testbench", "schedule", "Testbench",
    "load", "save",
]
