"""Export to Nengo: a ``nengo.Network`` with explicit neuron-to-neuron weights.

Mapping (biomem step n is Nengo step n + 1, i.e. ``t = (n + 1) dt``; Nengo's ``dt`` is biomem's in seconds):

- each ``IF_curr_exp`` population becomes ``nengo.Ensemble(N, 1, neuron_type=nengo.LIF(tau_rc=tau_m,
  tau_ref=refractory steps * dt, min_voltage=-inf, initial_state=...))`` with gain 1. Nengo's LIF
  is normalised (``tau_rc du/dt = J - u``, threshold 1, reset 0), so the membrane is rescaled to
  ``u = (v - v_reset) / (v_thresh - v_reset)`` and ``bias = (v_rest - v_reset + R i_offset) / (v_thresh - v_reset)``
  with ``R = tau_m / cm``;
- each projection becomes ``nengo.Connection(pre.neurons, post.neurons, transform=W)`` with W of shape
  (post, pre), ``W = w R tau_syn / (v_thresh - v_reset)`` (sign from the receptor): a Nengo spike is one
  step of amplitude 1/dt, so a zero-order-hold ``Lowpass(tau_syn)`` then gives exactly biomem's per-step
  current ``w (tau_syn/dt)(1 - exp(-dt/tau_syn)) exp(-k dt/tau_syn)``; a delay of d > 1 steps is the
  same filter with d - 1 extra poles at zero (``LinearFilter(analog=False)``), exact as well.
  With ``synapse="lowpass"`` (what nengo-loihi accepts) delays beyond one step cannot be expressed;
- spike sources become ``nengo.Node`` s emitting 1/dt at the lowered spike steps.

What is approximated (the rest is exact to rounding):

1. **threshold**: Nengo spikes when ``u > 1``, biomem when ``v >= v_thresh`` (differs only on exact ties);
2. **refractory period**: biomem skips R = ``ceil(tau_refrac/dt)`` whole steps and resumes at a step
   boundary; Nengo's LIF ends the refractory period ``tau_ref`` after the threshold crossing, which it
   interpolates inside the step (at ``t_cross`` from the step's start), and integrates the rest of that
   step. The export uses ``tau_ref = (R + 1) dt`` so that the R skipped steps see no integration at all
   (``tau_ref = R dt`` would let a neuron integrate ``dt - t_cross`` of the first skipped step, which with
   inputs arriving on consecutive steps, as in CA3's learn operation, makes extra spikes); in exchange,
   at the step where integration resumes Nengo integrates ``dt - t_cross`` instead of ``dt``. With R = 0
   there is no refractory period and no difference;
3. the closed-form membrane update, the exponential synaptic current sampled per step and the
   reset are otherwise identical (Nengo's LIF also assumes a constant current over the step);
4. STDP has no Nengo counterpart (Nengo's rules are PES, BCM, Oja, Voja): an error, or frozen weights
   with ``approximate=True``; conductance-based cells are an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from biomem.description.lowered import INHIBITORY, LoweredNetwork
from biomem.description.network import Network
from biomem.errors import UnsupportedFeature
from biomem.export.common import Issues, check_network, freeze_plasticity, require_labels
from biomem.export.profiles import Profile

APPROXIMATIONS = (
    "Nengo's LIF fires on u > 1 (biomem: v >= v_thresh)",
    "Nengo's refractory period is tau_ref = (R + 1) dt after the interpolated threshold crossing: the "
    "step where integration resumes is integrated for dt - t_cross instead of dt",
)


@dataclass
class NengoExport:
    """The built network, its probes (population label -> nengo.Probe) and the plan it was built from."""

    network: object
    probes: dict
    lowered: LoweredNetwork
    dt_s: float
    issues: Issues
    synapse: str
    plan: dict = field(default_factory=dict)
    step_offset: int = 1  # Nengo step k holds biomem step k - 1


def plan(network: Network, lowered: LoweredNetwork, *, profile: Profile | None = None, approximate: bool = False,
         synapse: str = "exact", target: str = "nengo",
         issues: Issues | None = None) -> tuple[dict, LoweredNetwork, Issues]:
    """Everything the Nengo network needs, as plain numbers (also what the generated script embeds)."""
    issues = issues if issues is not None else Issues(target, approximate)
    require_labels(lowered)
    for population in network.populations:
        if not population.cell.spiking_source and type(population.cell).__name__ != "IF_curr_exp":
            conductance = getattr(population.cell, "conductance_based", False)
            issues.add("conductance-based synapses (IF_cond_exp)" if conductance
                       else f"cell type {type(population.cell).__name__}", population.label,
                       "Nengo's LIF is current-based", None)
    # Nengo has no STDP rule for neuron-to-neuron weights (its rules are PES, BCM, Oja, Voja).
    lowered = freeze_plasticity(check_network(network, lowered, profile, issues, plasticity_ok=False))
    for note in APPROXIMATIONS:
        issues.note(note)
    dt_ms = lowered.dt
    dt_s = dt_ms / 1000.0
    populations, connections = [], []
    for piece in lowered.populations:
        span = slice(piece.start, piece.stop)
        if piece.is_source:
            inside = (lowered.source_neurons >= piece.start) & (lowered.source_neurons < piece.stop)
            populations.append({"label": piece.label, "size": piece.size, "source": True,
                                "steps": lowered.source_steps[inside].tolist(),
                                "neurons": (lowered.source_neurons[inside] - piece.start).tolist()})
            continue
        gap = lowered.v_thresh[span] - lowered.v_reset[span]
        resistance = lowered.tau_m[span] / lowered.cm[span]
        bias = (lowered.v_rest[span] - lowered.v_reset[span] + resistance * lowered.i_offset[span]) / gap
        u0 = (lowered.v_init[span] - lowered.v_reset[span]) / gap
        # R skipped steps: tau_ref = (R + 1) dt keeps Nengo from integrating during them (see the
        # module docstring); R = 0 needs no refractory period at all.
        refractory = int(lowered.refrac_steps[piece.start])
        populations.append({"label": piece.label, "size": piece.size, "source": False,
                            "tau_rc": float(lowered.tau_m[piece.start]) / 1000.0,
                            "tau_ref": (refractory + 1) * dt_s if refractory else 0.0,
                            "bias": bias.tolist(), "u0": u0.tolist()})
    for projection in lowered.projections:
        pre = lowered.population(projection.pre)
        post = lowered.population(projection.post)
        span = slice(projection.start, projection.stop)
        receptor = lowered.syn_receptor[span]
        delays = lowered.syn_delay[span]
        targets = lowered.syn_post[span]
        gap = lowered.v_thresh[targets] - lowered.v_reset[targets]
        resistance = lowered.tau_m[targets] / lowered.cm[targets]
        decay = np.where(receptor == INHIBITORY, lowered.decay_I[targets], lowered.decay_E[targets])
        tau_syn = -dt_ms / np.log(decay)
        sign = np.where(receptor == INHIBITORY, -1.0, 1.0)
        value = sign * lowered.syn_weight[span] * resistance * (tau_syn / 1000.0) / gap
        # One Connection per (delay, time constant): all synapses of a biomem projection share both.
        for delay, tau in sorted(set(zip(delays.tolist(), np.round(tau_syn, 12).tolist()))):
            chosen = (delays == delay) & (np.round(tau_syn, 12) == tau)
            if synapse == "lowpass" and delay != 1:
                raise UnsupportedFeature("synaptic delays > 1 step", target,
                                         f"{projection.label}: {delay} steps; only Lowpass synapses are accepted")
            connections.append({"label": projection.label, "pre": projection.pre, "post": projection.post,
                                "pre_index": (lowered.syn_pre[span][chosen] - pre.start).tolist(),
                                "post_index": (targets[chosen] - post.start).tolist(),
                                "value": value[chosen].tolist(), "tau": float(tau) / 1000.0, "delay": int(delay),
                                "decay": float(math.exp(-dt_ms / float(tau)))})
    return ({"format": "biomem-nengo-1", "network": network.label, "dt": dt_s, "n_steps": lowered.n_steps,
             "synapse": synapse, "populations": populations, "connections": connections}, lowered, issues)


def build_from_plan(nengo, plan, loihi=False):
    """Build ``(nengo.Network, {label: Probe})`` from a plan (this function's source is copied into scripts).

    A spike source is a Node (the spike table) driving, without a synapse, an ensemble of
    ``SpikingRectifiedLinear`` neurons that fire exactly when the table says: nengo-loihi then
    sends those spikes to the chip as spikes (on a Node it would encode values with extra neurons).
    With ``loihi=True`` these source ensembles are placed off-chip (on the host).
    """
    import numpy as np

    dt = plan["dt"]
    objects, probes = {}, {}
    model = nengo.Network(label=plan["network"])
    if loihi:
        import nengo_loihi
        nengo_loihi.add_params(model)
    with model:
        for spec in plan["populations"]:
            if spec["source"]:
                table = np.zeros((plan["n_steps"] + 1, spec["size"]))
                table[spec["steps"], spec["neurons"]] = 1.0 / dt

                def output(t, table=table):
                    # Nengo step k (t = k dt) plays biomem step k - 1
                    step = int(round(t / dt)) - 1
                    return table[step] if 0 <= step < table.shape[0] else 0.0 * table[-1]

                node = nengo.Node(output, size_out=spec["size"], label=spec["label"] + "_table")
                source = nengo.Ensemble(spec["size"], 1, neuron_type=nengo.SpikingRectifiedLinear(),
                                        gain=np.ones(spec["size"]), bias=np.zeros(spec["size"]), label=spec["label"])
                nengo.Connection(node, source.neurons, synapse=None)
                if loihi:
                    model.config[source].on_chip = False
                objects[spec["label"]] = source
                probes[spec["label"]] = nengo.Probe(source.neurons, synapse=None)
                continue
            neuron = nengo.LIF(tau_rc=spec["tau_rc"], tau_ref=spec["tau_ref"], min_voltage=-np.inf,
                               initial_state={"voltage": np.asarray(spec["u0"], float)})
            ensemble = nengo.Ensemble(spec["size"], 1, neuron_type=neuron, gain=np.ones(spec["size"]),
                                      bias=np.asarray(spec["bias"], float), label=spec["label"])
            objects[spec["label"]] = ensemble
            probes[spec["label"]] = nengo.Probe(ensemble.neurons, synapse=None)
        sizes = {spec["label"]: spec["size"] for spec in plan["populations"]}
        for spec in plan["connections"]:
            matrix = np.zeros((sizes[spec["post"]], sizes[spec["pre"]]))
            np.add.at(matrix, (spec["post_index"], spec["pre_index"]), spec["value"])
            if plan["synapse"] == "lowpass":
                synapse = nengo.Lowpass(spec["tau"])
            else:
                # (1 - a) z^-d / (1 - a z^-1): Lowpass' zero-order hold plus d - 1 pure delays
                a = spec["decay"]
                synapse = nengo.synapses.LinearFilter([1.0 - a], [1.0, -a] + [0.0] * (spec["delay"] - 1),
                                                      analog=False)
            pre = objects[spec["pre"]]
            nengo.Connection(pre.neurons, objects[spec["post"]].neurons,
                             transform=matrix, synapse=synapse, label=spec["label"])
    return model, probes


def build(network: Network, lowered: LoweredNetwork, *, profile: Profile | None = None, approximate: bool = False,
          synapse: str = "exact", target: str = "nengo", issues: Issues | None = None) -> NengoExport:
    """Build the Nengo network for ``lowered`` (the lowering of ``network``)."""
    import nengo

    spec, lowered, issues = plan(network, lowered, profile=profile, approximate=approximate, synapse=synapse,
                                 target=target, issues=issues)
    model, probes = build_from_plan(nengo, spec, loihi=target == "loihi" and _has_nengo_loihi())
    return NengoExport(model, probes, lowered, spec["dt"], issues, synapse, spec)


_SCRIPT = '''#!/usr/bin/env python3
"""{title}

Generated by biomem {version} (`biomem export --target {target}`); do not edit, regenerate.
Run: python {filename} [--simulator nengo|loihi] [--out spikes.json]
(--simulator loihi runs nengo-loihi's emulator, target="sim"; it needs numpy < 2.)
Writes {{population: [[time_ms, index], ...]}} (biomem's spikes.json) on --out or stdout.
"""

import argparse
import json
import sys

PLAN = json.loads({data})


{builder}

def run(simulator="nengo", out=None):
    import numpy as np
    import nengo
    model, probes = build_from_plan(nengo, PLAN, loihi=simulator == "loihi")
    if simulator == "loihi":
        import nengo_loihi
        make = lambda: nengo_loihi.Simulator(model, dt=PLAN["dt"], target="sim", progress_bar=False)
    else:
        make = lambda: nengo.Simulator(model, dt=PLAN["dt"], progress_bar=False)
    with make() as sim:
        sim.run_steps(PLAN["n_steps"])
        data = {{label: np.asarray(sim.data[probe]) for label, probe in probes.items()}}
    dt_ms = PLAN["dt"] * 1000.0
    spikes = {{}}
    for label, values in data.items():
        steps, index = np.nonzero(values > 0)   # row k is Nengo step k + 1 = biomem step k
        order = np.lexsort((index, steps))
        spikes[label] = [[_ms(s * dt_ms), int(i)] for s, i in zip(steps[order], index[order])]
    if out:
        with open(out, "w") as handle:
            json.dump(spikes, handle)
    return spikes


def _ms(value):
    value = round(float(value), 9)
    return int(value) if value == int(value) else value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulator", default="nengo", choices=["nengo", "loihi"])
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    spikes = run(args.simulator, args.out)
    if not args.out:
        json.dump(spikes, sys.stdout)


if __name__ == "__main__":
    main()
'''


def write_script(spec: dict, out, *, target: str = "nengo") -> Path:
    """A standalone script rebuilding the network with plain nengo (numbers JSON-encoded, never pasted code)."""
    import inspect
    import json

    from biomem import __version__
    out = Path(out)
    data = json.dumps(spec, separators=(",", ":"), allow_nan=False)
    builder = inspect.getsource(build_from_plan)
    text = _SCRIPT.format(title=f"Nengo model of the biomem network {spec['network']}", version=__version__,
                          target=target, filename="".join(c if c.isalnum() or c in "_-." else "_" for c in out.name),
                          data=repr(data), builder=builder)
    out.write_text(text)
    return out


def _has_nengo_loihi() -> bool:
    import importlib.util

    return importlib.util.find_spec("nengo_loihi") is not None


def spikes_from_probes(export: NengoExport, data) -> dict:
    """{population: [[time_ms, index], ...]} from a simulator's probe data, in biomem's step convention."""
    out = {}
    for label, probe in export.probes.items():
        values = np.asarray(data[probe])
        steps, index = np.nonzero(values > 0)
        # row k is Nengo step k + 1, i.e. biomem step k (see the module docstring).
        biomem_steps = steps + 1 - export.step_offset
        order = np.lexsort((index, biomem_steps))
        out[label] = [[_ms(s * export.lowered.dt), int(i)] for s, i in zip(biomem_steps[order], index[order])]
    return out


def _ms(value: float):
    rounded = round(float(value), 9)
    return int(rounded) if rounded == int(rounded) else rounded


def run(export: NengoExport, *, simulator=None, **options) -> dict:
    """Simulate the exported network for the lowered duration; returns spikes.json."""
    import nengo

    import warnings

    simulator = simulator or nengo.Simulator
    with warnings.catch_warnings():
        # Nengo computes max rates/intercepts from gain and bias at build time; with bias <= 0
        # (every neuron at rest below threshold) that divides by zero harmlessly.
        warnings.simplefilter("ignore", RuntimeWarning)
        with simulator(export.network, dt=export.dt_s, progress_bar=False, **options) as sim:
            sim.run_steps(export.lowered.n_steps)
            return spikes_from_probes(export, sim.data)
