"""Dense supervised Hebbian network, P = 4: rho-T diagram at low load and alpha-rho at T = 0 (high load).

Low load (``H = -(N/2)(1+rho)^(-P/2) sum m_hat^P``): the retrieval magnetisation m(rho, T) from
``biomem sweep dense-hebbian --method theory``, the spinodal (retrieval states exist below it) and
the thermodynamic line (retrieval beats the paramagnet below it), and Monte Carlo disks
(N = 2000, M = 50 examples of K = 2 archetypes). High load (Gardner: ``K = alpha N^3 / 4!``) at
T = 0: m(alpha, rho) and the critical load alpha_c(rho), with a few small-N Monte Carlo points.

    python experiments/hebbian_dense_p4.py --out out/hebbian_dense_p4 [--small] [--workers N]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hebbian_common as common  # noqa: E402

from biomem.sweep import runner  # noqa: E402
from biomem.theory import dense  # noqa: E402


def main(argv=None) -> dict:
    args = common.parser("hebbian_dense_p4", __doc__.splitlines()[0]).parse_args(argv)
    stores = ("low_theory.zarr", "low_mc.zarr", "high_theory.zarr", "high_mc.zarr")
    out = common.prepare(args.out, stores)
    small = args.small
    n, n_mc, N = (10, 3, 600) if small else (36, 5, 2000)
    base = ["P=4", "M=50", "K=2"]
    runner.run("dense-hebbian", "theory", [f"rho=0:1:{n}", f"T=0:1.1:{n}"], base + ["alpha=0"],
               out / "low_theory.zarr", workers=args.workers, seed=args.seed, plot=False)
    runner.run("dense-hebbian", "montecarlo", [f"rho=0.1:0.9:{n_mc}", f"T=0.2:0.8:{n_mc}"],
               base + ["alpha=0", f"N={N}", "sweeps=60"], out / "low_mc.zarr", workers=args.workers,
               seed=args.seed, plot=False)
    runner.run("dense-hebbian", "theory", [f"alpha=0:0.9:{n}", f"rho=0:1:{n}"], base + ["T=0"],
               out / "high_theory.zarr", workers=args.workers, seed=args.seed, plot=False)
    high_points = ["alpha=0.1,0.3", "rho=0,0.5"] if small else ["alpha=0.1,0.2,0.3,0.5", "rho=0,0.25,0.5"]
    n_high = 60 if small else 100
    runner.run("dense-hebbian", "montecarlo", high_points, base + ["T=0", f"N={n_high}", "sweeps=15", "M=20"],
               out / "high_mc.zarr", workers=args.workers, seed=args.seed, plot=False)
    import xarray as xr
    low, low_mc = (xr.open_zarr(out / s).load() for s in stores[:2])
    high, high_mc = (xr.open_zarr(out / s).load() for s in stores[2:])
    rhos = np.linspace(0.0, 1.0, 6 if small else 21)
    t_sp = np.array([dense.spinodal_temperature(4, r) for r in rhos])
    t_th = np.array([dense.thermodynamic_temperature(4, r) for r in rhos])
    rho_line = np.linspace(0.0, 1.0, 11 if small else 41)
    a_c = np.array([dense.alpha_c(4, r) for r in rho_line])

    plt = common.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    left.pcolormesh(low.rho, low["T"], low.m.transpose("T", "rho"), shading="nearest", cmap="viridis", vmin=0,
                    vmax=1, alpha=0.35)
    left.plot(rhos, t_sp, "r-", label="spinodal (retrieval exists)")
    left.plot(rhos, t_th, "g-", label="thermodynamic (retrieval global)")
    R, T = np.meshgrid(low_mc.rho, low_mc["T"])
    sc = left.scatter(R, T, c=low_mc.m.transpose("T", "rho"), cmap="viridis", vmin=0, vmax=1, edgecolors="k", s=60,
                      label=f"Monte Carlo (N = {N})")
    left.set(xlabel=r"$\rho$", ylabel="T", title="P = 4, low load: m (pale: theory)")
    left.legend(fontsize=8)
    fig.colorbar(sc, ax=left)
    right.pcolormesh(high.alpha, high.rho, high.m.transpose("rho", "alpha"), shading="nearest", cmap="viridis",
                     vmin=0, vmax=1, alpha=0.35)
    right.plot(a_c, rho_line, "r-", label=r"$\alpha_c(\rho)$, T = 0")
    A, R = np.meshgrid(high_mc.alpha, high_mc.rho)
    right.scatter(A, R, c=high_mc.m.transpose("rho", "alpha"), cmap="viridis", vmin=0, vmax=1, edgecolors="k", s=60,
                  label=f"Monte Carlo (N = {n_high})")
    right.set(xlabel=r"$\alpha$ (K = $\alpha N^3/4!$)", ylabel=r"$\rho$", title="P = 4, high load, T = 0: m")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "dense_p4.png", dpi=130)
    plt.close(fig)

    def gap(theory_fn, mc):
        values = []
        for point in mc.m.stack(p=mc.m.dims).p.values:
            coords = dict(zip(mc.m.dims, point))
            values.append(abs(float(mc.m.sel(coords)) - theory_fn(**{k: float(v) for k, v in coords.items()})))
        return float(np.median(values)), float(np.max(values))

    low_gap = gap(lambda rho, T: dense.low_load(4, rho, T).m, low_mc)
    metrics = {"low_load": {"rho": rhos, "T_spinodal": t_sp, "T_thermodynamic": t_th,
                            "m_at_T0.4": {f"{r:g}": dense.low_load(4, r, 0.4).m for r in (0.0, 0.25, 0.5)},
                            "mc_N": N, "mc_median_abs_dm": low_gap[0], "mc_max_abs_dm": low_gap[1]},
               "high_load_T0": {"rho": rho_line, "alpha_c_gardner": a_c,
                                "alpha_c_krotov": [dense.convert_load(a, 4) for a in a_c],
                                "mc_N": n_high, "mc_m": high_mc.m.values.tolist(),
                                "note": "small-N Monte Carlo (K = alpha N^3/24 grows fast): large finite-size effects"}}
    common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    print(main())
