"""Small networks the export tests, experiments and benchmarks share.

- :func:`ca3_functional`: the CA3 memory driven by the authors' functional testbench (STDP on);
- :func:`ca3_pretrained`: the same memory with the weights it learnt frozen into static
  projections, driven by recalls only (what a target without STDP can still run);
- :func:`feedforward`: Poisson input -> A -> B, current-based, one-step delays, equal synaptic
  time constants, reset to rest (what NIR and snnTorch express);
- :func:`ca3_testbench`: a functional-style testbench for any size (learn, recall by cue and by content).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from biomem.description import (AllToAllConnector, FixedProbabilityConnector, IF_curr_exp, Network, Population,
                                Projection, SpikeSourcePoisson)
from biomem.export.models import FUNCTIONAL


def ca3_functional(bench: dict | None = None) -> tuple[Network, float]:
    """The CA3 memory driven by ``bench`` (default: the functional experiment), and its duration (ms)."""
    from biomem.models.ca3.network import build_network

    bench = bench or FUNCTIONAL
    network = build_network(len(bench["cue"]), len(bench["cont"]), bench["cue"], bench["cont"])
    return network, float(bench["simTime"])


def learned_weights(bench: dict | None = None) -> dict[str, np.ndarray]:
    """Final weights of the plastic projections after running ``bench`` (default: functional)."""
    from biomem import simulate

    network, duration = ca3_functional(bench)
    result = simulate(network, duration, dt=1.0)
    return {p.label: result.weights(p.label).copy() for p in network.projections if p.plasticity is not None}


def recall_bench(cue_size: int, content_size: int, recalls, spacing: int = 10) -> dict:
    """Recall-only testbench: ``recalls`` holds ("cue", i) or ("content", [bits])."""
    cue = [[] for _ in range(cue_size)]
    cont = [[] for _ in range(content_size)]
    for k, (kind, what) in enumerate(recalls):
        t = k * spacing
        if kind == "cue":
            cue[what].append(t)
        else:
            for bit in what:
                cont[bit].append(t)
    return {"simTime": spacing * len(recalls), "cue": cue, "cont": cont}


def ca3_pretrained(bench: dict | None = None, recalls=None) -> tuple[Network, float]:
    """The CA3 memory with learnt weights frozen (no plasticity), driven by recalls only."""
    from biomem.models.ca3.network import build_network

    weights = learned_weights(bench)
    base = bench or FUNCTIONAL
    c, k = len(base["cue"]), len(base["cont"])
    recalls = recalls or [("cue", 0), ("cue", 3), ("cue", 4), ("content", [6]), ("content", [0, 4]),
                          ("content", [1]), ("content", [8])]
    inputs = recall_bench(c, k, recalls)
    network = build_network(c, k, inputs["cue"], inputs["cont"])
    projections = []
    for projection in network.projections:
        if projection.plasticity is not None:
            projection = dataclasses.replace(projection, plasticity=None, weight=weights[projection.label])
        projections.append(projection)
    network.projections = projections
    return network, float(inputs["simTime"])


def feedforward(rate: float = 80.0, seed_sizes=(20, 10, 5), *, tau_refrac: float = 0.0, delay: float = 0.1,
                inhibitory: bool = True) -> Network:
    """Poisson input -> A -> B (plus an inhibitory A -> B projection); reset = rest."""
    n_in, n_a, n_b = seed_sizes
    network = Network("feedforward")
    cell = IF_curr_exp(cm=0.25, tau_m=10.0, tau_refrac=tau_refrac, tau_syn_E=2.0, tau_syn_I=2.0, v_rest=-65.0,
                       v_reset=-65.0, v_thresh=-55.0)
    source = network.add(Population("inp", n_in, SpikeSourcePoisson(rate=rate)))
    a = network.add(Population("A", n_a, cell))
    b = network.add(Population("B", n_b, cell))
    network.add(Projection(source, a, FixedProbabilityConnector(0.5), "excitatory", weight=0.8, delay=delay))
    network.add(Projection(a, b, AllToAllConnector(), "excitatory", weight=0.6, delay=delay))
    if inhibitory:
        network.add(Projection(a, b, FixedProbabilityConnector(0.3), "inhibitory", weight=0.5, delay=delay,
                               label="A_inh_B"))
    return network


def ca3_testbench(cue_size: int, content_size: int, n_memories: int | None = None, spacing: int = 12,
                  seed: int = 0) -> dict:
    """Learn ``n_memories`` random contents (3-4 bits), then recall each by cue and by one of its bits."""
    rng = np.random.default_rng(seed)
    n_memories = min(n_memories or cue_size, cue_size)
    cue = [[] for _ in range(cue_size)]
    cont = [[] for _ in range(content_size)]
    t = 0
    memories = []
    used = set()
    for i in range(n_memories):
        size = min(content_size, int(rng.integers(3, 5)))
        free = [b for b in range(content_size) if b not in used] or list(range(content_size))
        bits = sorted(rng.choice(free, size=min(size, len(free)), replace=False).tolist())
        used.update(bits)
        memories.append((i, bits))
        for step in range(3):
            cue[i].append(t + step)
            for bit in bits:
                cont[bit].append(t + step)
        t += spacing
    for i, bits in memories:
        cue[i].append(t)
        t += spacing
        cont[bits[0]].append(t)
        t += spacing
    return {"simTime": t, "cue": cue, "cont": cont}
