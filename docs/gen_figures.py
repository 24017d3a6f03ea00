"""Run every tutorial script (docs/tutorials/*.py) so that its figures land in docs/figures/.

    python docs/gen_figures.py                    # full size, figures into docs/figures/
    python docs/gen_figures.py --small --out DIR  # the quick version the tests run
    python docs/gen_figures.py kuramoto           # only the tutorials whose name contains "kuramoto"

Each script runs in its own process (the interpreter running this file), with ``--out`` and
``--small`` passed on; a script's own output is shown as it runs. The exit status is 1 when a
script fails or does not write ``<its name>.png``, the figure its page shows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIALS = DOCS / "tutorials"
FIGURES = DOCS / "figures"


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the tutorials and write their figures.")
    parser.add_argument("names", nargs="*", help="run only tutorials whose name contains one of these")
    parser.add_argument("--out", type=Path, default=FIGURES, help=f"figure folder (default {FIGURES})")
    parser.add_argument("--small", action="store_true", help="small, fast runs (as in the tests)")
    args = parser.parse_args(argv)
    chosen = scripts(args.names)
    if not chosen:
        print(f"no tutorial matches {args.names}", file=sys.stderr)
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
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
