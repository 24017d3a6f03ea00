"""Helpers shared by the CA3 experiment scripts (argument parsing, backends, batches, output)."""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

from biomem import backends
from biomem.models.ca3 import workloads
from biomem.models.ca3.memory import Evaluation, evaluate, has_batching, simulate_many
from biomem.models.ca3.operations import Schedule, TightSpacingWarning, schedule


def parser(name: str, description: str) -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--out", type=Path, default=Path("out") / name, help="output folder (default out/%(prog)s)")
    arguments.add_argument("--small", action="store_true", help="a CI-sized run (seconds)")
    return arguments


def study_parser(name: str, description: str) -> argparse.ArgumentParser:
    """:func:`parser` plus the options of the many-sequence studies: ``--backend`` and ``--seed``."""
    arguments = parser(name, description)
    arguments.add_argument("--backend", default="auto", help="auto (torch batches if available, else numba)")
    arguments.add_argument("--seed", type=int, default=0)
    return arguments


def prepare(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_metrics(out: Path, metrics: dict) -> Path:
    path = out / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2, sort_keys=False, default=_plain))
    return path


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def backend_status(names=("numba", "brian2", "torch")) -> dict[str, str | None]:
    """name -> None when usable here, else why not."""
    status = {}
    for name in names:
        missing = backends.missing_packages(name)
        if missing:
            status[name] = f"needs {', '.join(missing)}"
            continue
        try:
            backends.get(name)
            status[name] = None
        except Exception as error:  # a backend module not written yet, or failing to import
            status[name] = f"{type(error).__name__}: {error}"
    return status


def batch_backend(requested: str = "auto") -> str:
    """``auto``: torch batches (``run_batch``) where a GPU makes them pay, else numba.

    On CPU the numba kernel simulates these small networks far faster than batched torch
    (see benchmarks/ca3.py and docs/ca3.md), so batching there would only slow the sweep.
    """
    if requested != "auto":
        return requested
    if has_batching("torch"):
        import torch

        if torch.cuda.is_available():
            return "torch"
    return "numba"


def random_schedules(cue_size: int, content_size: int, n_operations: int, spacing: int, seeds,
                     **workload) -> list[Schedule]:
    """One seeded random sequence per seed, all of the same length (one topology and duration)."""
    schedules = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TightSpacingWarning)
        for seed in seeds:
            rng = np.random.default_rng(seed)
            operations = workloads.random_operations(rng, cue_size, content_size, n_operations, **workload)
            schedules.append(schedule(operations, cue_size, content_size, spacing))
    return schedules


def simulate_schedules(schedules: list[Schedule], backend: str, testbenches=None) -> tuple[list, float]:
    """Simulate (batched where the backend can); returns the results and wall seconds.
    ``testbenches`` replaces the schedules' own inputs (for instance perturbed copies)."""
    started = time.perf_counter()
    results = simulate_many(testbenches or [s.testbench for s in schedules], backend, **options_for(backend))
    return results, time.perf_counter() - started


def options_for(backend: str) -> dict:
    """Backend options of the sweeps: torch runs on the GPU when there is one."""
    if backend == "torch":
        import torch

        return {"device": "cuda"} if torch.cuda.is_available() else {}
    return {}


def evaluate_many(schedules: list[Schedule], backend: str, testbenches=None) -> tuple[list[Evaluation], float]:
    """:func:`simulate_schedules`, then each run evaluated against the ideal memory."""
    results, elapsed = simulate_schedules(schedules, backend, testbenches)
    return [evaluate(result, planned) for result, planned in zip(results, schedules)], elapsed


def tally(evaluations: list[Evaluation]) -> dict[str, float]:
    """Pooled fractions over many runs, overall and per kind of operation."""
    counts = {"all": [0, 0], "Learn": [0, 0], "RecallByCue": [0, 0], "RecallByContent": [0, 0]}
    kinds = {"residual": 0, "eroded": 0, "wrong": 0}
    for evaluation in evaluations:
        for operation, ok, kind in zip(evaluation.schedule.operations, evaluation.correct, evaluation.kinds):
            for key in ("all", type(operation).__name__):
                counts[key][0] += int(ok)
                counts[key][1] += 1
            if kind in kinds:
                kinds[kind] += 1
    total = max(counts["all"][1], 1)
    out = {"n_operations": counts["all"][1], "fraction_correct": counts["all"][0] / total,
           **{f"fraction_{kind}": count / total for kind, count in kinds.items()}}
    for key in ("Learn", "RecallByCue", "RecallByContent"):
        ok, n = counts[key]
        out[f"fraction_correct_{key}"] = ok / n if n else float("nan")
    return out
