"""Multitasking network: from hierarchical to parallel retrieval as the dilution d grows (K = 3).

Theory (:mod:`biomem.theory.multitasking`, from the hierarchical configuration): amplitudes m_k(d)
at T = 0 (exactly (1 - d) d^(k-1) while 1 - 2d + d^K > 0) and at T = 0.1; Monte Carlo
(N = 20000, heat bath from the same hierarchical configuration): the overlaps m_1, m_2, m_3.

    python experiments/hebbian_multitasking.py --out out/hebbian_multitasking [--small] [--workers N]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hebbian_common as common  # noqa: E402

from biomem.sweep import runner  # noqa: E402
from biomem.theory import multitasking  # noqa: E402

K = 3


def main(argv=None) -> dict:
    args = common.parser("hebbian_multitasking", __doc__.splitlines()[0]).parse_args(argv)
    out = common.prepare(args.out, ("theory.zarr", "montecarlo.zarr"))
    n, n_mc, N = (20, 5, 5000) if args.small else (96, 10, 20000)
    temperatures = (0.0, 0.1)
    runner.run("multitasking", "theory", [f"d=0:0.95:{n}", "T=0,0.1"], [f"K={K}"], out / "theory.zarr",
               workers=args.workers, seed=args.seed, plot=False)
    runner.run("multitasking", "montecarlo", [f"d=0.05:0.9:{n_mc}", "T=0,0.1"],
               [f"K={K}", f"N={N}", "sweeps=20", "init=hierarchical"], out / "montecarlo.zarr", workers=args.workers,
               seed=args.seed, plot=False)
    import xarray as xr
    theory, mc = xr.open_zarr(out / "theory.zarr").load(), xr.open_zarr(out / "montecarlo.zarr").load()
    d_star = brentq(lambda d: 1 - 2 * d + d ** K, 0.5, 0.99)
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    deviations = {}
    for ax, T in zip(axes, temperatures):
        th, sim = theory.sel(T=T), mc.sel(T=T)
        for k, name in enumerate(("m", "m_2", "m_3")):
            ax.plot(th.d, th[name], f"C{k}-", label=f"theory $m_{k + 1}$")
            ax.plot(sim.d, sim[name], f"C{k}o", label=f"MC $m_{k + 1}$ (N = {N})")
        if T == 0:
            dd = np.linspace(0, 0.95, 200)
            for k in range(K):
                ax.plot(dd, (1 - dd) * dd ** k, "k:", lw=0.8)
        ax.axvline(d_star, color="grey", ls="--", lw=0.8)
        ax.text(d_star, 0.9, " 1 - 2d + d^K = 0", fontsize=8)
        ax.set(xlabel="dilution d", title=f"K = {K}, T = {T}")
        dev = [abs(float(sim[name].sel(d=d)) - multitasking.solve(K, float(d), T)["m_k"][k])
               for d in sim.d.values for k, name in enumerate(("m", "m_2", "m_3"))]
        deviations[f"T={T}"] = {"median_abs": float(np.median(dev)), "max_abs": float(np.max(dev))}
    axes[0].set_ylabel("Mattis overlap")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "multitasking.png", dpi=130)
    plt.close(fig)
    metrics = {"K": K, "d_star_hierarchical_stability": d_star, "mc_N": N, "mc_vs_theory": deviations,
               "T0_amplitudes_d0.3": multitasking.solve(K, 0.3, 0.0)["m_k"],
               "note": "dotted: (1-d) d^(k-1); theory and MC both start from the hierarchical configuration"}
    common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    print(main())
