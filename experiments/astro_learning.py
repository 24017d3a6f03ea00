"""Learning with long-range dependencies: AM-SU network vs plain LIF network of equal size and budget.

Task ``recall`` (default): a cue (one of 4) is shown for 10 steps, then ``D`` steps of sparse input
noise, then a 10-step go signal during which the readout must name the cue. Task ``digits``: an
8x8 scikit-learn digit is read row by row (4 steps per row), then ``D`` blank steps, then the go
signal; the readout names the digit (test on held-out images). For every delay ``D`` an AM-SU network
(:mod:`biomem.astrocytes.amsu`, biomem's own design) and a LIF network (the same units without the
astrocyte trace) are trained with the same seed, data stream, optimiser, iterations and batch size.
Reports test accuracy vs delay for both -- whatever the difference is.

    python experiments/astro_learning.py --out results/astro_learning [--small] [--task recall|digits]
        [--device cpu|cuda]

Writes ``astro_learning.png`` and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from biomem.astrocytes import studies  # noqa: E402


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/astro_learning"))
    parser.add_argument("--small", action="store_true", help="16 units, 2 delays, 30 iterations (CI size)")
    parser.add_argument("--task", default="recall", choices=("recall", "digits"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--delays", type=int, nargs="*", default=None)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    settings = {}
    if args.iterations is not None:
        settings["iterations"] = args.iterations
    if args.delays:
        settings["delays"] = args.delays
    metrics = studies.run_learning(small=args.small, task=args.task, device=args.device, seed=args.seed,
                                   settings=settings, log=None if args.quiet else lambda text: print(text, flush=True))
    figure = studies.plot_learning(metrics, args.out / "astro_learning.png")
    (args.out / "metrics.json").write_text(json.dumps(studies.jsonable(metrics), indent=2))
    print("\n".join(studies.summarise_learning(metrics)))
    print(f"{metrics['seconds']:.1f} s; wrote {figure} and {args.out / 'metrics.json'}")
    return metrics


if __name__ == "__main__":
    main()
