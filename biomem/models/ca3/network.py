"""The CA3 content-addressable memory as a network description.

Casanueva-Morato et al., Neural Networks 178:106474 (2024). Population names and order
are those of the authors' recorded SpiNNaker tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from biomem.description import (STDP, AllToAllConnector, IF_curr_exp, Network, OneToOneConnector, Population,
                                Projection, SpikeSourceArray)
from biomem.description import validate as check

POPULATIONS = ("INcue", "INcont", "CA3cueCueRecall", "CA3contCueRecall", "CA3contCond", "CA3contCondInt",
               "CA3cueContRecall", "CA3contContRecall", "CA3MergeCue", "CA3MergeCont", "OUTcue", "OUTcont")


def _cell(cm: float, tau_m: float, v_thresh: float = -57.0) -> IF_curr_exp:
    return IF_curr_exp(cm=cm, tau_m=tau_m, tau_refrac=1.0, tau_syn_E=0.3, tau_syn_I=0.3,
                       v_rest=-60.0, v_reset=-60.0, v_thresh=v_thresh, i_offset=0.0)


SLOW = dict(cm=0.27, tau_m=3.0)
FAST = dict(cm=0.14, tau_m=0.5)


@dataclass(frozen=True)
class CA3Parameters:
    """Weights (nA) and STDP of the CA3 memory; defaults as configured by the authors."""

    w_exc: float = 6.0
    w_cont_cond: float = 9.0
    w_cond_int: float = 2.0
    stdp_tau: float = 3.0
    stdp_amplitude: float = 6.0
    w_max: float = 6.0

    def __post_init__(self):
        for name in ("w_exc", "w_cont_cond", "w_cond_int", "stdp_tau", "stdp_amplitude", "w_max"):
            check.positive(name, getattr(self, name))


def build_network(cue_size: int, content_size: int, cue_times, content_times,
                  parameters: CA3Parameters = CA3Parameters(), record_weights: bool = False) -> Network:
    """The CA3 memory with input spike times ``cue_times[i]`` and ``content_times[j]`` (ms)."""
    c = check.integer("cue_size", cue_size, low=2)
    k = check.integer("content_size", content_size, low=1)
    p = parameters
    net = Network("ca3_cam")
    pops = {
        "INcue": Population("INcue", c, SpikeSourceArray(tuple(tuple(t) for t in cue_times))),
        "INcont": Population("INcont", k, SpikeSourceArray(tuple(tuple(t) for t in content_times))),
        "CA3cueCueRecall": Population("CA3cueCueRecall", c, _cell(**SLOW)),
        "CA3contCueRecall": Population("CA3contCueRecall", k, _cell(**SLOW)),
        "CA3contCond": Population("CA3contCond", k, _cell(**FAST)),
        "CA3contCondInt": Population("CA3contCondInt", 1, _cell(**FAST)),
        "CA3cueContRecall": Population("CA3cueContRecall", c, _cell(**FAST)),
        "CA3contContRecall": Population("CA3contContRecall", k, _cell(**SLOW)),
        "CA3MergeCue": Population("CA3MergeCue", c, _cell(**SLOW)),
        "CA3MergeCont": Population("CA3MergeCont", k, _cell(**SLOW)),
        "OUTcue": Population("OUTcue", c, _cell(**SLOW, v_thresh=-57.5)),
        "OUTcont": Population("OUTcont", k, _cell(**SLOW, v_thresh=-57.5)),
    }
    net.add(*(pops[name] for name in POPULATIONS))
    stdp = STDP(tau_plus=p.stdp_tau, tau_minus=p.stdp_tau, A_plus=p.stdp_amplitude, A_minus=p.stdp_amplitude,
                w_min=0.0, w_max=p.w_max, variant="spinnaker")
    one, every, no_self = OneToOneConnector(), AllToAllConnector(), AllToAllConnector(allow_self_connections=False)

    def connect(pre, post, connector, weight, delay, receptor="excitatory", label="", **extra):
        net.add(Projection(pops[pre], pops[post], connector, receptor, weight, delay, label=label, **extra))

    connect("INcue", "CA3cueCueRecall", one, p.w_exc, 1)
    connect("INcont", "CA3contCueRecall", one, p.w_exc, 1)
    connect("CA3cueCueRecall", "CA3cueContRecall", one, p.w_exc, 2)
    connect("CA3cueCueRecall", "CA3cueContRecall", no_self, p.w_exc * k, 3, "inhibitory", "cue_inhibits_others")
    connect("CA3cueCueRecall", "CA3contCond", every, p.w_exc, 2, "inhibitory")
    connect("CA3contCueRecall", "CA3contCond", one, p.w_cont_cond, 1)
    connect("CA3contCueRecall", "CA3contCondInt", every, p.w_exc, 1)
    connect("CA3contCondInt", "CA3contCond", every, p.w_cond_int, 1)
    connect("CA3contCond", "CA3contContRecall", one, p.w_exc, 1)
    connect("CA3cueCueRecall", "CA3contCueRecall", every, 0.0, 1, label="cue_to_content_stdp", plasticity=stdp,
            record_weights=record_weights)
    connect("CA3contContRecall", "CA3cueContRecall", every, 0.0, 1, label="content_to_cue_stdp", plasticity=stdp,
            record_weights=record_weights)
    connect("CA3cueContRecall", "CA3cueContRecall", no_self, p.w_exc * k, 2, "inhibitory", "cue_recall_wta")
    connect("CA3cueCueRecall", "CA3MergeCue", one, p.w_exc, 3)
    connect("CA3cueContRecall", "CA3MergeCue", one, p.w_exc, 1, label="cue_recall_to_merge")
    connect("CA3contCueRecall", "CA3MergeCont", one, p.w_exc, 3)
    connect("CA3contContRecall", "CA3MergeCont", one, p.w_exc, 1, label="content_recall_to_merge")
    connect("CA3MergeCue", "OUTcue", one, p.w_exc, 1)
    connect("CA3MergeCont", "OUTcont", one, p.w_exc, 1)
    return net
