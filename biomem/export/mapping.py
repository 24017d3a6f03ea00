"""Partition of a lowered network's populations onto cores within a profile's limits.

Each population is cut into equal slices of consecutive neurons, one slice per core (as
nengo-loihi and sPyNNaker do: a core never mixes populations). A slice is first as large as
``neurons_per_core`` allows; while a core breaks a per-core limit (input axons = distinct
source neurons that reach it, synapse memory, output axons = (neuron, destination core)
pairs) the slices of that population are made smaller. Spike sources take cores only where
the profile says so (SpiNNaker); long delays add delay-extension cores (one per slice of a
source population whose projections need more than ``delay_local_steps``).

The result counts cores, chips and boards, and the utilisation of every limit per core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from biomem.description.lowered import LoweredNetwork
from biomem.errors import BiomemError
from biomem.export.profiles import Profile

_LOIHI_SYNAPSES_PER_BLOCK = 64
_LOIHI_BLOCK_OVERHEAD_BITS = 10
_WORD_BITS = 64


@dataclass
class Mapping:
    """Cores, chips and boards a network needs on a profile, with per-population detail and utilisation."""

    profile: str
    cores: int
    chips: int
    boards: int
    populations: list = field(default_factory=list)
    delay_cores: int = 0
    utilisation: dict = field(default_factory=dict)
    limits: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain dict for the report."""
        return {"profile": self.profile, "cores": self.cores, "chips": self.chips, "boards": self.boards,
                "delay_extension_cores": self.delay_cores, "utilisation": self.utilisation,
                "limits": self.limits, "populations": self.populations}


