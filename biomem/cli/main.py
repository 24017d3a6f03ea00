"""The ``biomem`` command.

``biomem list`` shows models, backends and export targets; ``biomem run MODEL`` runs a model
configuration from ``models/*.toml``. Further commands (``theory``, ``sweep``, ``export``) are
added by their modules' ``register(app)`` when those modules exist.

Every user error (a :class:`BiomemError`, or invalid command-line usage) ends the program with
status 2 and a single ``error: ...`` line on stderr naming the parameter and what it accepts;
an interrupt ends it with status 130.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer import Abort
from typer.core import TyperGroup

from biomem.cli import output
from biomem.cli.usage import usage_line
from biomem.errors import BiomemError

try:  # recent typer vendors click as typer._click
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - older typer on top of click
    from click.exceptions import ClickException, UsageError

OPTIONAL_COMMANDS = ("theory", "sweep", "export")

# Neuromorphic and simulator export targets. `biomem list` marks one "available" when its
# exporter module exists (biomem.export.<name> or biomem.export.<name>_export), else "planned".
EXPORT_TARGETS = {
    "nengo": "Nengo network (nengo.Ensemble / nengo.Connection), runs on Nengo's reference simulator",
    "loihi": "Loihi-style: Nengo network checked against Loihi limits, run on nengo-loihi's emulator",
    "spinnaker": "SpiNNaker: PyNN script with STDP kept, sPyNNaker virtual-board mapping",
    "pynn": "PyNN script, for NEST, NEURON or Brian2 through PyNN",
    "nir": "Neuromorphic Intermediate Representation graph (nir.NIRGraph)",
}

MAX_SEED = 2**63 - 1


class _Interrupted(Exception):
    """A KeyboardInterrupt carried past click, which would otherwise turn it into a silent exit."""


class BiomemGroup(TyperGroup):
    """Typer's group with biomem's error contract: one ``error:`` line, status 2; no rich panels."""

    def invoke(self, ctx):
        """Invoke the chosen command, carrying a KeyboardInterrupt through click."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command line; exit with its status (or return it when ``standalone_mode`` is False).

        A user error prints one ``error:`` line to stderr and gives status 2, an interrupt 130.
        """
        try:
            value = super().main(args=args, prog_name=prog_name or "biomem", complete_var=complete_var,
                                 standalone_mode=False, **extra)
            status = value if isinstance(value, int) and not isinstance(value, bool) else 0
        except BiomemError as error:
            output.print_error(str(error))
            status = output.ERROR_STATUS
        except UsageError as error:
            output.print_error(usage_line(error, self))
            status = error.exit_code if error.exit_code else output.ERROR_STATUS
        except ClickException as error:
            output.print_error(error.format_message())
            status = error.exit_code or 1
        except (_Interrupted, KeyboardInterrupt, Abort):
            output.print_error("interrupted")
            status = output.INTERRUPT_STATUS
        except BrokenPipeError:
            status = 1
        if standalone_mode:
            sys.exit(status)
        return status


app = typer.Typer(
    name="biomem",
    cls=BiomemGroup,
    help="Biologically plausible associative memories: spiking and Hebbian models on Numba, Brian2 "
         "and snnTorch.",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def _root(ctx: typer.Context,
          version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False):
    """Biologically plausible associative memories: spiking and Hebbian models on Numba, Brian2
    and snnTorch."""
    if version:
        from biomem import __version__

        print(f"biomem {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit(0)


# --------------------------------------------------------------------------- list


def backend_rows() -> list[dict]:
    """Each registered backend with whether it can run here and why."""
    from biomem import backends

    table = getattr(backends, "_REGISTRY", {})
    rows = []
    for name in backends.names():
        missing = backends.missing_packages(name)
        entry = table.get(name)
        requires = list(entry[2]) if entry else []
        implemented = True
        if entry:
            package = entry[0].rpartition(".")[0]
            try:
                spec = importlib.util.find_spec(package)
            except ModuleNotFoundError:
                spec = None
            implemented = spec is not None and any(
                (Path(location) / (entry[0].rpartition(".")[2] + ".py")).exists()
                for location in (spec.submodule_search_locations or []))
        if missing:
            reason = f"missing {', '.join(missing)} (pip install 'biomem[all]')"
        elif not implemented:
            reason = f"{', '.join(requires)} found, but the backend module {entry[0]} is not there yet"
        else:
            reason = f"{', '.join(requires)} found" if requires else "no extra packages"
        rows.append({"name": name, "installed": not missing and implemented, "reason": reason})
    return rows


def export_rows() -> list[dict]:
    """One row per export target for ``biomem list``: name, status ("available" or "planned"), description."""
    rows = []
    for name, description in EXPORT_TARGETS.items():
        present = False
        for module in (f"biomem.export.{name}", f"biomem.export.{name}_export"):
            try:
                present = present or importlib.util.find_spec(module) is not None
            except ModuleNotFoundError:  # no biomem.export package at all
                pass
        rows.append({"name": name, "status": "available" if present else "planned", "description": description})
    return rows


def _parameter_rows(config) -> list[dict]:
    return [{"name": p.name, "type": p.type, "default": p.default, "unit": p.unit, "accepted": p.accepted(),
             "doc": p.doc} for p in config.parameters.values()]


@app.command("list")
def list_command(
    model: Annotated[Optional[str], typer.Argument(help="Show this model's parameters instead.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
):
    """List models, backends and export targets (or one model's parameters)."""
    from rich.table import Table

    from biomem.models import registry

    console = output.stdout_console()
    if model is not None:
        config = registry.get(model)
        rows = _parameter_rows(config)
        if as_json:
            print(json.dumps({"model": config.name, "summary": config.summary, "reference": config.reference,
                              "parameters": rows}))
            return
        table = Table(title=f"{config.name}: {config.summary}", title_justify="left")
        for column in ("parameter", "type", "default", "unit", "accepted", "meaning"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(row["name"], row["type"], str(row["default"]), row["unit"], row["accepted"], row["doc"])
        console.print(table)
        if config.reference:
            console.print(f"reference: {config.reference}")
        console.print(f"set with: biomem run {config.name} --set NAME=VALUE")
        return

    models = [{"name": c.name, "summary": c.summary, "reference": c.reference}
              for c in registry.all_models().values()]
    backend_list, exports = backend_rows(), export_rows()
    if as_json:
        print(json.dumps({"models": models, "backends": backend_list, "export_targets": exports}))
        return
    table = Table(title="Models (biomem run MODEL)", title_justify="left")
    for column in ("model", "summary", "reference"):
        table.add_column(column, overflow="fold")
    for row in models:
        table.add_row(row["name"], row["summary"], row["reference"])
    console.print(table)
    table = Table(title="Backends (--backend NAME)", title_justify="left")
    for column in ("backend", "installed", "why"):
        table.add_column(column, overflow="fold")
    for row in backend_list:
        table.add_row(row["name"], "yes" if row["installed"] else "no", row["reason"])
    console.print(table)
    table = Table(title="Export targets", title_justify="left")
    for column in ("target", "status", "what"):
        table.add_column(column, overflow="fold")
    for row in exports:
        table.add_row(row["name"], row["status"], row["description"])
    console.print(table)


# --------------------------------------------------------------------------- run


def parse_seed(text: str) -> int:
    """The ``--seed`` value as an integer from 0 to ``MAX_SEED``, else a BiomemError."""
    accepted = f"an integer from 0 to {MAX_SEED}"
    try:
        value = int(text.strip())
    except ValueError:
        raise BiomemError("--seed", f"not an integer: {text!r}", accepted) from None
    if not 0 <= value <= MAX_SEED:
        raise BiomemError("--seed", f"out of range: {value}", accepted)
    return value


def backend_options(backend: str, device: str | None) -> dict:
    """Check ``--backend`` and ``--device``; the options handed to the backend."""
    from biomem import backends

    try:
        missing = backends.missing_packages(backend)
    except BiomemError as error:
        raise BiomemError("--backend", error.problem, error.accepted) from None
    if missing:
        raise BiomemError("--backend", f"{backend!r} needs {', '.join(missing)}, which is not installed",
                          "a backend marked installed by 'biomem list', or pip install 'biomem[all]'")
    if device is None:
        return {}
    if device not in ("cpu", "cuda"):
        raise BiomemError("--device", f"unknown device {device!r}", "cpu or cuda")
    if backend != "torch":
        if device == "cuda":
            raise BiomemError("--device", f"cuda needs --backend torch (got --backend {backend})",
                              "cpu, or cuda with --backend torch")
        return {}
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise BiomemError("--device", "cuda requested but torch finds no CUDA device", "cpu")
    return {"device": device}


def _summary(console, run_output, files: list[Path]) -> None:
    for line in run_output.summary:
        console.print(line)
    for path in list(run_output.figures) + files:
        console.print(f"wrote {path}")


@app.command("run")
def run_command(
    model: Annotated[str, typer.Argument(help="Model name, as listed by 'biomem list'.", show_default=False)],
    backend: Annotated[str, typer.Option("--backend", "-b", metavar="NAME",
                                         help="Simulator: numba, brian2, brian2-standalone or torch.")] = "numba",
    seed: Annotated[str, typer.Option("--seed", metavar="N", help="Random seed, 0 to 2^63-1.")] = "0",
    assignments: Annotated[Optional[list[str]], typer.Option(
        "--set", metavar="NAME=VALUE", help="Override a model parameter (repeatable); see 'biomem list MODEL'.",
        show_default=False)] = None,
    input_file: Annotated[Optional[Path], typer.Option("--input", metavar="FILE",
                                                       help="Input file for models that read one.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="DIR",
                                                help="Output folder [default: ./out/MODEL].",
                                                show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object, the last "
                                                         "line on stdout.")] = False,
    device: Annotated[Optional[str], typer.Option("--device", metavar="cpu|cuda",
                                                  help="Device for the torch backend.")] = None,
):
    """Run MODEL; write DIR/metrics.json, DIR/spikes.json and figures."""
    from biomem.models import registry
    from biomem.models.context import RunContext, RunOutput

    config = registry.get(model)
    params = config.resolve(list(assignments or []))
    seed_value = parse_seed(seed)
    options = backend_options(backend, device)
    input_path = output.check_input(input_file)
    run = config.entry("run")
    directory = output.prepare_out(out if out is not None else Path("out") / config.name)

    progress = output.ProgressFactory()
    context = RunContext(params=params, backend=backend, seed=seed_value, out=directory, input=input_path,
                         options=options, progress=progress)
    try:
        result = run(context)
    finally:
        progress.stop()
    if not isinstance(result, RunOutput):
        raise TypeError(f"{config.run} returned {type(result).__name__}, not RunOutput")

    metrics = output.plain_metrics(result.metrics)
    from biomem import __version__

    provenance = {"model": config.name, "parameters": params, "backend": backend, "seed": seed_value,
                  "input": str(input_path) if input_path else None, "options": options,
                  "biomem_version": __version__, "figures": [str(p) for p in result.figures]}
    files = []
    # metrics first: if a later (bigger) file cannot be written, what was written stays.
    for name, data, compact in (("metrics.json", metrics, False), ("spikes.json", result.spikes, True),
                                ("run.json", provenance, False)):
        if data is None:
            continue
        try:
            files.append(output.write_json(directory / name, data, compact=compact))
        except OSError as error:
            raise BiomemError("--out", f"cannot write {str(directory / name)!r}: {error.strerror or error}",
                              "a writable directory with free space") from None

    if as_json:
        _summary(output.stderr_console(), result, files)
        print(json.dumps(metrics, allow_nan=False), flush=True)
        return
    from rich.table import Table

    console = output.stdout_console()
    table = Table(title=f"{config.name} on {backend} (seed {seed_value})", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        table.add_row(name, output.format_value(value))
    console.print(table)
    _summary(console, result, files)


# --------------------------------------------------------------------------- optional commands


def register_optional_commands(target: typer.Typer = app) -> list[str]:
    """Call ``register(app)`` of each optional command module that exists."""
    registered = []
    for name in OPTIONAL_COMMANDS:
        module_name = f"biomem.cli.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        module.register(target)
        registered.append(name)
    return registered


register_optional_commands(app)


def main(argv: list[str] | None = None) -> int:
    """Console entry point (``biomem``): run the command line on ``argv`` (default: sys.argv[1:])
    and return the exit status (0, 2 for a user error, 130 when interrupted) instead of exiting,
    so that it can also be called from Python; the console script exits with it."""
    try:
        command = typer.main.get_command(app)
        return command.main(args=argv, prog_name="biomem", standalone_mode=False)
    except KeyboardInterrupt:
        output.print_error("interrupted")
        return output.INTERRUPT_STATUS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
