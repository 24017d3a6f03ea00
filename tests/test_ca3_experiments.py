"""The CA3 experiment scripts run at CI size and write their figures and metrics."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


@pytest.fixture(scope="module")
def experiments():
    sys.path.insert(0, str(EXPERIMENTS))
    yield lambda name: importlib.import_module(name)
    sys.path.remove(str(EXPERIMENTS))


@pytest.mark.parametrize("name, figures", [
    ("ca3_pyramidal", ["raster.png"]),
    ("ca3_state_map", ["raster.png", "map_query.png", "map_requery.png"]),
    ("ca3_reliability", ["correct_vs_spacing_mixed.png", "correct_grid_single_bit.png"]),
    ("ca3_noise", ["accuracy_vs_deletion.png", "accuracy_grid.png"]),
])
def test_small_run_writes_figures_and_metrics(experiments, tmp_path, name, figures):
    metrics = experiments(name).main(["--small", "--out", str(tmp_path), *(["--backend", "numba"]
                                                                           if name != "ca3_state_map" else [])])
    assert json.loads((tmp_path / "metrics.json").read_text())["experiment"] == name == metrics["experiment"]
    for figure in figures:
        assert (tmp_path / figure).stat().st_size > 0


def test_small_results_are_the_documented_ones(experiments, tmp_path):
    """docs/ca3.md: the pyramidal test is 60/60 at 10 ms; one-bit recalls at 14 ms are ideal."""
    assert experiments("ca3_pyramidal").main(["--small", "--out", str(tmp_path / "p")])["n_correct"] == 60
    reliability = experiments("ca3_reliability").main(["--small", "--backend", "numba", "--out", str(tmp_path / "r")])
    for row in reliability["workloads"]["single_bit"].values():
        assert row["14"]["fraction_correct"] == 1.0
    for rows in reliability["workloads"].values():
        for row in rows.values():
            assert row["10"]["fraction_wrong"] == row["14"]["fraction_wrong"] == 0.0
