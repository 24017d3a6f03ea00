"""AKOrN energy along trajectories: symmetric J and Omega = 0 give a non-increasing energy.

Two couplings (dense symmetric on 64 oscillators; symmetric 3x3 convolution on an 8x8 grid), n = 4,
float64. Cases: c = 0 (E = -sum x.Jx must not increase), c != 0 (the Lyapunov function
L = -1/2 sum x.Jx - sum x.c must not increase; the logged E need not be monotone) and, for contrast,
Omega != 0 (no energy guarantee). Step sizes gamma in {0.05, 0.2, 1.0} of the discrete update.

    python experiments/akorn_energy.py --out results/akorn_energy [--small]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from biomem.oscillators.akorn import AKOrNLayer, random_state  # noqa: E402

COUPLINGS = {"dense": ({"spatial_size": 16, "symmetric": True}, (4, 16, 4, 4)),
             "conv": ({"kernel_size": 3, "symmetric": True}, (4, 16, 8, 8))}
CASES = ("c=0", "c!=0", "omega!=0")


def trajectory(coupling: str, case: str, gamma: float, T: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(E per step, Lyapunov per step), each averaged over the batch."""
    options, shape = COUPLINGS[coupling]
    torch.manual_seed(seed)
    layer = AKOrNLayer(shape[1], n=4, coupling=coupling, T=T, gamma=gamma, normalize_c=False,
                       omega="pairs" if case == "omega!=0" else "none", omega_scale=0.5, **options).double()
    g = torch.Generator().manual_seed(seed)
    c = torch.zeros(shape, dtype=torch.float64) if case == "c=0" else 0.5 * torch.randn(shape, generator=g,
                                                                                          dtype=torch.float64)
    with torch.no_grad():
        _, info = layer(c, x0=random_state(shape, 4, g, torch.float64), return_states=True)
        lyap = torch.stack([layer.lyapunov(x, c) for x in info["states"]])
    return info["energy"].mean(1), lyap.mean(1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/akorn_energy"))
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    T = 40 if args.small else 200
    gammas = (0.05, 0.2, 1.0)
    metrics = {"T": T, "gammas": list(gammas), "seed": args.seed}
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
    for row, coupling in enumerate(COUPLINGS):
        for col, case in enumerate(CASES):
            ax = axes[row, col]
            for gamma in gammas:
                energy, lyap = trajectory(coupling, case, gamma, T, args.seed)
                watched = energy if case == "c=0" else lyap
                rise = float(torch.diff(watched).max())
                metrics[f"{coupling}/{case}/gamma={gamma}"] = {
                    "max_step_increase": rise, "monotone": rise <= 1e-12,
                    "energy_first": float(energy[0]), "energy_last": float(energy[-1]),
                    "energy_max_step_increase": float(torch.diff(energy).max())}
                ax.plot(watched.numpy(), label=f"gamma={gamma}")
                print(f"{coupling:5s} {case:9s} gamma={gamma:<5} {'E' if case == 'c=0' else 'L'}: "
                      f"{float(watched[0]):9.3f} -> {float(watched[-1]):9.3f}, largest step increase {rise:.2e}")
            ax.set(title=f"{coupling}, {case}", xlabel="step",
                   ylabel="E = -sum x.Jx" if case == "c=0" else "L = -1/2 x.Jx - x.c")
            ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "akorn_energy.png", dpi=120)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics


if __name__ == "__main__":
    main()
