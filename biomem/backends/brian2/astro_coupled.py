"""Li-Rinzel astrocytes coupled to a network of LIF neurons, as Brian2 groups (runtime numpy target).

The neurons are the engine's closed-form update written as Brian2 code, astrocytes the groups of
:mod:`biomem.backends.brian2.astrocytes`; the order within a step is the one
:mod:`biomem.astrocytes.coupling` documents.
"""

from __future__ import annotations

import time

import numpy as np

from biomem.backends.brian2.astrocytes import (LI_RINZEL_INPUT, LI_RINZEL_ON_PRE, li_rinzel_group, li_rinzel_namespace,
                                             numpy_target)
from biomem.backends.brian2 import equations as eq
from biomem.errors import BiomemError


#: Neurons of a lowered network as the network builder makes them (:mod:`.equations`), plus the
#: astrocytes' current ``I_SIC`` (nA, held between astrocyte ticks) and its summed input.
CELL_MODEL = eq.CONDUCTANCE_MODEL + """
I_SIC : 1
I_SIC_sum : 1
"""
CELL_SYNAPSE = "w : 1 (constant)\nexc : 1 (constant)"
CELL_ON_PRE = "buf_E_post += w*exc\nbuf_I_post += w*(1 - exc)"
SIC_SYNAPSE = "w : 1 (constant)\nI_SIC_sum_post = w*SIC_pre : 1 (summed)"
#: Brian2 refreshes summed variables on the target's (neuron) clock; the membrane reads ``I_SIC``,
#: copied only at astrocyte ticks, before the astrocytes step (the Numba kernel's hold).
SIC_HOLD = "I_SIC = I_SIC_sum"


