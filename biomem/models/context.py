"""What `biomem run` hands a model's run function, and what it gets back."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class RunContext:
    """Inputs of one run.

    ``params`` are validated against the model's schema; ``input`` is an optional file given
    with ``--input``; ``out`` exists and receives figures; ``progress(description, total)``
    returns a context manager whose ``advance(n=1)`` reports progress (a no-op by default).
    """

    params: dict[str, Any]
    backend: str = "numba"
    seed: int = 0
    out: Path = Path(".")
    input: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)
    progress: Callable[..., Any] = None

    def __post_init__(self):
        if self.progress is None:
            self.progress = lambda description, total=None: nullcontext(_Silent())


class _Silent:
    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class RunOutput:
    """Results of one run: ``metrics`` (flat name -> number, written to metrics.json),
    ``spikes`` ({population: [[time_ms, index], ...]}, written to spikes.json when not None),
    ``figures`` (PNG paths already written under ``out``) and ``summary`` (lines printed for a person)."""

    metrics: dict[str, float]
    spikes: dict | None = None
    figures: list[Path] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
