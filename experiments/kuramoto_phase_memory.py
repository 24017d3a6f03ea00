"""Oscillatory associative memory: recall from corrupted cues, and capacity vs N.

Hebbian complex couplings J_ij = (1/N) sum_mu exp(i(phi_i^mu - phi_j^mu)) store random phase patterns;
the Kuramoto-type phase dynamics recall them (see biomem.oscillators.phase_memory).
1. Recall: final overlap vs cue corruption (fraction of phases randomised) at several loads P/N.
2. Capacity: success fraction vs alpha = P/N for several N; P_max(N) and alpha_c = P_max/N
   (success = at least 90% of cues end with overlap >= 0.9; cues have 10% randomised phases).

    python experiments/kuramoto_phase_memory.py --out results/kuramoto_phase_memory [--small]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biomem.oscillators import phase_memory as pm  # noqa: E402


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/kuramoto_phase_memory"))
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.small:
        N_recall, loads, fractions, Ns, alphas, trials = 100, (0.02, 0.05), (0.0, 0.2, 0.4, 0.6), (40, 80), \
            np.arange(0.025, 0.21, 0.025), 1
    else:
        N_recall, loads, fractions, Ns, alphas, trials = 400, (0.01, 0.03, 0.05, 0.08), \
            np.linspace(0.0, 0.8, 9), (50, 100, 200, 400), np.arange(0.01, 0.151, 0.01), 2
    metrics = {"seed": args.seed, "recall": {}, "capacity": {}}
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(14, 3.8))
    start = time.perf_counter()
    for a, alpha in enumerate(loads):
        P = max(1, int(round(alpha * N_recall)))
        finals, cues = [], []
        for f, fraction in enumerate(fractions):
            out = pm.recall_trial(N_recall, P, args.seed + 100 * a + f, fraction=float(fraction), cues_per_run=10)
            finals.append(float(out["overlap_final"].mean()))
            cues.append(float(out["overlap_cue"].mean()))
        metrics["recall"][f"alpha={alpha}"] = {"P": P, "fraction": list(map(float, fractions)),
                                               "overlap_cue": cues, "overlap_final": finals}
        ax1.plot(fractions, finals, "o-", label=f"P/N={alpha} (P={P})")
        print(f"recall N={N_recall} P={P}: final overlap " + " ".join(f"{m:.3f}" for m in finals)
              + f" for corrupted fractions {[round(float(f), 2) for f in fractions]}")
    ax1.plot(fractions, cues, "k:", label="cue overlap")
    ax1.set(xlabel="fraction of cue phases randomised", ylabel="final overlap", title=f"recall, N={N_recall}")
    ax1.legend(fontsize=7)
    for i, N in enumerate(Ns):
        Ps = sorted({max(1, int(round(alpha * N))) for alpha in alphas})
        result = pm.capacity(N, Ps, seed=args.seed + 7 * i, trials=trials, cues_per_run=10)
        metrics["capacity"][str(N)] = {"P": result["P"].tolist(), "success": result["success"].tolist(),
                                       "overlap": result["overlap"].tolist(), "P_max": int(result["P_max"]),
                                       "alpha_c": result["P_max"] / N}
        ax2.plot(result["P"] / N, result["success"], "o-", ms=3, label=f"N={N}")
        ax3.plot(result["P"] / N, result["overlap"], "o-", ms=3, label=f"N={N}")
        print(f"capacity N={N}: P_max={result['P_max']} (alpha_c ~ {result['P_max'] / N:.3f})")
    ax2.set(xlabel="alpha = P/N", ylabel="fraction recalled (overlap >= 0.9)", title="capacity")
    ax3.set(xlabel="alpha = P/N", ylabel="mean final overlap", title="retrieval quality")
    ax2.legend(fontsize=7)
    metrics["seconds"] = time.perf_counter() - start
    fig.tight_layout()
    fig.savefig(args.out / "phase_memory.png", dpi=120)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


if __name__ == "__main__":
    main()
