"""``biomem sweep``: a parameter sweep of a model's theory or Monte Carlo into a zarr store."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from biomem.errors import BiomemError


def sweep(
    model: str = typer.Argument(..., help="model name (a file in models/)"),
    method: str = typer.Option(..., "--method", help="theory or montecarlo"),
    grid: List[str] = typer.Option([], "--grid", help="NAME=START:STOP:NUM or NAME=V1,V2 (repeatable, in order)"),
    assignments: List[str] = typer.Option([], "--set", help="NAME=VALUE fixed for the whole sweep (repeatable)"),
    out: Path = typer.Option(..., "--out", help="zarr store to create (or to resume)"),
    workers: int = typer.Option(1, "--workers", help="1: serial; N > 1: a Dask LocalCluster of N processes"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="address of a running Dask scheduler"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted store: only missing points"),
    seed: int = typer.Option(0, "--seed", help="run seed; each point's seed derives from it and its indices"),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="write phase_diagram.png beside the store"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Sweep MODEL over a grid; every finished point is written to the store at once."""
    try:
        from biomem.sweep import runner
        path = runner.run(model, method, grid, assignments, out, workers=workers, scheduler=scheduler,
                          resume=resume, seed=seed, progress=not quiet, plot=plot)
    except BiomemError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    typer.echo(f"sweep written to {path}")


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the biomem command line."""
    app.command("sweep")(sweep)