def simulate_coupled(lowered, astro, **options):
    """A lowered network with lowered astrocytes, in Brian2 (see :mod:`biomem.astrocytes.coupling`).

    Supported: networks whose neurons are all current-based or all conductance-based, ``sic_delay = 0``.
    A lowered delay of ``d`` steps becomes a Brian2 delay ``(d - 1) dt`` into a buffer that the next
    step's update consumes (the kernel's ring buffer).
    """
    import brian2 as b2
    from biomem.astrocytes.coupling import CoupledResult
    if options:
        raise BiomemError("options", f"brian2 takes no options here, got {', '.join(options)}", "none")
    layer = astro.layer
    if layer.sic_delay:
        raise BiomemError("sic_delay", f"{layer.sic_delay} is not supported on brian2", "0 (or use numba/torch)")
    cells = np.flatnonzero(~lowered.is_source)
    sources = np.flatnonzero(lowered.is_source)
    if cells.size == 0:
        raise BiomemError("network", "has no neuron (only spike sources)", "at least one LIF population")
    kinds = set(lowered.conductance[cells].tolist())
    if len(kinds) > 1:
        raise BiomemError("network", "mixes current- and conductance-based neurons on brian2",
                          "one kind of neuron (or use numba/torch)")
    conductance = kinds.pop()
    local = np.full(lowered.n_neurons, -1, np.int64)
    local[cells] = np.arange(cells.size)
    local[sources] = np.arange(sources.size)
    step = lowered.dt * b2.ms
    step_astro = step * layer.astro_every
    with numpy_target():
        group = b2.NeuronGroup(cells.size, CELL_MODEL, threshold=eq.THRESHOLD, reset=eq.RESET, dt=step, name="cells")
        group.dt_ms = float(lowered.dt)
        for name, values in (("v", lowered.v_init), ("v_rest", lowered.v_rest), ("v_reset", lowered.v_reset),
                             ("v_thresh", lowered.v_thresh), ("c_m", lowered.cm), ("tau_m", lowered.tau_m),
                             ("i_offset", lowered.i_offset), ("decay_m", lowered.decay_m),
                             ("decay_E", lowered.decay_E), ("decay_I", lowered.decay_I), ("scale_E", lowered.scale_E),
                             ("scale_I", lowered.scale_I), ("refrac_steps", lowered.refrac_steps.astype(float)),
                             ("e_rev_E", lowered.e_rev_E), ("e_rev_I", lowered.e_rev_I)):
            setattr(group, name, np.asarray(values, float)[cells])
        # Order in the groups slot: summed I_SIC_sum (-1), hold at ticks (0), astrocytes and neurons (1), clip (2).
        update = group.run_regularly(eq.conductance_update("I_SIC") if conductance else eq.current_update("I_SIC"),
                                     when="groups", order=1, dt=step, name="cells_update")
        objects = [group, update]
        generator = None
        if sources.size:
            steps = lowered.source_steps
            generator = b2.SpikeGeneratorGroup(sources.size, local[lowered.source_neurons], steps * step, dt=step,
                                               name="sources")
            objects.append(generator)
        astro_group, clip = li_rinzel_group(b2, layer.astrocyte, layer.n, step_astro, initial=astro.initial,
                                            order=1)
        objects += [astro_group, clip]
        b2.BrianLogger.suppress_name("synapses_dt_mismatch")   # spikes reach IP3 between ticks, by design

        def pre_group(is_src):
            return generator if is_src else group

        for is_src in (False, True):
            chosen = np.flatnonzero(lowered.is_source[lowered.syn_pre] == is_src)
            if chosen.size:
                syn = b2.Synapses(pre_group(is_src), group, CELL_SYNAPSE, on_pre=CELL_ON_PRE, dt=step,
                                  name="from_sources" if is_src else "recurrent")
                syn.connect(i=local[lowered.syn_pre[chosen]], j=local[lowered.syn_post[chosen]])
                syn.w = lowered.syn_weight[chosen]
                syn.exc = (lowered.syn_receptor[chosen] == 0).astype(float)
                syn.delay = (lowered.syn_delay[chosen] - 1) * step
                objects.append(syn)
            neurons = np.repeat(np.arange(lowered.n_neurons), np.diff(astro.gather_ptr))
            pick = np.flatnonzero(lowered.is_source[neurons] == is_src)
            if pick.size:
                feed = b2.Synapses(pre_group(is_src), astro_group, LI_RINZEL_INPUT, on_pre=LI_RINZEL_ON_PRE, dt=step,
                                   namespace={"delta_IP3": float(layer.astrocyte.delta_IP3)},
                                   name="sources_to_astro" if is_src else "cells_to_astro")
                feed.connect(i=local[neurons[pick]], j=astro.gather_astro[pick])
                feed.w = astro.gather_weight[pick]
                objects.append(feed)
        if astro.sic_neuron.size:
            owners = np.repeat(np.arange(layer.n), np.diff(astro.sic_ptr))
            sic = b2.Synapses(astro_group, group, SIC_SYNAPSE, dt=step, name="astro_sic",
                              namespace=li_rinzel_namespace(layer.astrocyte))
            sic.connect(i=owners, j=local[astro.sic_neuron])
            sic.w = astro.sic_weight
            objects += [sic, group.run_regularly(SIC_HOLD, when="groups", order=0, dt=step_astro, name="sic_hold")]
        rec = lowered.recorded_neurons("v")
        spikes = b2.SpikeMonitor(group, name="cell_spikes")
        objects.append(spikes)
        monitor = None
        if rec.size:
            monitor = b2.StateMonitor(group, ["v", "I_SIC"], record=local[rec], when="end", dt=step,
                                      name="cell_monitor")
            objects.append(monitor)
        astro_monitor = b2.StateMonitor(astro_group, ["IP3", "Ca_astro", "h_IP3R"], record=True, when="start",
                                        dt=step_astro, name="astro_monitor")
        net = b2.Network(*objects, astro_monitor)
        started = time.perf_counter()
        net.run(lowered.n_steps * step, namespace={})
        wall = time.perf_counter() - started
        cell_steps = np.rint(np.asarray(spikes.t / step)).astype(np.int64)
        cell_neurons = cells[np.asarray(spikes.i, np.int64)]
        trace_v = np.asarray(monitor.v).T if monitor is not None else np.zeros((lowered.n_steps, 0))
        trace_sic = np.asarray(monitor.I_SIC).T if monitor is not None else np.zeros((lowered.n_steps, 0))
        names = ("IP3", "Ca_astro", "h_IP3R")
        samples = {name: np.vstack([np.asarray(getattr(astro_monitor, name)).T,
                                    np.asarray(getattr(astro_group, name)[:], float)[None, :]]) for name in names}
    all_steps = np.concatenate([cell_steps, lowered.source_steps])
    all_neurons = np.concatenate([cell_neurons, lowered.source_neurons])
    order = np.lexsort((all_neurons, all_steps))
    samples["SIC"] = layer.astrocyte.sic(samples["Ca_astro"])
    times = np.arange(astro.n_ticks + 1) * lowered.dt * layer.astro_every
    return CoupledResult(lowered, all_steps[order], all_neurons[order], trace_v, trace_sic, samples, times, "brian2",
                         wall)
