"""One call from a network to an exported artefact, its report and (optionally) its check.

:func:`export` is what ``biomem export`` runs. Per target it writes ``out``:

========== ======================================================================================
nengo      a standalone Python script building the ``nengo.Network`` (``--simulator nengo``)
loihi      the same script restricted to nengo-loihi (``--simulator loihi`` runs its emulator)
pynn       a standalone PyNN script (``--simulator nest|brian2|spiNNaker``)
spinnaker  the PyNN script, plus sPyNNaker's virtual-board mapping when sPyNNaker is installed
nir        a NIR graph (HDF5, ``nir.write``)
========== ======================================================================================

and ``out.report.json``: target, profile, issues (unsupported features and the approximations
applied), notes on semantic differences, the quantisation error statistics, the core mapping,
and with ``check=True`` the spike agreement and task accuracy of every re-simulation against the
original network simulated by biomem's numba backend (CA3: operation windows; a model whose ``model``
dict carries a ``task``, such as ``hebbian-two-layer``: the fraction of cued patterns retrieved).
A ``model`` dict may also list ``approximations`` its builder had to make (the polynomial memory
unit of a dense memory with P > 2): they are raised as UnsupportedFeature unless ``approximate``.
"""

from __future__ import annotations

import time
from pathlib import Path

from biomem.description.lowered import LoweredNetwork, lower
from biomem.description.network import Network
from biomem.errors import BiomemError
from biomem.export import profiles as profile_module
from biomem.export import report as report_module
from biomem.export.common import Issues
from biomem.export.mapping import map_network
from biomem.export.quantise import quantise

TARGETS = ("nengo", "loihi", "spinnaker", "pynn", "nir")
DEFAULT_PROFILE = {"nengo": None, "pynn": None, "loihi": "loihi", "spinnaker": "spinnaker", "nir": "generic-nir"}


def resolve_profile(target: str, profile) -> profile_module.Profile | None:
    """The profile to use: a Profile, a shipped name, a TOML path, or (None) the target's default."""
    if isinstance(profile, profile_module.Profile):
        return profile
    if profile is None:
        name = DEFAULT_PROFILE[target]
        return profile_module.get(name) if name else None
    path = Path(profile)
    if path.suffix == ".toml" or path.exists():
        return profile_module.load(path)
    return profile_module.get(str(profile))


def simulate_lowered(lowered: LoweredNetwork) -> dict:
    """spikes.json of a lowered network on biomem's numba backend."""
    from biomem.backends.numba.backend import NumbaBackend
    from biomem.results import SimulationResult

    return SimulationResult(lowered, NumbaBackend().run(lowered), "numba").spikes_json()


def export(network: Network, duration: float, *, target: str, out, dt: float = 0.1, seed: int = 0,
           profile=None, approximate: bool = False, check: bool = False, simulator: str = "nest",
           model: dict | None = None) -> dict:
    """Export ``network`` (run for ``duration`` ms at ``dt``) to ``target``; returns the report (also written)."""
    if target not in TARGETS:
        raise BiomemError("--target", f"unknown target {target!r}", ", ".join(TARGETS))
    out = Path(out)
    if out.exists() and out.is_dir():
        raise BiomemError("--out", f"{out} is a directory", "a file path")
    if not out.parent.exists():
        raise BiomemError("--out", f"folder {out.parent} does not exist", "a path in an existing folder")
    started = time.perf_counter()
    profile = resolve_profile(target, profile)
    lowered = lower(network, duration, dt, seed)
    issues = Issues(target, approximate)
    # What the model's builder could only approximate (no target has it either): refused here, before
    # anything is written, unless approximating; then listed with the target's own issues.
    for pending in (model or {}).get("approximations", []):
        issues.add(pending["feature"], pending["where"], pending["detail"], pending["approximation"])
    artefact: dict = {"path": str(out)}
    exported = None  # lowered network as the target sees it (approximations applied)

    if target in ("nengo", "loihi"):
        from biomem.export import nengo_export

        spec, exported, issues = nengo_export.plan(network, lowered, profile=profile, approximate=approximate,
                                                    synapse="lowpass" if target == "loihi" else "exact",
                                                    target=target, issues=issues)
        nengo_export.write_script(spec, out, target=target)
        artefact["kind"] = "python script (nengo)"
        artefact["run"] = f"python {out.name} --simulator {'loihi' if target == 'loihi' else 'nengo'}"
    elif target in ("pynn", "spinnaker"):
        from biomem.export import pynn_export

        written = pynn_export.export(network, lowered, out, profile=profile, approximate=approximate, target=target,
                                     issues=issues)
        exported = written["lowered"]
        artefact["kind"] = "python script (PyNN)"
        artefact["run"] = f"python {out.name} --simulator nest|brian2|spiNNaker --out spikes.json"
        timing = (model or {}).get("task", {}).get("pynn_timing")
        if timing:
            artefact["run"] += f" --timing {timing}"
            issues.note(f"run on NEST/Brian2 with --timing {timing}: "
                        + (model or {})["task"].get("pynn_timing_reason", ""))
    else:
        from biomem.export import nir_export

        graph = nir_export.to_graph(network, lowered, profile=profile, approximate=approximate, issues=issues)
        nir_export.write(graph, out)
        exported = graph.lowered
        artefact["kind"] = "NIR graph (HDF5)"
        artefact["nodes"] = len(graph.graph.nodes)

    quantised, quantisation = quantise(exported, profile)
    mapping = map_network(exported, profile)
    result = {
        "target": target, "model": model or {"network": network.label}, "artefact": artefact,
        "profile": profile.to_dict() if profile else None,
        "network": {"neurons": int((~lowered.is_source).sum()), "source_neurons": int(lowered.is_source.sum()),
                    "synapses": lowered.n_synapses, "populations": len(lowered.populations),
                    "projections": len(lowered.projections), "dt_ms": dt, "duration_ms": duration, "seed": seed},
        "unsupported_features": [issue.to_dict() for issue in issues],
        "approximate": approximate,
        "notes": list(issues.notes),
        "quantisation": quantisation.to_dict(),
        "mapping": mapping.to_dict() if mapping else None,
    }
    if target == "spinnaker":
        from biomem.export import spinnaker

        result["spynnaker"] = spinnaker.virtual_board_mapping(out, estimate=result["mapping"])
    if check:
        result["check"] = run_check(lowered, exported, quantised, profile, target, out, simulator,
                                    task=(model or {}).get("task"))
    result["elapsed_s"] = time.perf_counter() - started
    result["report"] = str(report_module.write_report(out, result))
    return result


