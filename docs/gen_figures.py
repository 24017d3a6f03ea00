"""Regenerate the documentation's figures: the tutorials' and the results pages'.

    python docs/gen_figures.py                    # tutorials (full size) and the quick results figures
    python docs/gen_figures.py --all-results      # ... and every results figure (runs every experiment, about 40 min)
    python docs/gen_figures.py --small --out DIR  # the quick version of the tutorials the tests run (no results)
    python docs/gen_figures.py kuramoto           # only the tutorials and results figures whose name contains "kuramoto"

Tutorials: each ``docs/tutorials/*.py`` runs in its own process (the interpreter running this
file), with ``--out`` and ``--small`` passed on; it must write ``<its name>.png``, the figure its
page shows.

Results (``docs/results/*.md``): each figure in :data:`RESULT_FIGURES` is a PNG written by one
experiment script (``experiments/*.py``) run at the size its page states (the exact arguments are
listed below and on the page). The experiment writes into ``results/<script name>/`` and the PNG is
copied to ``docs/figures/<target>``. Experiments marked quick (seconds) run with every plain
``gen_figures.py``; the slow ones (minutes) only with ``--all-results`` or when named; their PNGs are
committed, so the site builds without them. A script's own output is shown as it runs. The exit
status is 1 when a script fails or does not write the figure it should.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIALS = DOCS / "tutorials"
FIGURES = DOCS / "figures"
ROOT = DOCS.parent
EXPERIMENTS = ROOT / "experiments"


@dataclass(frozen=True)
class ResultFigure:
    """One results-page figure: ``python experiments/<script> --out results/<out> <arguments>`` writes
    ``produces`` into that folder, and the figure is copied to ``docs/figures/<target>``. ``out``
    defaults to the script's name."""

    script: str
    arguments: tuple = ()
    produces: str = ""
    target: str = ""
    quick: bool = False
    out: str = ""

    @property
    def folder(self) -> str:
        """The experiment's output folder, relative to the repository root."""
        return f"results/{self.out or Path(self.script).stem}"

    def command(self) -> str:
        """The command line as the results pages quote it (from the repository root)."""
        return " ".join(["python", f"experiments/{self.script}", "--out", self.folder, *self.arguments])


#: Every figure the results pages show, by name; ``quick``: seconds, run by every plain gen_figures.py.
RESULT_FIGURES = {
    "ca3_functional_match": ResultFigure("ca3_functional.py", (), "match.png", "results/ca3_functional_match.png", True),
    "ca3_functional_raster": ResultFigure("ca3_functional.py", (), "raster_numba.png",
                                          "results/ca3_functional_raster.png", True),
    "ca3_pyramidal_spacing": ResultFigure("ca3_pyramidal.py", (), "spacing.png", "results/ca3_pyramidal_spacing.png",
                                          True),
    "ca3_reliability_single_bit": ResultFigure("ca3_reliability.py", ("--backend", "numba"),
                                               "correct_vs_spacing_single_bit.png",
                                               "results/ca3_reliability_single_bit.png"),
    "ca3_reliability_mixed": ResultFigure("ca3_reliability.py", ("--backend", "numba"), "correct_vs_spacing_mixed.png",
                                          "results/ca3_reliability_mixed.png"),
    "ca3_noise": ResultFigure("ca3_noise.py", ("--backend", "numba"), "accuracy_vs_deletion.png",
                              "results/ca3_noise.png"),
    "hebbian_ags": ResultFigure("hebbian_ags.py", (), "ags_phase_diagram.png", "results/hebbian_ags.png"),
    "hebbian_dense_p4": ResultFigure("hebbian_dense_p4.py", (), "dense_p4.png", "results/hebbian_dense_p4.png"),
    "hebbian_unsupervised": ResultFigure("hebbian_unsupervised.py", (), "supervised_vs_unsupervised.png",
                                         "results/hebbian_unsupervised.png", True),
    "hebbian_multitasking": ResultFigure("hebbian_multitasking.py", (), "multitasking.png",
                                         "results/hebbian_multitasking.png", True),
    "astro_tripartite": ResultFigure("astro_tripartite.py", (), "astro_tripartite.png", "astro/tripartite.png", True),
    "astro_retention": ResultFigure("astro_retention.py", (), "astro_retention.png", "astro/retention.png"),
    "astro_learning": ResultFigure("astro_learning.py", (), "astro_learning.png", "astro/delayed_recall.png"),
    "astro_learning_digits": ResultFigure("astro_learning.py", ("--task", "digits"), "astro_learning.png",
                                          "astro/digits.png", out="astro_learning_digits"),
    "kuramoto_rK": ResultFigure("kuramoto_rK.py", (), "kuramoto_rK.png", "results/kuramoto_rK.png"),
    "akorn_energy": ResultFigure("akorn_energy.py", (), "akorn_energy.png", "results/akorn_energy.png", True),
    "akorn_binding": ResultFigure("akorn_binding.py", (), "akorn_binding_fgari.png", "results/akorn_binding.png"),
    "export_ca3_targets": ResultFigure("export_ca3_targets.py", ("--small",), "cores.png",
                                       "results/export_ca3_targets.png"),
}


