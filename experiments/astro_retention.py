"""Memory retention: the same LIF network with and without astrocytes holds a briefly presented item.

``n_items`` groups of LIF neurons (``IF_curr_exp``), one Li-Rinzel astrocyte per group (NEST's
``astrocyte_lr_1994`` dynamics, 1 ms astrocyte step on a 0.1 ms network). A cue drives one group
hard for 0.5 s; after a delay every neuron receives the same probe for 0.25 s and the item is read
out as the group that fires most. With astrocytes, the cued group's spikes raise its astrocyte's
IP3 and calcium, whose slow inward current keeps that group firing at a low rate through the delay
(which keeps feeding IP3) and makes it respond more to the probe; without (the astrocytes' SIC
switched off, everything else identical, same input spikes), the network has no recurrent excitation
and nothing to hold the item. Retention curve: accuracy vs delay, both.

    python experiments/astro_retention.py --out results/astro_retention [--small] [--backend numba]

Writes ``astro_retention.png`` and ``metrics.json``.
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
    parser.add_argument("--out", type=Path, default=Path("results/astro_retention"))
    parser.add_argument("--small", action="store_true", help="4 items of 8 neurons, 2 delays, 4 trials (CI size)")
    parser.add_argument("--backend", default="numba", choices=("numba", "torch", "brian2"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=None, help="trials per delay (default 16, small 4)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    done = [0]

    def progress():
        done[0] += 1
        if done[0] % 8 == 0:
            print(f"  {done[0]} trial pairs", flush=True)

    curve = studies.run_retention(small=args.small, backend=args.backend, seed=args.seed, progress=progress,
                                  trials=args.trials)
    config = studies.retention_settings(args.small)[0]
    example = studies.example_trial(config, 2000.0 if not args.small else 1000.0, seed=args.seed,
                                    backend=args.backend)
    figure = studies.plot_retention(curve, args.out / "astro_retention.png", example)
    (args.out / "metrics.json").write_text(json.dumps(studies.jsonable(curve), indent=2))
    print("\n".join(studies.summarise_retention(curve)))
    print(f"{curve['seconds']:.1f} s; wrote {figure} and {args.out / 'metrics.json'}")
    return curve


if __name__ == "__main__":
    main()
