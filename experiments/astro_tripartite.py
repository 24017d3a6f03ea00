"""Tripartite synapses: gliotransmission modulates release (after Stimberg et al. 2019, Brian2 examples 3 and 4).

A. Three Tsodyks-Markram synapses receive the same spike train (5 spikes at 20 Hz, then 11 at 100 Hz)
   after a 16.5 s transient: the first has no astrocyte, the second and third are reached by the
   gliotransmitter of a G-ChI astrocyte driven by exogenous IP3 towards ``I_bias`` = 0.8 and 1.25 uM
   (weak and stronger gliotransmission). Release-decreasing gliotransmission (``alpha = 0``) lowers
   the resting release probability: the first release is smaller and the synapse depresses less /
   facilitates (Brian2's example 3, Fig. 3 of the paper).
B. The same with release-increasing gliotransmission (``alpha = 1``): larger first release, stronger
   depression.
C. Closed- vs open-loop gliotransmission (example 4): ``n_synapses`` synapses driven by Poisson
   trains whose rate steps 0.011 -> 0.11 -> 1.1 -> 11 Hz every 5 s; mean released neurotransmitter
   <Y_S> without gliotransmission, with open-loop (astrocytes stimulated externally) and closed-loop
   (each synapse drives its own astrocyte) gliotransmission.

    python experiments/astro_tripartite.py --out results/astro_tripartite [--small] [--backend numba]

Writes ``astro_tripartite.png`` and ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from biomem.astrocytes import studies  # noqa: E402


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results/astro_tripartite"))
    parser.add_argument("--small", action="store_true", help="short transient and few synapses (CI size)")
    parser.add_argument("--backend", default="numba", choices=("numba", "torch", "brian2"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    metrics = studies.run_tripartite(small=args.small, backend=args.backend, seed=args.seed)
    figure = studies.plot_tripartite(metrics, args.out / "astro_tripartite.png")
    metrics["seconds"] = time.perf_counter() - started
    summary = studies.summarise_tripartite(metrics)
    (args.out / "metrics.json").write_text(json.dumps(studies.jsonable(metrics), indent=2))
    print("\n".join(summary))
    print(f"wrote {figure} and {args.out / 'metrics.json'}")
    return metrics


if __name__ == "__main__":
    main()
