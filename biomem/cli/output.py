"""What the command line writes: one-line errors, result files, rich tables and progress.

stdout carries results only (a table, or with ``--json`` one JSON object as the last line);
everything meant for a person while it runs (progress, notes) goes to stderr.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from biomem.errors import BiomemError

ERROR_STATUS = 2
INTERRUPT_STATUS = 130


def error_line(message: str) -> str:
    """``error: ...`` on one line, whatever the message holds."""
    text = " ".join(str(message).split())
    return text if text.startswith("error:") else f"error: {text}"


def print_error(message: str) -> None:
    """Print ``message`` to stderr as one ``error: ...`` line."""
    # print, not rich: rich would wrap a long message at the terminal width.
    print(error_line(message), file=sys.stderr, flush=True)


def stdout_console(width: int | None = None):
    """A rich console on stdout that does not wrap lines (``width`` in characters; None: the terminal's)."""
    from rich.console import Console

    return Console(file=sys.stdout, highlight=False, soft_wrap=False, width=width)


def stderr_console():
    """A rich console on stderr, for progress and notes."""
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


# --------------------------------------------------------------------------- numbers and files


def plain_number(name: str, value: Any) -> int | float | None:
    """A metric as a JSON number: ints stay ints, NaN and infinities become null."""
    if isinstance(value, bool):
        return int(value)
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise TypeError(f"metric {name!r} is not a number: {value!r}")


def plain_metrics(metrics: dict[str, Any]) -> dict[str, int | float | None]:
    """``metrics`` with string keys and JSON numbers as values (see :func:`plain_number`)."""
    return {str(name): plain_number(name, value) for name, value in metrics.items()}


def write_json(path: Path, data: Any, *, compact: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file, so a file is either whole or absent."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if compact:
                json.dump(data, stream, separators=(",", ":"), allow_nan=False)
            else:
                json.dump(data, stream, indent=2, allow_nan=False)
            stream.write("\n")
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def prepare_out(path: Path) -> Path:
    """Create the ``--out`` directory ``path`` if needed and check that it is writable; return it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-", delete=True)
        probe.close()
    except OSError as error:
        raise BiomemError("--out", f"cannot write to {str(path)!r}: {error.strerror or error}",
                          "a writable directory") from None
    return path


def check_input(path: Path | None) -> Path | None:
    """Check that the ``--input`` file ``path`` is a readable file (None passes); return it."""
    if path is None:
        return None
    try:
        if path.is_dir():
            raise BiomemError("--input", f"{str(path)!r} is a directory", "a readable file")
        with open(path, "rb") as stream:
            stream.read(1)
    except OSError as error:
        raise BiomemError("--input", f"cannot read {str(path)!r}: {error.strerror or error}",
                          "a readable file") from None
    return path


def format_value(value: Any) -> str:
    """A metric for a table: floats to 4 significant digits, None and non-finite values as "n/a"."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.4e}"
    return str(value)


# --------------------------------------------------------------------------- progress


class _Quiet:
    def advance(self, n: int = 1) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Task:
    def __init__(self, owner: "ProgressFactory", description: str, total: float | None):
        self.owner, self.description, self.total, self.id = owner, description, total, None

    def __enter__(self):
        self.id = self.owner._open(self.description, self.total)
        return self

    def advance(self, n: float = 1) -> None:
        self.owner._progress.advance(self.id, n)

    def __exit__(self, *exc):
        self.owner._close(self.id)
        return False


class ProgressFactory:
    """``progress(description, total)`` for :class:`RunContext`: a context manager whose
    ``advance(n)`` moves a rich progress bar on stderr. Silent when stderr is not a terminal,
    so logs and captured output stay clean. Tasks may nest; the display lives while any is open."""

    def __init__(self, console=None):
        self.console = console or stderr_console()
        self._progress = None
        self._open_tasks = 0

    def __call__(self, description: str, total: float | None = None):
        if not self.console.is_terminal:
            return _Quiet()
        return _Task(self, description, total)

    def _open(self, description, total):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)

        if self._progress is None:
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(), console=self.console,
                                      transient=True)
            self._progress.start()
        self._open_tasks += 1
        return self._progress.add_task(description, total=total)

    def _close(self, task_id):
        if self._progress is None:
            return
        self._progress.remove_task(task_id)
        self._open_tasks -= 1
        if self._open_tasks <= 0:
            self.stop()

    def stop(self):
        """Remove the progress display and forget any open tasks."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._open_tasks = 0
