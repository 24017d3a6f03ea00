"""``PATH.report.json`` and the measures ``--check`` reports.

Spike sets are compared in biomem's ``spikes.json`` form, ``{population: [[time_ms, index], ...]}``:

- **spike agreement** per population and over all neuron populations: spikes matched one to
  one at the same step (``exact``) and within ``tolerance`` steps (``within_tolerance``);
  precision = matched / exported, recall = matched / original, F1 their harmonic mean;
- **task accuracy** of the CA3 memory: the run is cut into operation windows (an operation
  starts where input spikes resume after a silence of more than 3 steps and lasts until the next
  one); in each window the sets of ``OUTcue`` and ``OUTcont`` neurons that fired are compared
  with the original run's. A window is correct when both sets are equal; the recall accuracy is
  the fraction of correct recall windows (recall by cue or by content);
- **task accuracy** of a model that hands its task over (``task={"kind": "hebbian-two-layer", ...}``,
  :mod:`biomem.hebbian.two_layer_task`): the final feature state of each trial is decoded from the
  read-out window (+1 = fired), and the accuracy is the fraction of trials whose overlap with the
  cued archetype is >= 0.9, with how many trials end in the same state as the original run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

INPUTS = ("INcue", "INcont")
SOURCES = ("cue", "control")   # the two-layer Hebbian network's inputs
OUTPUTS = ("OUTcue", "OUTcont")


def _as_steps(spikes: dict, dt: float, shift: int = 0) -> dict[str, dict[int, np.ndarray]]:
    """{population: {index: sorted steps}}."""
    out = {}
    for label, pairs in spikes.items():
        per_index: dict[int, list] = {}
        for time, index in pairs:
            per_index.setdefault(int(index), []).append(int(round(float(time) / dt)) + shift)
        out[label] = {i: np.sort(np.asarray(t, np.int64)) for i, t in per_index.items()}
    return out


def _matched(a: np.ndarray, b: np.ndarray, tolerance: int) -> int:
    """Largest one-to-one matching of sorted times a, b with |a_i - b_j| <= tolerance (greedy is optimal)."""
    i = j = count = 0
    while i < a.size and j < b.size:
        if abs(a[i] - b[j]) <= tolerance:
            count += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return count


def _scores(n_original: int, n_exported: int, matched: int) -> dict:
    precision = matched / n_exported if n_exported else (1.0 if n_original == 0 else 0.0)
    recall = matched / n_original if n_original else (1.0 if n_exported == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def spike_agreement(original: dict, exported: dict, dt: float, *, tolerance: int = 1, shift: int = 0,
                    skip: tuple[str, ...] = INPUTS, populations=None) -> dict:
    """Agreement of ``exported`` spikes with ``original`` (both spikes.json dicts, times in ms).

    ``shift`` (steps) is added to the exported times first; ``skip`` names populations left out
    of the totals (the inputs, replayed identically by construction).
    """
    a, b = _as_steps(original, dt), _as_steps(exported, dt, shift)
    labels = populations or [label for label in original if label not in skip]
    per_population, totals = {}, np.zeros(4, np.int64)
    for label in labels:
        ta, tb = a.get(label, {}), b.get(label, {})
        n_a = sum(t.size for t in ta.values())
        n_b = sum(t.size for t in tb.values())
        exact = sum(_matched(ta[i], tb[i], 0) for i in ta if i in tb)
        near = sum(_matched(ta[i], tb[i], tolerance) for i in ta if i in tb)
        per_population[label] = {"original": n_a, "exported": n_b, "matched_exact": exact,
                                 "matched_within_tolerance": near, **_scores(n_a, n_b, exact)}
        totals += (n_a, n_b, exact, near)
    n_a, n_b, exact, near = (int(x) for x in totals)
    return {"tolerance_steps": tolerance, "shift_steps": shift, "original": n_a, "exported": n_b,
            "exact": _scores(n_a, n_b, exact), "within_tolerance": _scores(n_a, n_b, near),
            "identical": bool(n_a == n_b == exact), "populations": per_population}


def operation_windows(spikes: dict, dt: float, n_steps: int, gap: int = 3) -> list[dict]:
    """Operation windows of a CA3 run, found from its input spikes."""
    steps = _as_steps({k: spikes.get(k, []) for k in INPUTS}, dt)
    events: dict[int, set] = {}
    for label in INPUTS:
        for index, times in steps.get(label, {}).items():
            for t in times:
                events.setdefault(int(t), set()).add(label)
    if not events:
        return []
    times = sorted(events)
    starts = [times[0]] + [t for previous, t in zip(times, times[1:]) if t - previous > gap]
    windows = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else n_steps
        kinds = set().union(*(events[t] for t in times if start <= t < stop))
        burst = [t for t in times if start <= t < stop]
        if kinds == {"INcue", "INcont"}:
            kind = "learn"
        elif kinds == {"INcue"}:
            kind = "recall_by_cue" if len(burst) == 1 else "cue_burst"
        else:
            kind = "recall_by_content" if len(burst) == 1 else "content_burst"
        windows.append({"start": start, "stop": stop, "kind": kind})
    return windows


def _fired(steps: dict, label: str, start: int, stop: int, shift: int = 0) -> list[int]:
    return sorted(i for i, t in steps.get(label, {}).items() if np.any((t >= start) & (t < stop)))


def task_accuracy(original: dict, exported: dict, dt: float, n_steps: int, *, shift: int = 0) -> dict:
    """CA3 task accuracy: per operation window, OUTcue/OUTcont neuron sets of ``exported`` vs ``original``."""
    windows = operation_windows(original, dt, n_steps)
    a, b = _as_steps(original, dt), _as_steps(exported, dt, shift)
    rows, correct_recalls, recalls, correct = [], 0, 0, 0
    for window in windows:
        row = dict(window)
        same = True
        for label in OUTPUTS:
            want = _fired(a, label, window["start"], window["stop"])
            got = _fired(b, label, window["start"], window["stop"])
            row[label] = {"original": want, "exported": got}
            same &= want == got
        row["correct"] = same
        correct += same
        if window["kind"].startswith("recall"):
            recalls += 1
            correct_recalls += same
        rows.append(row)
    return {"windows": len(rows), "correct_windows": correct,
            "window_accuracy": correct / len(rows) if rows else math.nan,
            "recalls": recalls, "correct_recalls": correct_recalls,
            "recall_accuracy": correct_recalls / recalls if recalls else math.nan, "operations": rows}


def is_ca3(spikes: dict) -> bool:
    """Whether a spikes dict has the CA3 memory's input and output populations."""
    return all(label in spikes for label in INPUTS + OUTPUTS)


