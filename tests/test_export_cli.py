"""``biomem export``: files, report, --check, and one-line errors with status 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from biomem.cli import main as cli


def invoke(*args):
    return CliRunner().invoke(cli.app, ["export", *map(str, args)])


def _error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_unsupported_feature_is_one_error_line(tmp_path):
    result = invoke("ca3-cam", "--target", "nir", "--out", tmp_path / "ca3.nir")
    assert result.exit_code == 2
    line = _error_line(result)
    assert "nir cannot express" in line and "--approximate" in line
    assert not (tmp_path / "ca3.nir").exists()


def test_nir_approximate_check_writes_file_and_report(tmp_path):
    out = tmp_path / "ca3.nir"
    result = invoke("ca3-cam", "--target", "nir", "--out", out, "--approximate", "--check")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ca3.nir.report.json").read_text())
    assert out.exists() and report["target"] == "nir"
    features = {issue["feature"] for issue in report["unsupported_features"]}
    assert {"STDP", "refractory period", "separate excitatory and inhibitory synaptic time constants"} >= features
    assert "STDP" in features
    runs = report["check"]["runs"]
    # the graph read back into biomem is spike-identical to biomem running the approximated network
    roundtrip = runs["nir_roundtrip_biomem"]["spike_agreement"]
    assert roundtrip["exact"] == runs["biomem_approximated"]["spike_agreement"]["exact"]


def test_spinnaker_report_has_mapping_and_spynnaker_status(tmp_path):
    out = tmp_path / "ca3.py"
    result = invoke("ca3-cam", "--target", "spinnaker", "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ca3.py.report.json").read_text())
    assert report["mapping"]["cores"] == 12 and report["mapping"]["chips"] == 1
    assert report["unsupported_features"] == []  # SpiNNaker keeps STDP
    assert report["spynnaker"]["spynnaker"] in ("not installed", "virtual board (SpiNN-5)")
    assert report["quantisation"]["weights"]["max_rel_error"] < 1e-3
    assert any("absolute" in note for note in report["notes"])


def test_nengo_check_reports_agreement(tmp_path):
    result = invoke("ca3-cam", "--target", "nengo", "--out", tmp_path / "ca3.py", "--approximate", "--check")
    assert result.exit_code == 0, result.output
    assert "nengo: spike F1" in result.output
    report = json.loads((tmp_path / "ca3.py.report.json").read_text())
    assert "nengo" in report["check"]["runs"]


def test_input_testbench_and_set(tmp_path):
    bench = {"simTime": 40, "cue": [[0, 1, 2, 20], [], []], "cont": [[0, 1, 2], [0, 1, 2], [], [30]]}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(bench))
    result = invoke("ca3-cam", "--target", "pynn", "--out", tmp_path / "small.py", "--input", path,
                    "--set", "w_exc=6.5")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "small.py.report.json").read_text())
    assert report["model"]["cue_size"] == 3 and report["model"]["content_size"] == 4
    assert report["network"]["duration_ms"] == 40


@pytest.mark.parametrize("args, fragment", [
    (("ca3-cam", "--target", "fpga"), "--target"),
    (("hopfield", "--target", "nir"), "cannot be exported"),
    (("ca3-cam", "--target", "loihi", "--profile", "no/such/profile.toml"), "no such file"),
    (("ca3-cam", "--target", "nir", "--set", "w_exc=-1"), "w_exc"),
    (("ca3-cam", "--target", "nir", "--set", "nonsense"), "NAME=VALUE"),
])
def test_errors_are_one_line(tmp_path, args, fragment):
    result = invoke(*args, "--out", tmp_path / "x.out")
    assert result.exit_code == 2
    assert fragment in _error_line(result)


def test_bad_testbench_is_one_line(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text("{not json")
    result = invoke("ca3-cam", "--target", "nir", "--out", tmp_path / "x.nir", "--input", path)
    assert result.exit_code == 2
    _error_line(result)


def test_user_profile(tmp_path):
    profile = tmp_path / "tiny.toml"
    profile.write_text('name = "tiny"\nexporter = "spinnaker"\n[limits]\nneurons_per_core = 4\ncores_per_chip = 8\n'
                       '[features]\nplasticity = ["STDP"]\n')
    result = invoke("ca3-cam", "--target", "spinnaker", "--out", tmp_path / "ca3.py", "--profile", profile)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ca3.py.report.json").read_text())
    assert report["profile"]["name"] == "tiny" and report["mapping"]["cores"] > 12


def test_cuba_exports(tmp_path):
    result = invoke("cuba", "--target", "nir", "--out", tmp_path / "cuba.nir", "--approximate",
                    "--set", "n_neurons=100", "--set", "duration=20")
    assert result.exit_code == 0, result.output

