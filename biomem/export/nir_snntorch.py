"""Running a NIR graph with snnTorch (``import_from_nir``), after refusing what snnTorch would change."""

from __future__ import annotations

import math

import numpy as np

from biomem.errors import UnsupportedFeature
from biomem.export.nir_graph import OUTPUT_SUFFIX
from biomem.export.nir_io import metadata_value

#: Time step (s) hard-coded in snnTorch's ``import_from_nir``.
SNNTORCH_DT_S = 1e-4


def to_snntorch(graph):
    """Load the graph with snnTorch's ``import_from_nir``, after checking what snnTorch would change.

    snnTorch hard-codes dt = 0.1 ms, resets to zero (v_reset must be 0 relative to rest), needs
    v_leak = 0 and one threshold per population; anything else is an UnsupportedFeature here
    rather than a silent change of behaviour.

    Parameters
    ----------
    graph : nir.NIRGraph
        A graph with one ``Input`` and one ``Output`` (``to_graph(..., outputs=[label])``),
        best written with ``time_constants="euler"``.

    Returns
    -------
    torch.nn.Module
        The module snnTorch builds for the graph (nirtorch's GraphExecutor).

    Raises
    ------
    UnsupportedFeature
        For several inputs or outputs, a time step other than 0.1 ms, ``nir.Delay`` nodes, a reset
        away from rest or a constant input current.
    """
    import nir

    n_inputs = sum(isinstance(n, nir.Input) for n in graph.nodes.values())
    n_outputs = sum(isinstance(n, nir.Output) for n in graph.nodes.values())
    if n_inputs != 1 or n_outputs != 1:
        raise UnsupportedFeature(f"graphs with {n_inputs} inputs and {n_outputs} outputs", "snnTorch import_from_nir",
                                 "nirtorch 2.6 executes one Input and one Output (export with outputs=[label])")
    dt_s = metadata_value(graph, "biomem.dt_s")
    if dt_s is not None and not math.isclose(float(dt_s), SNNTORCH_DT_S, rel_tol=1e-9):
        raise UnsupportedFeature(f"time step {float(dt_s) * 1000:g} ms", "snnTorch import_from_nir",
                                 "snnTorch hard-codes dt = 0.1 ms")
    for key, node in graph.nodes.items():
        if isinstance(node, nir.Delay):
            raise UnsupportedFeature("synaptic delays > 1 step (nir.Delay)", "snnTorch import_from_nir", key)
        if isinstance(node, (nir.CubaLIF, nir.LIF)):
            if np.any(np.asarray(node.v_reset) != 0):
                raise UnsupportedFeature("reset to a potential other than rest", "snnTorch import_from_nir",
                                         f"{key}: snnTorch resets to zero")
            if np.any(np.asarray(node.v_leak) != 0):
                raise UnsupportedFeature("constant input current (v_leak != 0)", "snnTorch import_from_nir", key)
    import contextlib
    import io

    from snntorch import import_nir

    with contextlib.redirect_stdout(io.StringIO()):  # snnTorch prints warnings on stdout
        return import_nir.import_from_nir(graph)


def run_snntorch(module, graph, inputs: dict, n_steps: int) -> dict:
    """Step an imported snnTorch module and collect its output spikes.

    Parameters
    ----------
    module : torch.nn.Module
        The result of :func:`to_snntorch`.
    graph : nir.NIRGraph
        The graph it was imported from (for the Input and Output keys).
    inputs : dict
        Maps Input keys to ``(n_steps, size)`` arrays of 0/1.
    n_steps : int
        Steps to run.

    Returns
    -------
    dict
        ``{population: [[step, index], ...]}`` (steps, not ms). snnTorch computes in float32.
    """
    import nir
    import torch

    input_keys = [k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    output_keys = [k for k, n in graph.nodes.items() if isinstance(n, nir.Output)]
    spikes = {k[: -len(OUTPUT_SUFFIX)] if k.endswith(OUTPUT_SUFFIX) else k: [] for k in output_keys}
    state = None
    with torch.no_grad():
        for step in range(n_steps):
            args = [torch.as_tensor(np.asarray(inputs[k][step], np.float32)) for k in input_keys]
            result = module(*args, state=state) if state is not None or _takes_state(module) else module(*args)
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
                out, state = result
            else:
                out = result
            values = out if isinstance(out, dict) else ({output_keys[0]: out} if len(output_keys) == 1 else
                                                         dict(zip(output_keys, out)))
            for key, value in values.items():
                label = key[: -len(OUTPUT_SUFFIX)] if key.endswith(OUTPUT_SUFFIX) else key
                if isinstance(value, tuple):
                    value = value[0]
                for index in np.flatnonzero(np.asarray(value).reshape(-1) > 0):
                    spikes.setdefault(label, []).append([step, int(index)])
    return spikes


def _takes_state(module) -> bool:
    import inspect

    try:
        return "state" in inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        return False