def compare(original: dict, exported: dict, dt: float, n_steps: int, *, shift: int = 0, tolerance: int = 1,
            task: dict | None = None) -> dict:
    """Spike agreement, and the task accuracy: the CA3 memory's when the populations are its, or that
    of ``task`` (a ``hebbian-two-layer`` retrieval task, decoded from ``exported`` and ``original``)."""
    hebbian = task is not None and task.get("kind") == "hebbian-two-layer"
    out = {"spike_agreement": spike_agreement(original, exported, dt, tolerance=tolerance, shift=shift,
                                              skip=INPUTS + (SOURCES if hebbian else ()))}
    if hebbian:
        from biomem.hebbian.two_layer_task import task_accuracy as retrieval

        out["task_accuracy"] = retrieval(exported, task, reference=original)
    elif is_ca3(original):
        out["task_accuracy"] = task_accuracy(original, exported, dt, n_steps, shift=shift)
    return out


def best_shift(original: dict, exported: dict, dt: float, candidates=range(-2, 3)) -> int:
    """The constant step offset that best aligns ``exported`` with ``original`` (by exact F1)."""
    scores = {s: spike_agreement(original, exported, dt, tolerance=0, shift=s)["exact"]["f1"] for s in candidates}
    return max(scores, key=lambda s: (scores[s], -abs(s)))


def summary_line(name: str, comparison: dict) -> str:
    """One line for a person: spike F1 and, for CA3, correct recalls and windows."""
    agreement = comparison["spike_agreement"]
    text = (f"{name}: spike F1 {agreement['exact']['f1']:.3f} exact, "
            f"{agreement['within_tolerance']['f1']:.3f} within {agreement['tolerance_steps']} step(s) "
            f"({agreement['exported']} vs {agreement['original']} spikes)")
    if "task_accuracy" in comparison and "retrieved" in comparison["task_accuracy"]:
        task = comparison["task_accuracy"]
        text += (f"; retrieved {task['retrieved']}/{task['trials']} cued patterns (overlap >= {task['threshold']}), "
                 f"{task.get('same_state_as_reference', '?')}/{task['trials']} final states as biomem's")
    elif "task_accuracy" in comparison:
        task = comparison["task_accuracy"]
        text += (f"; recalls {task['correct_recalls']}/{task['recalls']}, "
                 f"windows {task['correct_windows']}/{task['windows']}")
    return text


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, Path):
        return str(value)
    return value


def report_path(out: Path) -> Path:
    """``OUT.report.json`` beside the artefact."""
    out = Path(out)
    return out.with_name(out.name + ".report.json")


def write_report(out: Path, report: dict) -> Path:
    """Write the report as JSON (NaN and infinities as null); returns its path."""
    path = report_path(out)
    path.write_text(json.dumps(_jsonable(report), indent=2, sort_keys=False) + "\n")
    return path
