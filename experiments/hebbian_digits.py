"""Dense supervised retrieval on scikit-learn's digits (binarised; bundled, no download).

The 10 classes are the archetypes; M training images per class are the examples (supervised:
averaged per class into xi_hat). Held-out images are the cues: the network starts from a cue and
relaxes by heat bath at T = 0; the retrieved class is the largest overlap m_hat with the xi_hat.
Reported: accuracy against the nearest-class-mean classifier applied to the cue itself (the
P -> infinity limit), and the Mattis overlap m of the final state with the class prototype (the
sign of the class mean over all images, standing in for the unknown archetype), against P and M,
with raw xi_hat and with xi_hat centred over classes (the digits share a large common mode,
absent from random archetypes: at P = 2..4 every cue falls into the same attractor; larger P,
or centring, separates the classes).

    python experiments/hebbian_digits.py --out out/hebbian_digits [--small]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hebbian_common as common  # noqa: E402

from biomem.hebbian import couplings, patterns  # noqa: E402
from biomem.hebbian.simulation import simulate  # noqa: E402


def evaluate(data: dict, P: int, T: float, sweeps: int, seed: int, center: bool = True) -> dict:
    h = couplings.dense(data["examples"], P, None, center=center)    # r estimated from the data
    xi_hat = h.V.T                                               # (K, N): the vectors in H
    K, n_test, N = data["test"].shape
    cues = data["test"].reshape(K * n_test, N)
    labels = np.repeat(np.arange(K), n_test)
    result = simulate(h, T, sweeps, seed=seed, replicas=len(cues), init=cues,
                      observables={"m_hat": xi_hat, "m": data["archetypes"]})
    final_hat = result["m_hat"].isel(sweep=-1).values            # (replica, K)
    final_m = result["m"].isel(sweep=-1).values
    baseline = np.argmax(cues @ xi_hat.T, axis=1)
    retrieved = np.argmax(final_hat, axis=1)
    return {"accuracy": float((retrieved == labels).mean()), "baseline_accuracy": float((baseline == labels).mean()),
            "m_true_class": float(final_m[np.arange(len(labels)), labels].mean()),
            "m_cue_true_class": float((cues @ data["archetypes"].T / N)[np.arange(len(labels)), labels].mean()),
            "r_estimated": h.info["r"], "final": result["final"].values, "labels": labels}


def main(argv=None) -> dict:
    args = common.parser("hebbian_digits", __doc__.splitlines()[0]).parse_args(argv)
    out = common.prepare(args.out)
    Ms, n_test, upscale, Ps = ([5, 40], 10, 1, (2, 4, 8, 12)) if args.small else \
        ([5, 20, 80], 40, 1, (2, 3, 4, 6, 8, 12, 16))
    table, shown = {}, None
    for M in Ms:
        data = patterns.digits(tuple(range(10)), M=M, n_test=n_test, rng=patterns.generator(args.seed),
                               upscale=upscale)
        for center in (False, True):
            for P in Ps:
                res = evaluate(data, P, 0.0, 10, args.seed, center=center)
                table[f"M={M},P={P},{'centred' if center else 'raw'}"] = {
                    k: v for k, v in res.items() if k not in ("final", "labels")}
                if M == Ms[-1] and P == Ps[-1] and not center:
                    shown = (data, res)
    plt = common.pyplot()
    fig, (ax, grid_ax) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1.1, 1]})
    for k, M in enumerate(Ms):
        for center, style in ((False, "-o"), (True, "--s")):
            ax.plot(Ps, [table[f"M={M},P={P},{'centred' if center else 'raw'}"]["accuracy"] for P in Ps], style,
                    color=f"C{k}", label=f"M = {M}, {'centred' if center else 'raw'} " + r"$\hat\xi$")
        ax.axhline(table[f"M={M},P={Ps[0]},raw"]["baseline_accuracy"], color=f"C{k}", lw=0.8, ls=":")
    ax.set(xlabel="P (interaction order)", ylabel="accuracy on held-out digits", ylim=(0, 1),
           title="dense supervised retrieval, T = 0 (dotted: nearest class mean)")
    ax.legend(fontsize=7)
    data, res = shown
    side = int(np.sqrt(data["test"].shape[-1]))
    picks = [c * n_test for c in range(10)]
    canvas = np.ones((2 * side + 1, 10 * (side + 1)))
    for col, idx in enumerate(picks):
        canvas[:side, col * (side + 1):col * (side + 1) + side] = data["test"].reshape(-1, side, side)[idx]
        canvas[side + 1:, col * (side + 1):col * (side + 1) + side] = res["final"][idx].reshape(side, side)
    grid_ax.imshow(canvas, cmap="gray_r", interpolation="nearest")
    grid_ax.set(title=f"cues (top), retrieved (bottom): P = {Ps[-1]}, M = {Ms[-1]}", xticks=[], yticks=[])
    fig.tight_layout()
    fig.savefig(out / "digits.png", dpi=130)
    plt.close(fig)
    metrics = {"results": table, "n_test_per_class": n_test, "upscale": upscale, "T": 0.0, "sweeps": 10}
    common.write_metrics(out, metrics)
    return metrics


if __name__ == "__main__":
    print(main())
