"""``biomem export MODEL --target nengo|loihi|spinnaker|pynn|nir --out PATH``.

Writes the exported artefact to PATH and the report to PATH.report.json; ``--check``
re-simulates the original (biomem numba) and the exported network on the same input and adds
spike agreement and, for CA3, the task accuracy. Any BiomemError (an unsupported feature
included) is one ``error: ...`` line on stderr and exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from biomem.errors import BiomemError


def export_command(
    model: str = typer.Argument(..., help="model name (a file in models/): ca3-cam, coba, cuba or hebbian-two-layer"),
    target: str = typer.Option(..., "--target", help="nengo, loihi, spinnaker, pynn or nir"),
    out: Path = typer.Option(..., "--out", help="file to write (script or .nir); the report goes to OUT.report.json"),
    assignments: List[str] = typer.Option([], "--set", help="NAME=VALUE (repeatable)"),
    input_path: Optional[Path] = typer.Option(None, "--input", help="testbench JSON (ca3-cam)"),
    check: bool = typer.Option(False, "--check", help="re-simulate original and export, report agreement"),
    approximate: bool = typer.Option(False, "--approximate", help="replace unsupported features where possible"),
    profile: Optional[str] = typer.Option(None, "--profile",
                                          help="hardware profile: a name in hardware/ or a TOML path"),
    simulator: str = typer.Option("nest", "--simulator", help="PyNN simulator for --check (nest or brian2)"),
    seed: int = typer.Option(0, "--seed", help="seed of the network's random draws"),
) -> None:
    """Export a model to a neuromorphic target or simulator."""
    try:
        from biomem.export import api, models

        if target not in api.TARGETS:
            raise BiomemError("--target", f"unknown target {target!r}", ", ".join(api.TARGETS))
        if simulator not in ("nest", "brian2"):
            raise BiomemError("--simulator", f"unknown simulator {simulator!r}", "nest or brian2")
        if seed < 0:
            raise BiomemError("--seed", f"out of range: {seed}", "an integer >= 0")
        network, duration, dt, info = models.build(model, assignments, input_path, seed)
        result = api.export(network, duration, target=target, out=out, dt=dt, seed=seed, profile=profile,
                            approximate=approximate, check=check, simulator=simulator, model=info)
    except BiomemError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2)
    typer.echo(f"wrote {out} ({result['artefact']['kind']}) and {result['report']}")
    mapping = result.get("mapping")
    if mapping:
        typer.echo(f"{mapping['profile']}: {mapping['cores']} cores, {mapping['chips']} chip(s)")
    for issue in result["unsupported_features"]:
        typer.echo(f"approximated: {issue['feature']} ({issue['where']}): {issue['approximation']}")
    if "spynnaker" in result:
        typer.echo(f"sPyNNaker: {result['spynnaker'].get('spynnaker')}")
    if check:
        from biomem.export.report import summary_line

        for name, comparison in result["check"]["runs"].items():
            typer.echo(summary_line(name, comparison))
        for key, value in result["check"].items():
            if key not in ("runs", "reference") and isinstance(value, str):
                typer.echo(f"{key}: {value}")


def register(app: typer.Typer) -> None:
    """Add ``biomem export`` to the ``biomem`` command (called by biomem.cli.main)."""
    app.command("export")(export_command)
