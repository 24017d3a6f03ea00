"""r(K) of the classic Kuramoto model vs the N -> inf theory, for three frequency distributions.

Lorentzian: exact r = sqrt(1 - 2 width/K); Gaussian and uniform: the self-consistent
r = K r int cos^2 t g(K r sin t) dt. Deterministic quantile frequencies, random initial phases,
torch backend batched over all K at once, r averaged over the second half of each run.

    python experiments/kuramoto_rK.py --out results/kuramoto_rK [--small] [--N 10000 --t-max 200]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from biomem.backends.torch import kuramoto as torch_kuramoto  # noqa: E402
from biomem.oscillators import theory  # noqa: E402
from biomem.oscillators.description import KuramotoModel  # noqa: E402

DISTRIBUTIONS = ("lorentzian", "gaussian", "uniform")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/kuramoto_rK"))
    parser.add_argument("--small", action="store_true", help="N=1000, 21 couplings, t_max=100 (CI size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--N", type=int, default=None, help="oscillators (default 1000 small, 5000 full)")
    parser.add_argument("--t-max", type=float, default=None, help="duration (default 100 small, 150 full)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    N, points, t_max = (1000, 21, 100.0) if args.small else (5000, 41, 150.0)
    N, t_max = args.N or N, args.t_max or t_max
    width = 0.5
    Ks = np.linspace(0.0, 4.0, points)
    metrics = {"N": N, "width": width, "t_max": t_max, "K": Ks.tolist(), "seed": args.seed}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, dist in zip(axes, DISTRIBUTIONS):
        start = time.perf_counter()
        model = KuramotoModel(N=N, width=width, distribution=dist, dt=0.05, t_max=t_max)
        result = torch_kuramoto.simulate_batch(model, Ks, seed=args.seed)
        r_sim = result.r_mean()
        Kc = theory.critical_coupling(dist, width)
        fine = np.linspace(0.0, 4.0, 401)
        r_th = theory.r_curve(dist, width, Ks)
        above = Ks >= 1.25 * Kc
        below = Ks <= 0.8 * Kc
        metrics[dist] = {
            "K_c": Kc, "r_sim": r_sim.tolist(), "r_theory": r_th.tolist(),
            "max_abs_error_above_1.25Kc": float(np.abs(r_sim - r_th)[above].max()),
            "max_r_sqrtN_below_0.8Kc": float((r_sim[below] * math.sqrt(N)).max()),
            "seconds": time.perf_counter() - start}
        ax.plot(fine, theory.r_curve(dist, width, fine), "k-", lw=1, label="theory (N -> inf)")
        ax.plot(Ks, r_sim, "o", ms=4, label=f"simulation N={N}")
        ax.axvline(Kc, color="grey", ls=":", lw=1)
        ax.set(title=f"{dist} (width {width}), K_c = {Kc:.3f}", xlabel="K")
        print(f"{dist:10s} K_c={Kc:.4f} max|r-theory| (K>=1.25K_c) = "
              f"{metrics[dist]['max_abs_error_above_1.25Kc']:.2e}, max r*sqrt(N) (K<=0.8K_c) = "
              f"{metrics[dist]['max_r_sqrtN_below_0.8Kc']:.2f}  ({metrics[dist]['seconds']:.1f} s)")
    axes[0].set_ylabel("r (second-half mean)")
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out / "kuramoto_rK.png", dpi=120)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


if __name__ == "__main__":
    main()