def scripts(names: list[str] | None = None) -> list[Path]:
    """The tutorial scripts, sorted; only those whose file name contains one of ``names`` when given."""
    found = sorted(path for path in TUTORIALS.glob("*.py") if not path.name.startswith("_"))
    if names:
        found = [path for path in found if any(name in path.stem for name in names)]
    return found


def run(script: Path, out: Path, small: bool = False, capture: bool = False) -> subprocess.CompletedProcess:
    """Run one tutorial script with ``--out out`` (and ``--small``); the repository root is the working folder."""
    command = [sys.executable, str(script), "--out", str(out)] + (["--small"] if small else [])
    return subprocess.run(command, cwd=DOCS.parent, capture_output=capture, text=True)


def results(names: list[str] | None = None, everything: bool = False) -> dict[str, ResultFigure]:
    """The results figures to make: the quick ones (all with ``everything``), or those whose name contains
    one of ``names`` when given (quick or not)."""
    if names:
        return {name: f for name, f in RESULT_FIGURES.items() if any(part in name for part in names)}
    return {name: f for name, f in RESULT_FIGURES.items() if everything or f.quick}


def make_results(chosen: dict[str, ResultFigure], figures: Path = FIGURES) -> list[str]:
    """Run each experiment once (figures of one run share it), copy its PNGs under ``figures``; the names that failed."""
    failed, done = [], {}
    for name, figure in chosen.items():
        key = (figure.script, figure.arguments, figure.folder)
        out = ROOT / figure.folder
        if key not in done:
            print(f"== {figure.command()}", flush=True)
            started = time.perf_counter()
            completed = subprocess.run([sys.executable, str(EXPERIMENTS / figure.script), "--out", str(out),
                                        *figure.arguments], cwd=ROOT)
            done[key] = completed.returncode
            print(f"== {figure.script}: exit status {completed.returncode}, {time.perf_counter() - started:.1f} s",
                  flush=True)
        source = out / figure.produces
        if done[key] != 0 or not source.is_file():
            failed.append(name)
            print(f"!! {name}: {figure.script} failed or wrote no {figure.produces}", file=sys.stderr, flush=True)
            continue
        target = figures / figure.target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        print(f"== {name}: {target}", flush=True)
    return failed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the tutorials and write their figures.")
    parser.add_argument("names", nargs="*", help="run only tutorials and results figures whose name contains one of these")
    parser.add_argument("--out", type=Path, default=FIGURES, help=f"figure folder (default {FIGURES})")
    parser.add_argument("--small", action="store_true", help="small, fast tutorial runs (as in the tests); no results")
    parser.add_argument("--all-results", action="store_true",
                        help="make every results figure, the slow experiments too (minutes each)")
    args = parser.parse_args(argv)
    chosen = scripts(args.names)
    figures = {} if args.small else results(args.names, args.all_results)
    if not chosen and not figures:
        print(f"no tutorial or results figure matches {args.names}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for script in chosen:
        print(f"== {script.relative_to(DOCS.parent)}", flush=True)
        started = time.perf_counter()
        completed = run(script, args.out, args.small)
        figure = args.out / f"{script.stem}.png"
        if completed.returncode != 0 or not figure.is_file():
            failed.append(script.name)
            reason = f"exit status {completed.returncode}" if completed.returncode else f"no {figure.name}"
            print(f"!! {script.name} failed: {reason}", file=sys.stderr, flush=True)
        else:
            print(f"== {script.name}: {time.perf_counter() - started:.1f} s", flush=True)
    failed += make_results(figures, args.out)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
