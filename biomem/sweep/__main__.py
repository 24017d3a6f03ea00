"""``python -m biomem.sweep MODEL ...``: the ``biomem sweep`` command on its own."""

from __future__ import annotations

import typer

from biomem.cli.sweep import register


def main() -> None:
    app = typer.Typer(add_completion=False)
    register(app)

    @app.callback()
    def _root() -> None:
        """biomem sweep driver."""

    app(["sweep", *__import__("sys").argv[1:]], prog_name="python -m biomem.sweep")


if __name__ == "__main__":
    main()
