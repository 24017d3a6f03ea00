"""The Hopfield phase diagram: replica-symmetric theory (AGS) against heat-bath Monte Carlo.

Convention: H = -(1/2N) sum_{i != j} sum_mu xi_i^mu xi_j^mu s_i s_j with K = alpha N random patterns
xi = +-1, temperature T. The theory (biomem.theory.ags) gives three lines in the (alpha, T) plane:
T_g = 1 + sqrt(alpha) (spin glass), T_M (retrieval states exist below it) and T_c (retrieval is the
global minimum below it). The Monte Carlo (biomem.hebbian) starts a network in pattern 1 and
measures the Mattis overlap m after equilibration; the points are drawn over the lines into
docs/figures/hebbian_phase_diagram.png.

    python docs/tutorials/hebbian_phase_diagram.py            # N = 1000 (about 20 s)
    python docs/tutorials/hebbian_phase_diagram.py --small    # N = 300, coarser grids (tests)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from biomem.hebbian import couplings, patterns
from biomem.hebbian.measures import summary
from biomem.hebbian.simulation import simulate
from biomem.theory import ags

FIGURES = Path(__file__).resolve().parents[1] / "figures"


def overlap(alpha: float, T: float, N: int, sweeps: int, seed: int) -> float:
    """Equilibrium Mattis overlap with pattern 1, from a network started in pattern 1."""
    rng = patterns.generator(seed)                          # the seed fixes the patterns exactly
    xi = patterns.random_patterns(max(1, round(alpha * N)), N, rng)
    hamiltonian = couplings.hopfield(xi)                    # couplings through overlaps, J_ii = 0
    run = simulate(hamiltonian, T, sweeps, seed=seed, replicas=2, init=xi[0], observables={"m": xi})
    return summary(run)["m"]                                # mean over the second half, both replicas


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the figure")
    parser.add_argument("--small", action="store_true", help="smaller network, coarser grids")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Theory: the three lines on a grid of loads, and the T = 0 capacity.
    alpha_c, m_c = ags.alpha_c()
    print(f"alpha_c(T = 0) = {alpha_c:.4f}, where m jumps from {m_c:.3f} to 0")
    loads = np.linspace(0.0, 0.15, 7 if args.small else 16)
    lines = ags.lines(loads)

    # 2. Monte Carlo on a coarse (alpha, T) grid.
    N, sweeps = (300, 40) if args.small else (1000, 100)
    mc_loads = [0.02, 0.06, 0.10, 0.14] if args.small else [0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.14, 0.16]
    mc_temperatures = [0.0, 0.3, 0.6] if args.small else [0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9]
    points = [(a, T, overlap(a, T, N, sweeps, seed=k))
              for k, (a, T) in enumerate((a, T) for a in mc_loads for T in mc_temperatures)]
    for a, T, m in points:
        print(f"alpha = {a:.2f}  T = {T:.2f}  m = {m:.3f}  (theory {ags.solve(a, T).m:.3f})")

    # 3. The figure.
    figure, axis = plt.subplots(figsize=(6.5, 4.5))
    axis.plot(lines["alpha"], lines["T_g"], "k:", label="$T_g$ (spin glass)")
    axis.plot(lines["alpha"], lines["T_M"], "k-", label="$T_M$ (retrieval exists)")
    axis.plot(lines["alpha"], lines["T_c"], "k--", label="$T_c$ (retrieval global)")
    a, T, m = np.array(points).T
    dots = axis.scatter(a, T, c=m, cmap="viridis", vmin=0, vmax=1, s=60, edgecolor="k", zorder=3)
    figure.colorbar(dots, ax=axis, label=f"Monte Carlo m (N = {N})")
    axis.axvline(alpha_c, color="0.6", lw=0.8)
    axis.set(xlabel=r"load $\alpha = K/N$", ylabel="temperature T", xlim=(0, 0.17), ylim=(0, 1.75),
             title="Hopfield network: AGS theory and heat-bath Monte Carlo")
    axis.legend(fontsize=8, loc="upper left", ncol=3)
    figure.tight_layout()
    path = args.out / "hebbian_phase_diagram.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
