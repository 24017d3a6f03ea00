"""Shared helpers of the Hebbian experiments: arguments, output folder, metrics, figures."""

from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path

import numpy as np


def parser(name: str, description: str) -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--out", type=Path, default=Path("out") / name, help="output folder (default out/NAME)")
    arguments.add_argument("--small", action="store_true", help="a CI-sized run (seconds to a minute)")
    arguments.add_argument("--seed", type=int, default=0, help="run seed")
    arguments.add_argument("--workers", type=int, default=1, help="Dask workers for the sweeps (1: serial)")
    return arguments


def prepare(out: Path, fresh: tuple[str, ...] = ()) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in fresh:                      # sweep stores are recomputed, not resumed
        if (out / name).exists():
            shutil.rmtree(out / name)
    return out


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_metrics(out: Path, metrics: dict) -> Path:
    path = Path(out) / "metrics.json"
    path.write_text(json.dumps(_plain(metrics), indent=2) + "\n")
    return path


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt
