"""Willshaw (clipped, binary) associative memory: the classical one-step retrieval theory.

``K`` sparse binary patterns with exactly ``k`` of ``N`` units active (coding level ``a = k/N``)
are stored by clipped Hebbian learning, ``W_ij = 1`` if some pattern has ``x_i = x_j = 1``.
Retrieval from a cue holding ``c = round(cue k)`` of the pattern's active units uses the
threshold ``theta = c``: a unit fires when all its synapses from the active cue units are set.

* hetero-association (independent input and output patterns): a synapse is set with probability
  ``p1 = 1 - (1 - a^2)^K``; auto-association (``i != j``, ``W_ii = 1``):
  ``p1 = 1 - (1 - k(k-1)/(N(N-1)))^K``;
* every true unit fires (no misses); a silent unit fires with ``p_fa = p1^c`` (independence
  approximation), so the expected false positives are ``(N - k) p_fa``;
* the mutual information per output unit is ``I = H(a + (1-a) p_fa) - (1 - a) H(p_fa)`` (bits) and
  the stored information is ``K N I / N^2`` bits per synapse, which approaches ``ln 2 = 0.69`` for
  hetero-association at ``p1 = 1/2``, ``k ~ log2 N`` (slowly, as ``N -> infinity``).

``m`` is the Pearson correlation between the retrieved and the stored pattern (1: perfect).
"""

from __future__ import annotations

import math


def _h2(p: float) -> float:
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log2(p) - (1.0 - p) * math.log2(1.0 - p)


def pearson(N: int, k: int, extra: float) -> float:
    """Correlation between a ``k``-active pattern and an output with those ``k`` plus ``extra`` units."""
    n2 = k + extra
    denominator = math.sqrt(k * (N - k) * n2 * (N - n2)) if n2 < N else 0.0
    return (N * k - k * n2) / denominator if denominator > 0 else 0.0


def retrieval(N: int, k: int, K: int, cue: float = 1.0, mode: str = "auto") -> dict:
    """Expected one-step retrieval quality and capacity (see the module docstring)."""
    from biomem.description.validate import choice, integer, real
    integer("N", N, low=2)
    integer("k", k, low=1, high=N)
    integer("K", K, low=1)
    real("cue", cue, low=0.0, high=1.0, low_open=True)
    choice("mode", mode, ("auto", "hetero"))
    a = k / N
    pair = a * a if mode == "hetero" else k * (k - 1) / (N * (N - 1))
    p1 = -math.expm1(K * math.log1p(-pair)) if pair < 1 else 1.0
    c = max(1, int(round(cue * k)))
    p_fa = p1 ** c
    false_positives = (N - k) * p_fa
    info = _h2(a + (1.0 - a) * p_fa) - (1.0 - a) * _h2(p_fa)
    return {"m": pearson(N, k, false_positives), "p1": p1, "p_false": p_fa,
            "false_positives": false_positives, "bits_per_synapse": K * N * info / (N * N),
            "cue_units": c, "phase": "retrieval" if false_positives < 1.0 else "overloaded"}


def capacity_at_half(N: int, k: int, mode: str = "hetero") -> dict:
    """Load ``K`` at which ``p1 = 1/2`` and the information stored there."""
    a = k / N
    pair = a * a if mode == "hetero" else k * (k - 1) / (N * (N - 1))
    K = max(1, int(round(math.log(0.5) / math.log1p(-pair))))
    return dict(retrieval(N, k, K, 1.0, mode), K=K)
