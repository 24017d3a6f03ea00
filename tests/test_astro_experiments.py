"""The astrocyte experiments at CI size (``--small``) and their ``biomem run`` entries.

Full size: ``python experiments/astro_*.py --out DIR`` (see docs/astrocytes.md for measured numbers).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _experiment(name: str):
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tripartite_small(tmp_path):
    metrics = _experiment("astro_tripartite").main(["--out", str(tmp_path), "--small"])
    assert (tmp_path / "astro_tripartite.png").stat().st_size > 10_000
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert set(saved["modulation"]) == {"0.0", "1.0"}
    depress, facilitate = metrics["modulation"][0.0], metrics["modulation"][1.0]
    # Release-decreasing gliotransmission lowers the first release and turns depression into
    # facilitation; release-increasing raises it and deepens depression (Brian2 example 3).
    assert depress["first_release"][1] < depress["first_release"][0]
    assert depress["paired_pulse_ratio"][1] > 1.0 > depress["paired_pulse_ratio"][0]
    assert facilitate["first_release"][1] > facilitate["first_release"][0]
    assert facilitate["paired_pulse_ratio"][1] < facilitate["paired_pulse_ratio"][0]


def test_retention_small(tmp_path):
    curve = _experiment("astro_retention").main(["--out", str(tmp_path), "--small"])
    assert (tmp_path / "astro_retention.png").exists() and (tmp_path / "metrics.json").exists()
    astro, plain = np.mean(curve["accuracy_astro"]), np.mean(curve["accuracy_plain"])
    assert astro >= 0.75 and astro > plain, curve


def test_learning_small(tmp_path):
    metrics = _experiment("astro_learning").main(["--out", str(tmp_path), "--small", "--quiet"])
    assert (tmp_path / "astro_learning.png").exists()
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["delays"] == [5, 20]
    for name in ("amsu", "lif"):
        assert len(metrics[name]["accuracy"]) == 2
        assert all(0.0 <= a <= 1.0 for a in metrics[name]["accuracy"])
    assert metrics["amsu"]["n_parameters"] > metrics["lif"]["n_parameters"]


@pytest.mark.parametrize("model, settings, engine", [
    ("astro-retention", ["delays_s=0.3", "trials=2", "n_items=2", "group_size=4", "example=false"], "numba"),
    ("astro-learning", ["delays=3", "iterations=3", "n_units=6", "batch_size=4", "test_batches=1"], "torch"),
])
def test_biomem_run_entries(tmp_path, model, settings, engine):
    from typer.testing import CliRunner

    from biomem.cli.main import app
    args = ["run", model, "--backend", engine, "--out", str(tmp_path), "--json"]
    for item in settings:
        args += ["--set", item]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics and all(isinstance(v, (int, float)) for v in metrics.values())
    assert list(tmp_path.glob("*.png"))


def test_entries_reject_spiking_only_backends(tmp_path):
    from biomem.errors import BiomemError
    from biomem.models import astro_entries
    from biomem.models.context import RunContext
    with pytest.raises(BiomemError) as error:
        astro_entries.run_tripartite(RunContext(params={"small": True}, backend="brian2-standalone", out=tmp_path))
    assert error.value.parameter == "--backend"
