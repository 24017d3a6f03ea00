"""Kuramoto synchronisation: simulated order parameter against the exact N -> infinity theory.

N phase oscillators with Lorentzian natural frequencies (half-width gamma = 0.5) coupled all to all:

    d theta_i / dt = omega_i + (K / N) sum_j sin(theta_j - theta_i)

The theory says: incoherence (r ~ 0) below K_c = 2 gamma = 1, then r = sqrt(1 - K_c / K), reached
along the Ott-Antonsen curve. This script simulates the model on the Numba backend and draws both
panels into docs/figures/kuramoto.png.

    python docs/tutorials/kuramoto.py            # full size (N = 2000, about 15 s)
    python docs/tutorials/kuramoto.py --small    # N = 400, shorter runs (what the tests use)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from biomem.oscillators import KuramotoModel, simulate
from biomem.oscillators import theory

FIGURES = Path(__file__).resolve().parents[1] / "figures"


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the figure")
    parser.add_argument("--small", action="store_true", help="smaller and shorter runs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Describe the model once. Frequencies are deterministic quantiles of the Lorentzian
    #    (no sampling noise); the initial phases are drawn from the seed given to simulate().
    n, t_max = (400, 40.0) if args.small else (2000, 80.0)
    gamma = 0.5
    model = KuramotoModel(N=n, K=1.0, distribution="lorentzian", width=gamma, t_max=t_max, dt=0.05)
    K_c = theory.critical_coupling("lorentzian", gamma)
    print(f"K_c = {K_c:g}")

    # 2. Sweep the coupling. model.replace() gives a validated copy with one field changed.
    couplings = np.linspace(0.0, 3.0, 7 if args.small else 13)
    r_simulated = []
    for K in couplings:
        result = simulate(model.replace(K=float(K)), seed=0)  # backend="numba" by default
        r_simulated.append(result.r_mean(0.5))                # time average over the second half
        print(f"K = {K:4.2f}: r = {r_simulated[-1]:.3f} (theory {theory.stationary_r('lorentzian', gamma, K):.3f})")

    # 3. Three runs recorded in time, against the Ott-Antonsen solution started from the same r(0).
    traces = {K: simulate(model.replace(K=K), seed=0) for K in (0.5, 1.5, 3.0)}

    # 4. The figure: r(t) on the left, stationary r(K) on the right.
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for (K, result), colour in zip(traces.items(), ("tab:blue", "tab:orange", "tab:green")):
        left.plot(result.times, result.r, color=colour, lw=1, label=f"K = {K:g} (N = {n})")
        left.plot(result.times, theory.ott_antonsen(result.times, result.r[0], K, gamma), color=colour,
                  ls="--", lw=1)
    left.set(xlabel="time", ylabel="order parameter r", title="r(t); dashed: Ott-Antonsen", ylim=(0, 1))
    left.legend(fontsize=8)
    dense = np.linspace(0.0, 3.0, 301)
    right.plot(dense, theory.r_curve("lorentzian", gamma, dense), "k-", lw=1, label="theory, N = infinity")
    right.plot(couplings, r_simulated, "o", color="tab:red", label=f"Numba, N = {n}")
    right.axhline(theory.incoherent_r_scale(n), color="0.6", ls=":", lw=1, label="finite-N incoherent level")
    right.axvline(K_c, color="0.6", lw=0.8)
    right.set(xlabel="coupling K", ylabel="stationary r", title=f"r(K), K_c = {K_c:g}", ylim=(0, 1))
    right.legend(fontsize=8)
    figure.tight_layout()
    path = args.out / "kuramoto.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
