"""The default backend: lowered arrays handed to the Numba kernel."""

from __future__ import annotations

import time

import numpy as np

from biomem.backends.base import Backend, RawRun
from biomem.backends.numba import kernel
from biomem.description.lowered import LoweredNetwork


def rule_table(network: LoweredNetwork):
    """Per-synapse rule index (-1 when static) and per-rule parameter arrays.

    Projections whose STDP objects are equal share a rule, and with it the traces.
    """
    rules, syn_rule = [], np.full(network.n_synapses, -1, np.int64)
    for projection in network.projections:
        if projection.plasticity is None:
            continue
        if projection.plasticity not in rules:
            rules.append(projection.plasticity)
        syn_rule[projection.start:projection.stop] = rules.index(projection.plasticity)
    table = {
        "variant": np.array([kernel.SPINNAKER if r.variant == "spinnaker" else kernel.TEXTBOOK for r in rules],
                            np.int64),
        "tau_plus": np.array([r.tau_plus for r in rules], float),
        "tau_minus": np.array([r.tau_minus for r in rules], float),
        "a_plus": np.array([r.potentiation_amplitude for r in rules], float),
        "a_minus": np.array([r.depression_amplitude for r in rules], float),
        "w_min": np.array([r.w_min for r in rules], float),
        "w_max": np.array([r.w_max for r in rules], float),
    }
    return syn_rule, table


_PARAMETERS = ("conductance", "v_rest", "v_reset", "v_thresh", "cm", "tau_m", "i_offset", "e_rev_E", "e_rev_I",
               "refrac_steps", "decay_m", "decay_E", "decay_I", "scale_E", "scale_I")


def segments(network: LoweredNetwork):
    """Contiguous neuron ranges of uniform parameters (one per population when it is uniform,
    else one per neuron), as start, stop and kind arrays for the kernel."""
    starts, stops, kinds = [], [], []
    for piece in network.populations:
        if piece.is_source:
            bounds = [(piece.start, piece.stop)]
        elif all(np.all(getattr(network, name)[piece.start:piece.stop] == getattr(network, name)[piece.start])
                 for name in _PARAMETERS):
            bounds = [(piece.start, piece.stop)]
        else:
            bounds = [(i, i + 1) for i in range(piece.start, piece.stop)]
        for start, stop in bounds:
            starts.append(start)
            stops.append(stop)
            kinds.append(kernel.SOURCE_SEGMENT if piece.is_source else
                         kernel.CONDUCTANCE_SEGMENT if network.conductance[start] else kernel.CURRENT_SEGMENT)
    return np.asarray(starts, np.int64), np.asarray(stops, np.int64), np.asarray(kinds, np.int64)


def _index(keys: np.ndarray, subset: np.ndarray, n: int):
    """CSR-style pointer and synapse ids of ``subset`` grouped by ``keys`` (stable order)."""
    order = subset[np.argsort(keys[subset], kind="stable")]
    counts = np.bincount(keys[subset], minlength=n)
    pointer = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=pointer[1:])
    return pointer, order.astype(np.int64)


class NumbaBackend(Backend):
    """Clock-driven CPU engine with sparse synapses, delay ring buffers and STDP traces."""

    name = "numba"
    requires = ("numba",)
    description = "Numba-compiled CPU kernel (default)"

    def run(self, network: LoweredNetwork) -> RawRun:
        started = time.perf_counter()
        if not kernel.simulate.signatures:
            # Compile (or load from the on-disk cache) on a one-neuron network, so that the
            # JIT cost is reported as build time rather than mixed into simulation time.
            self._simulate(_smallest_network())
        raw = self._simulate(network)
        raw.build_s = time.perf_counter() - started - raw.sim_s
        return raw

    def _simulate(self, network: LoweredNetwork) -> RawRun:
        started = time.perf_counter()
        n = network.n_neurons
        syn_rule, rules = rule_table(network)
        all_synapses = np.arange(network.n_synapses)
        out_ptr, out_syn = _index(network.syn_pre, all_synapses, n)
        in_ptr, in_syn = _index(network.syn_post, np.flatnonzero(syn_rule >= 0), n)
        recorded = [p for p in network.projections if p.record_weights]
        rec_weights = (np.concatenate([np.arange(p.start, p.stop) for p in recorded]) if recorded
                       else np.zeros(0, np.int64))
        empty = np.zeros(0, np.int64)
        built = time.perf_counter()
        steps, neurons, weights, trace_v, trace_exc, trace_inh, trace_w = kernel.simulate(
            network.n_steps, network.dt, *segments(network), network.v_init,
            network.v_rest, network.v_reset, network.v_thresh, network.cm, network.tau_m, network.i_offset,
            network.e_rev_E, network.e_rev_I, network.refrac_steps, network.decay_m, network.decay_E,
            network.decay_I, network.scale_E, network.scale_I, network.source_steps, network.source_neurons,
            out_ptr, out_syn, network.syn_post, network.syn_weight.copy(), network.syn_delay,
            network.syn_receptor, in_ptr, in_syn, network.syn_pre, syn_rule,
            rules["variant"], rules["tau_plus"], rules["tau_minus"], rules["a_plus"], rules["a_minus"],
            rules["w_min"], rules["w_max"],
            network.record_state.get("v", empty), network.record_state.get("exc", empty),
            network.record_state.get("inh", empty), rec_weights.astype(np.int64))
        finished = time.perf_counter()
        traces, offset = {}, 0
        for projection in recorded:
            size = projection.stop - projection.start
            traces[projection.label] = trace_w[:, offset:offset + size]
            offset += size
        state = {"v": trace_v, "exc": trace_exc, "inh": trace_inh}
        return RawRun(steps, neurons, weights, {k: a for k, a in state.items() if a.shape[1]}, traces,
                      build_s=built - started, sim_s=finished - built)


def _smallest_network() -> LoweredNetwork:
    from biomem.description import (IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                    SpikeSourceArray, STDP, lower)
    net = Network("warm_up")
    source = net.add(Population("source", 1, SpikeSourceArray(((0.0,),))))
    cell = net.add(Population("cell", 1, IF_curr_exp(), record=("spikes", "v", "isyn_exc", "isyn_inh")))
    net.add(Projection(source, cell, OneToOneConnector(), weight=1.0, delay=1.0, plasticity=STDP(),
                       record_weights=True))
    return lower(net, 2.0, 1.0, 0)
