"""`biomem run ca3-cam`: the run entry of models/ca3-cam.toml, and the command around it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from biomem.errors import BiomemError
from biomem.models import registry
from biomem.models.ca3.network import POPULATIONS
from biomem.models.context import RunContext

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_entry(tmp_path, assignments=(), **context):
    config = registry.get("ca3-cam")
    return config.entry("run")(RunContext(params=config.resolve(list(assignments)), out=tmp_path, **context))


def test_demo_is_the_functional_experiment_and_writes_a_raster(tmp_path):
    output = run_entry(tmp_path)
    assert output.metrics["n_operations"] == output.metrics["n_correct"] == 9
    assert output.metrics["fraction_correct"] == 1.0
    assert {f"n_spikes_{label}" for label in POPULATIONS} <= set(output.metrics)
    assert all(isinstance(value, (int, float)) for value in output.metrics.values())
    assert set(output.spikes) == set(POPULATIONS)
    assert output.spikes["OUTcue"][:2] == [[5, 0], [7, 0]]
    assert [path.name for path in output.figures] == ["raster.png"] and output.figures[0].stat().st_size > 0
    table = "\n".join(output.summary)
    assert "recall content {6}" in table and "9/9 operations correct" in table
    assert max(len(line) for line in output.summary) <= 80


def test_input_testbench_takes_its_sizes_and_is_compared_with_recorded_spikes(tmp_path):
    output = run_entry(tmp_path, ["plot=false"], input=FIXTURES / "ca3_functional_spinnaker.json")
    assert output.metrics["cue_size"] == 5 and output.metrics["content_size"] == 10
    assert output.metrics["reference_populations_matching"] == len(POPULATIONS)
    assert output.figures == []
    assert "spikes equal the recorded reference in 12/12 populations" in output.summary


@pytest.mark.parametrize("assignments, text, message", [
    (["cue_size=4"], None, "cue: has 5 neurons but cue_size = 4"),
    ([], '{"simTime": 10, "cue": [[1], [2]], "cont": [[3, 2]]}', "cont[0]: times are not strictly increasing"),
    ([], "[1, 2", "--input: bench.json is not valid JSON"),
])
def test_bad_inputs_are_one_line(tmp_path, assignments, text, message):
    source = tmp_path / "bench.json"
    if text is None:
        shutil.copy(FIXTURES / "ca3_functional_spinnaker.json", source)
    else:
        source.write_text(text)
    with pytest.raises(BiomemError) as caught:
        run_entry(tmp_path, assignments, input=source)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_demo_refuses_sizes_below_its_memories(tmp_path):
    with pytest.raises(BiomemError, match="content_size: too small for the demo"):
        run_entry(tmp_path, ["content_size=8"])


def test_command_writes_metrics_spikes_and_figure(tmp_path):
    from typer.testing import CliRunner

    from biomem.cli.main import app

    result = CliRunner().invoke(app, ["run", "ca3-cam", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["n_correct"] == 9 and metrics["sim_s"] >= 0
    spikes = json.loads((tmp_path / "spikes.json").read_text())
    reference = json.loads((FIXTURES / "ca3_functional_spinnaker.json").read_text())["expected_spikes"]
    assert spikes == reference
    assert (tmp_path / "raster.png").stat().st_size > 0
