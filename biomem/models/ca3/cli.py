"""`biomem run ca3-cam`: simulate a testbench (``--input``) or the built-in demo.

With ``--input FILE`` the file is a testbench in the authors' format; cue and content sizes
default to its list lengths. Its operations are recognised from the input spikes and scored
against the ideal memory; when the file also holds ``expected_spikes`` (as the reference table
of the functional experiment does), the run is compared with them population by population.
Without ``--input`` the demo learns three memories, recalls by cue and by fragments, forgets by
relearning and recalls again (the authors' functional experiment).
"""

from __future__ import annotations

import warnings

from biomem.errors import BiomemError
from biomem.models.ca3 import workloads
from biomem.models.ca3.memory import evaluate, simulate_testbench
from biomem.models.ca3.network import POPULATIONS
from biomem.models.ca3.operations import TightSpacingWarning, operations_from_testbench, schedule
from biomem.models.ca3.plots import raster
from biomem.models.ca3.testbench import Testbench, read_json
from biomem.models.context import RunContext, RunOutput

DEMO_CUE_SIZE, DEMO_CONTENT_SIZE = 5, 10


def run(ctx: RunContext) -> RunOutput:
    """Simulate and score a CA3 memory run: the ``--input`` testbench, or the built-in demo without one.

    Reads ``cue_size`` and ``content_size`` (0 or None: the file's list lengths, or 5 and 10 for
    the demo), ``spacing`` (ms between demo operations) and ``plot`` from ``ctx.params``. Returns
    the scoring metrics, spike counts and timings, the spikes of every population, a summary table
    and, when ``plot`` is true, ``raster.png`` in ``ctx.out``.
    """
    params = ctx.params
    cue_size = params.get("cue_size") or None
    content_size = params.get("content_size") or None
    notes: list[str] = []
    reference = None
    if ctx.input is not None:
        data = read_json(ctx.input, "--input")
        testbench = Testbench.from_dict(data, cue_size, content_size)
        planned, unrecognised = operations_from_testbench(testbench)
        if unrecognised:
            notes.append(f"inputs at t = {', '.join(map(str, unrecognised[:10]))}"
                         f"{' ...' if len(unrecognised) > 10 else ''} form no operation: simulated, not scored")
        if isinstance(data.get("expected_spikes"), dict):
            reference = data["expected_spikes"]
        source = ctx.input.name
    else:
        cue_size, content_size = cue_size or DEMO_CUE_SIZE, content_size or DEMO_CONTENT_SIZE
        if cue_size < DEMO_CUE_SIZE or content_size < DEMO_CONTENT_SIZE:
            name = "cue_size" if cue_size < DEMO_CUE_SIZE else "content_size"
            raise BiomemError(name, "too small for the demo",
                              f"cue_size >= {DEMO_CUE_SIZE} and content_size >= {DEMO_CONTENT_SIZE}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TightSpacingWarning)
            planned = schedule(workloads.functional(), cue_size, content_size, params.get("spacing", 10))
        notes += [str(w.message) for w in caught if issubclass(w.category, TightSpacingWarning)]
        testbench, unrecognised, source = planned.testbench, [], "demo (the functional experiment)"

    with ctx.progress(f"simulating {testbench.sim_time} ms on {ctx.backend}", total=1) as progress:
        result = simulate_testbench(testbench, ctx.backend, **ctx.options)
        progress.advance()
    evaluation = evaluate(result, planned)
    spikes = result.spikes_json()

    metrics = {**evaluation.metrics(), "n_unrecognised_inputs": len(unrecognised),
               "cue_size": testbench.cue_size, "content_size": testbench.content_size,
               "sim_time_ms": testbench.sim_time, "dt_ms": 1.0,
               "sim_s": float(result.raw.sim_s), "build_s": float(result.raw.build_s)}
    metrics.update({f"n_spikes_{label}": count for label, count in result.spike_counts().items()})
    summary = [f"CA3 memory, {testbench.cue_size} cues x {testbench.content_size} bits, {source}: "
               f"{testbench.sim_time} ms on {ctx.backend}", ""]
    summary += evaluation.table() if len(planned) else ["no operation recognised in the inputs"]
    if reference is not None:
        matches = {label: spikes[label] == reference[label] for label in POPULATIONS if label in reference}
        metrics.update({f"matches_reference_{label}": int(ok) for label, ok in matches.items()})
        metrics["reference_populations_matching"] = sum(matches.values())
        summary.append(f"spikes equal the recorded reference in {sum(matches.values())}/{len(matches)} "
                       "populations" + ("" if all(matches.values()) else
                                        f" (differ: {', '.join(k for k, ok in matches.items() if not ok)})"))
    summary += notes

    figures = []
    if params.get("plot", True):
        figures.append(raster(result, ctx.out / "raster.png", planned, evaluation.kinds,
                              title=f"CA3 memory ({source}, {ctx.backend})"))
    return RunOutput(metrics=metrics, spikes=spikes, figures=figures, summary=summary)