def run_check(lowered, exported, quantised, profile, target, out, simulator, task: dict | None = None) -> dict:
    """Re-simulate the original and the exported network on the same input and compare.

    ``task`` (a model's retrieval task, see :func:`biomem.export.report.compare`) adds the task
    accuracy of the original run (``reference_task``) and of every re-simulation.
    """
    dt, n_steps = lowered.dt, lowered.n_steps
    original = simulate_lowered(lowered)
    checks: dict = {"reference": "biomem numba on the original network", "runs": {}}
    if task is not None:
        checks["reference_task"] = report_module.compare(original, original, dt, n_steps, task=task)["task_accuracy"]

    def record(name, spikes, description):
        comparison = report_module.compare(original, spikes, dt, n_steps, task=task)
        comparison["description"] = description
        checks["runs"][name] = comparison
        return comparison

    approximated = exported is not lowered and _differs(lowered, exported)
    if approximated:
        record("biomem_approximated", simulate_lowered(exported),
               "biomem numba on the network with the approximations applied (frozen STDP, ...)")
    if profile is not None and quantised is not exported:
        record(f"biomem_quantised_{profile.name}", simulate_lowered(quantised),
               f"biomem numba with {profile.name}'s numerics (weights, decays, thresholds rounded)")
    if target in ("nengo", "loihi"):
        from biomem.export import nengo_export

        spec = _load_plan(out)
        import nengo

        from biomem.export import loihi

        # nengo-loihi needs the spike sources placed off-chip (a config entry the reference simulator
        # ignores): without it its emulator runs with no input and records no spike at all.
        emulate = target == "loihi" and loihi.emulator_available()
        model, probes = nengo_export.build_from_plan(nengo, spec, loihi=emulate)
        export = nengo_export.NengoExport(model, probes, exported, spec["dt"], Issues(target, True), spec["synapse"],
                                          spec)
        record("nengo", nengo_export.run(export), "Nengo reference simulator on the exported network")
        if target == "loihi":
            if emulate:
                record("nengo_loihi_emulator", loihi.run_emulator(export), "nengo-loihi emulator (target=sim)")
            else:
                checks["nengo_loihi_emulator"] = "not installed here: make -f Makefile.loihi test"
    elif target in ("pynn", "spinnaker"):
        from biomem.export import pynn_export

        if pynn_export.simulator_available(simulator):
            timing = (task or {}).get("pynn_timing") or "aligned"
            spikes = pynn_export.run_scripts([out], simulator, timing=timing)[str(Path(out).resolve())]
            record(f"pynn_{simulator}", spikes, f"the generated script on PyNN {simulator} ({timing} timing)")
        else:
            checks[f"pynn_{simulator}"] = "not installed"
    else:
        from biomem import simulate
        from biomem.export import nir_export

        graph = nir_export.read(out)
        back = nir_export.to_network(graph, nir_export.inputs_from_lowered(exported), dt=dt)
        spikes = simulate(back, n_steps * dt, dt=dt, seed=lowered.seed).spikes_json()
        record("nir_roundtrip_biomem", spikes, "the NIR file imported back into biomem and simulated")
    return checks


def _load_plan(out) -> dict:
    import ast
    import json

    text = Path(out).read_text()
    marker = "PLAN = json.loads("
    start = text.index(marker) + len(marker)
    end = text.index("\n", start)
    return json.loads(ast.literal_eval(text[start:end].rstrip(")")))


def _differs(a: LoweredNetwork, b: LoweredNetwork) -> bool:
    import numpy as np

    if any(p.plasticity is not None for p in a.projections) != any(p.plasticity is not None for p in b.projections):
        return True
    for name in ("syn_delay", "refrac_steps", "v_init", "i_offset", "decay_I", "syn_weight"):
        if not np.array_equal(getattr(a, name), getattr(b, name)):
            return True
    return False


__all__ = ["export", "run_check", "resolve_profile", "simulate_lowered", "TARGETS"]