def _synapse_bits(counts: np.ndarray, profile: Profile) -> np.ndarray:
    """Synapse memory used by axons carrying ``counts`` synapses each."""
    bits_per_synapse = profile.limits["bits_per_synapse"]
    counts = np.asarray(counts, np.int64)
    if profile.limits["synapse_overhead"] == "flat":
        return counts * bits_per_synapse
    full, rest = np.divmod(counts, _LOIHI_SYNAPSES_PER_BLOCK)
    block = lambda n: -_WORD_BITS * (-(n * bits_per_synapse + _LOIHI_BLOCK_OVERHEAD_BITS) // _WORD_BITS)  # noqa: E731
    return full * block(_LOIHI_SYNAPSES_PER_BLOCK) + np.where(rest > 0, block(rest), 0)


def _core_loads(lowered: LoweredNetwork, population, chunk: int, profile: Profile) -> dict:
    """Per-core fan-in, synapse count and synapse bits of ``population`` cut into ``chunk``-neuron cores."""
    n_cores = math.ceil(population.size / chunk)
    incoming = (lowered.syn_post >= population.start) & (lowered.syn_post < population.stop)
    core = (lowered.syn_post[incoming] - population.start) // chunk
    pre = lowered.syn_pre[incoming]
    key = core * lowered.n_neurons + pre
    axons, counts = np.unique(key, return_counts=True)
    axon_core = axons // lowered.n_neurons
    fan_in = np.bincount(axon_core, minlength=n_cores)
    synapses = np.bincount(core, minlength=n_cores)
    bits = np.bincount(axon_core, weights=_synapse_bits(counts, profile), minlength=n_cores)
    sizes = np.full(n_cores, chunk)
    sizes[-1] = population.size - chunk * (n_cores - 1)
    return {"n_cores": n_cores, "neurons": sizes, "fan_in": fan_in, "synapses": synapses, "synapse_bits": bits}


def _fits(loads: dict, limits: dict) -> str | None:
    if limits["input_axons_per_core"] and loads["fan_in"].max(initial=0) > limits["input_axons_per_core"]:
        return "input axons"
    if limits["synapse_memory_bits"] and loads["synapse_bits"].max(initial=0) > limits["synapse_memory_bits"]:
        return "synapse memory"
    return None


def map_network(lowered: LoweredNetwork, profile: Profile | None) -> Mapping | None:
    """Cores needed by ``lowered`` on ``profile`` (None without a profile or without a core size)."""
    if profile is None or not profile.limits["neurons_per_core"]:
        return None
    limits = profile.limits
    chunks, loads = {}, {}
    for population in lowered.populations:
        if population.is_source:
            per_core = limits["source_neurons_per_core"] if limits["sources_use_cores"] else 0
            if per_core:
                chunks[population.label] = min(per_core, population.size)
            continue
        chunk = min(limits["neurons_per_core"], population.size)
        while True:
            load = _core_loads(lowered, population, chunk, profile)
            broken = _fits(load, limits)
            if broken is None:
                break
            if chunk == 1:
                detail = (f"one neuron receives from {int(load['fan_in'].max())} source neurons"
                          if broken == "input axons"
                          else f"one neuron needs {int(load['synapse_bits'].max())} synapse bits")
                raise BiomemError("mapping", f"{population.label} cannot be placed on {profile.name}: {detail}",
                                  f"input axons <= {limits['input_axons_per_core']}, synapse memory <= "
                                  f"{limits['synapse_memory_bits']} bits per core")
            chunk = max(1, chunk // 2)
        chunks[population.label], loads[population.label] = chunk, load

    # Output axons: one per (neuron, destination core); shrink a source population's slices if needed.
    def core_index(labels_chunks):
        starts, total = {}, 0
        for population in lowered.populations:
            if population.label in labels_chunks and not population.is_source:
                starts[population.label] = total
                total += math.ceil(population.size / labels_chunks[population.label])
        return starts

    if limits["output_axons_per_core"]:
        for _ in range(32):
            starts = core_index(chunks)
            destination = np.full(lowered.n_synapses, -1, np.int64)
            for population in lowered.populations:
                if population.label not in starts:
                    continue
                inside = (lowered.syn_post >= population.start) & (lowered.syn_post < population.stop)
                destination[inside] = starts[population.label] + \
                    (lowered.syn_post[inside] - population.start) // chunks[population.label]
            worst = None
            for population in lowered.populations:
                if population.is_source or population.label not in chunks:
                    continue
                outgoing = (lowered.syn_pre >= population.start) & (lowered.syn_pre < population.stop)
                pairs = np.unique((lowered.syn_pre[outgoing] - population.start) * (destination.max() + 2)
                                  + destination[outgoing])
                neuron = pairs // (destination.max() + 2)
                per_core = np.bincount(neuron // chunks[population.label],
                                       minlength=math.ceil(population.size / chunks[population.label]))
                loads[population.label]["out_axons"] = per_core
                if per_core.max(initial=0) > limits["output_axons_per_core"] and chunks[population.label] > 1:
                    worst = population.label
            if worst is None:
                break
            chunks[worst] = max(1, chunks[worst] // 2)
            population = lowered.population(worst)
            loads[worst] = _core_loads(lowered, population, chunks[worst], profile)

    cores, populations = 0, []
    neuron_use, fan_use, syn_use, out_use = [], [], [], []
    for population in lowered.populations:
        if population.label not in chunks:
            populations.append({"population": population.label, "neurons": population.size, "cores": 0,
                                "neurons_per_core": 0, "note": "spike input from the host (no core)"})
            continue
        chunk = chunks[population.label]
        n_cores = math.ceil(population.size / chunk)
        cores += n_cores
        entry = {"population": population.label, "neurons": population.size, "cores": n_cores,
                 "neurons_per_core": chunk}
        if population.is_source:
            per_core = limits["source_neurons_per_core"]
            neuron_use += [min(chunk, population.size - i * chunk) / per_core for i in range(n_cores)]
        else:
            load = loads[population.label]
            neuron_use += list(load["neurons"] / limits["neurons_per_core"])
            entry["max_fan_in"] = int(load["fan_in"].max(initial=0))
            entry["synapses"] = int(load["synapses"].sum())
            if limits["input_axons_per_core"]:
                fan_use += list(load["fan_in"] / limits["input_axons_per_core"])
            if limits["synapse_memory_bits"]:
                syn_use += list(load["synapse_bits"] / limits["synapse_memory_bits"])
                entry["max_synapse_bits"] = int(load["synapse_bits"].max(initial=0))
            if "out_axons" in load and limits["output_axons_per_core"]:
                out_use += list(load["out_axons"] / limits["output_axons_per_core"])
                entry["max_out_axons"] = int(load["out_axons"].max(initial=0))
        populations.append(entry)

    delay_cores = 0
    local = profile.time["delay_local_steps"]
    if local:
        for population in lowered.populations:
            outgoing = (lowered.syn_pre >= population.start) & (lowered.syn_pre < population.stop)
            if outgoing.any() and lowered.syn_delay[outgoing].max() > local:
                per_core = limits["neurons_per_core"]
                delay_cores += math.ceil(population.size / per_core)
    cores += delay_cores

    def summary(values):
        values = np.asarray(values, float)
        return {"mean": float(values.mean()), "max": float(values.max())} if values.size else None

    utilisation = {"neurons": summary(neuron_use), "input_axons": summary(fan_use),
                   "synapse_memory": summary(syn_use), "output_axons": summary(out_use)}
    chips = math.ceil(cores / limits["cores_per_chip"]) if limits["cores_per_chip"] else 0
    boards = math.ceil(chips / limits["chips_per_board"]) if limits["chips_per_board"] and chips else 0
    used_limits = {k: limits[k] for k in ("neurons_per_core", "input_axons_per_core", "output_axons_per_core",
                                          "synapse_memory_bits", "cores_per_chip", "chips_per_board")}
    return Mapping(profile.name, cores, chips, boards, populations, delay_cores,
                   {k: v for k, v in utilisation.items() if v is not None}, used_limits)
