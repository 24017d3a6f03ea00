"""Hopfield network: the T-alpha phase diagram of Amit, Gutfreund and Sompolinsky, with Monte Carlo.

Theory: the retrieval magnetisation on a grid (``biomem sweep hopfield --method theory``) and the
lines T_g = 1 + sqrt(alpha), T_M(alpha) (retrieval states disappear; alpha_c = 0.138 at T = 0)
and T_c(alpha) (retrieval becomes the global minimum; 0.051 at T = 0). Monte Carlo: heat bath from
pattern 1 (``--method montecarlo``) on a coarser grid; disks show the measured m.

    python experiments/hebbian_ags.py --out out/hebbian_ags [--small] [--workers N]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hebbian_common as common  # noqa: E402

from biomem.sweep import runner  # noqa: E402
from biomem.theory import ags  # noqa: E402


def main(argv=None) -> dict:
    args = common.parser("hebbian_ags", __doc__.splitlines()[0]).parse_args(argv)
    out = common.prepare(args.out, ("theory.zarr", "montecarlo.zarr"))
    n, n_mc, N, sweeps = (12, 4, 400, 30) if args.small else (40, 7, 3000, 100)
    theory_grid = [f"alpha=0:0.16:{n}", f"T=0:1.2:{n}"]
    mc_grid = [f"alpha=0.02:0.14:{n_mc}", f"T=0.1:1.1:{n_mc}"]
    runner.run("hopfield", "theory", theory_grid, [], out / "theory.zarr", workers=args.workers, seed=args.seed)
    runner.run("hopfield", "montecarlo", mc_grid, [f"N={N}", f"sweeps={sweeps}"], out / "montecarlo.zarr",
               workers=args.workers, seed=args.seed)
    import xarray as xr
    theory, mc = xr.open_zarr(out / "theory.zarr").load(), xr.open_zarr(out / "montecarlo.zarr").load()
    alphas = np.linspace(0.0, 0.16, 17 if args.small else 65)
    lines = ags.lines(alphas)
    alpha_c, m_c = ags.alpha_c()
    alpha_0 = ags.alpha_global_zero_temperature()

    plt = common.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.pcolormesh(theory.alpha, theory["T"], theory.m.transpose("T", "alpha"), shading="nearest",
                  cmap="viridis", vmin=0, vmax=1, alpha=0.35)
    ax.plot(alphas, lines["T_g"], "b-", label=r"$T_g = 1 + \sqrt{\alpha}$")
    ok = lines["T_M"] > 0
    ax.plot(np.append(alphas[ok], alpha_c), np.append(lines["T_M"][ok], 0.0), "r-", label=r"$T_M$ (retrieval exists)")
    ok = lines["T_c"] > 0
    ax.plot(np.append(alphas[ok], alpha_0), np.append(lines["T_c"][ok], 0.0), "g-", label=r"$T_c$ (retrieval global)")
    A, T = np.meshgrid(mc.alpha, mc["T"])
    sc = ax.scatter(A, T, c=mc.m.transpose("T", "alpha"), cmap="viridis", vmin=0, vmax=1, edgecolors="k", s=60,
                    label=f"Monte Carlo m (N = {N})")
    fig.colorbar(sc, ax=ax, label="m (disks: Monte Carlo; pale: RS theory)")
    ax.set(xlabel=r"$\alpha = K/N$", ylabel="T", xlim=(0, 0.16), ylim=(0, 1.2),
           title=fr"AGS phase diagram ($\alpha_c$ = {alpha_c:.4f}, m = {m_c:.3f})")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(out / "ags_phase_diagram.png", dpi=130)
    plt.close(fig)

    # Monte Carlo against theory at the Monte Carlo points
    deviations = []
    for a in mc.alpha.values:
        for t in mc["T"].values:
            deviations.append(abs(float(mc.m.sel(alpha=a, T=t)) - ags.solve(float(a), float(t)).m))
    metrics = {"alpha_c_T0": alpha_c, "m_at_alpha_c": m_c, "alpha_global_T0": alpha_0,
               "T_M": dict(zip([f"{a:.3f}" for a in alphas[::4]], lines["T_M"][::4])),
               "T_c": dict(zip([f"{a:.3f}" for a in alphas[::4]], lines["T_c"][::4])),
               "mc_N": N, "mc_sweeps": sweeps, "mc_vs_theory_median_abs_dm": float(np.median(deviations)),
               "mc_vs_theory_max_abs_dm": float(np.max(deviations)),
               "note": "largest deviations sit next to the first-order lines (finite N, metastability)"}
    common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    print(main())
