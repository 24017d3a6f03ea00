"""Willshaw memory simulated: clipped binary storage and one-step threshold retrieval.

See :mod:`biomem.theory.willshaw` for the rule and the theory it is compared with. Hetero mode
stores pairs (input pattern -> independent output pattern); auto mode stores each pattern on
itself with ``W_ii = 1``. The cue keeps ``round(cue k)`` active units of the input pattern, chosen
at random; the threshold is the number of active cue units.
"""

from __future__ import annotations

import numpy as np

from biomem.description.validate import choice, integer, real
from biomem.hebbian import patterns
from biomem.theory.willshaw import pearson


def store(inputs: np.ndarray, outputs: np.ndarray, auto: bool) -> np.ndarray:
    """Clipped Hebbian matrix ``W[i_out, j_in]`` (uint8)."""
    counts = outputs.T.astype(np.float32) @ inputs.astype(np.float32)
    W = (counts > 0).astype(np.uint8)
    if auto:
        np.fill_diagonal(W, 1)
    return W


def simulate(N: int, k: int, K: int, cue: float, mode: str, trials: int, seed: int) -> dict:
    """Mean false positives, misses, Pearson ``m`` and the fraction of perfect recalls."""
    integer("N", N, low=2)
    integer("k", k, low=1, high=N)
    integer("K", K, low=1)
    integer("trials", trials, low=1)
    real("cue", cue, low=0.0, high=1.0, low_open=True)
    choice("mode", mode, ("auto", "hetero"))
    rng = patterns.generator(seed)
    x = patterns.sparse_patterns(K, N, k, rng)
    y = x if mode == "auto" else patterns.sparse_patterns(K, N, k, rng)
    W = store(x, y, mode == "auto")
    c = max(1, int(round(cue * k)))
    fps, misses, ms, perfect = [], [], [], 0
    for mu in rng.choice(K, size=min(trials, K), replace=False):
        active = np.flatnonzero(x[mu])
        cue_vec = np.zeros(N, dtype=np.float32)
        cue_vec[rng.choice(active, size=c, replace=False)] = 1
        out = (W.astype(np.float32) @ cue_vec >= c)
        target = y[mu].astype(bool)
        fp = int((out & ~target).sum())
        miss = int((~out & target).sum())
        fps.append(fp)
        misses.append(miss)
        ms.append(float(np.corrcoef(out, target)[0, 1]) if out.any() and not out.all() else 0.0)
        perfect += fp == 0 and miss == 0
    n = len(fps)
    return {"m": float(np.mean(ms)), "m_err": float(np.std(ms, ddof=1) / np.sqrt(n)) if n > 1 else float("nan"),
            "false_positives": float(np.mean(fps)),
            "false_positives_err": float(np.std(fps, ddof=1) / np.sqrt(n)) if n > 1 else float("nan"),
            "misses": float(np.mean(misses)), "perfect": perfect / n, "p1": float(W.mean()),
            "m_expected_from_fp": pearson(N, k, float(np.mean(fps)))}
