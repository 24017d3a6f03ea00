"""``biomem run hebbian-two-layer``: the two-layer spiking network of a trained Hebbian memory.

Trains the memory, cues it with noisy patterns one trial at a time, simulates the network on the
chosen backend and compares the fraction of cues retrieved with the ideal zero-temperature
retrieval of the same cues (:mod:`biomem.hebbian.two_layer_task`). The network and its
approximations are described in :mod:`biomem.hebbian.two_layer`.
"""

from __future__ import annotations

from biomem.errors import BiomemError
from biomem.models.context import RunContext, RunOutput


def run_two_layer(ctx: RunContext) -> RunOutput:
    """Build, simulate and score the network; P > 2 needs ``--set approximate=true``."""
    from biomem import plotting
    from biomem.hebbian.two_layer_task import from_parameters, task_accuracy
    from biomem.simulate import simulate

    p = ctx.params
    if p["P"] > 2 and not p["approximate"]:
        raise BiomemError("approximate", f"P = {p['P']} needs a polynomial memory unit m^{p['P'] - 1}, which no "
                          "biomem cell has", "--set approximate=true (a thresholded LIF unit in its place, reported)")
    built = from_parameters(p, ctx.seed, approximate=p["approximate"])
    result = simulate(built.network, built.duration, dt=built.dt, seed=ctx.seed, backend=ctx.backend,
                      **ctx.options)
    spikes = result.spikes_json()
    score, ideal = task_accuracy(spikes, built.task), built.task["ideal"]
    figure = ctx.out / "hebbian_two_layer_raster.png"
    plotting.raster(result, path=figure)
    metrics = {"trials": score["trials"], "retrieved": score["retrieved"], "accuracy": score["accuracy"],
               "ideal_retrieved": ideal["retrieved"], "ideal_accuracy": ideal["accuracy"]}
    summary = [f"retrieved {score['retrieved']}/{score['trials']} cues (overlap >= {score['threshold']}); "
               f"ideal zero-temperature retrieval {ideal['retrieved']}/{ideal['trials']}"]
    summary += [f"approximated: {item['feature']} -> {item['approximation']}" for item in built.approximations]
    return RunOutput(metrics=metrics, spikes=spikes, figures=[figure], summary=summary)
