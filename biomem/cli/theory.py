"""``biomem theory``: the replica-symmetric state of a model from the retrieval start, printed."""

from __future__ import annotations

import json
import math
from typing import List

import typer

from biomem.errors import BiomemError


def _plain(value):
    """JSON-safe: NaN and infinities become null, numpy numbers plain numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evaluate(model: str, assignments: list[str]) -> dict:
    """The theory report of ``model`` with ``--set`` assignments (raises BiomemError)."""
    from biomem.models import registry
    config = registry.get(model)
    params = config.resolve(assignments)
    if "theory_report" in config.sweep:
        report = config.entry("theory_report")(params)
    else:
        report = config.entry("theory")(params, 0)
    return dict(_plain(report), model=config.name, parameters=_plain(params))


def theory(
    model: str = typer.Argument(..., help="model name (a file in models/)"),
    assignments: List[str] = typer.Option([], "--set", help="NAME=VALUE (repeatable)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Solve the model's self-consistent equations from the retrieval start (m = 1)."""
    try:
        report = evaluate(model, assignments)
    except BiomemError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(report))
        return
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"{report['model']} (replica-symmetric theory)")
    table.add_column("quantity")
    table.add_column("value")
    for key, value in report.items():
        if key in ("model", "parameters"):
            continue
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    table.add_row("parameters", ", ".join(f"{k}={v}" for k, v in report["parameters"].items()))
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``theory`` to the biomem command line."""
    app.command("theory")(theory)
