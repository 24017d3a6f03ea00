"""The ``biomem`` command line (``biomem.cli.main``).

Optional command modules ``biomem.cli.theory``, ``biomem.cli.sweep`` and ``biomem.cli.export``
each define ``register(app: typer.Typer) -> None``; ``biomem.cli.main`` calls it when the
module exists.
"""
