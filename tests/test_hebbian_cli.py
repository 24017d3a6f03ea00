"""``biomem theory`` and ``biomem run`` for the Hebbian models."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _invoke(args, capsys):
    """Run the biomem command line in-process."""
    from biomem.cli.main import main
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("model, sets, expected", [
    ("hopfield", ["alpha=0.1", "T=0"], {"phase": "retrieval-metastable"}),
    ("hopfield", ["alpha=0.2", "T=0.5"], {"phase": "spin-glass", "m": 0.0}),
    ("dense-hebbian", ["P=4", "rho=0.5", "T=0.4"], {"phase": "retrieval-global"}),
    ("dense-hebbian", ["P=3", "rho=0", "T=0", "alpha=0.5"], {"phase": "retrieval-global"}),
    ("dense-hebbian", ["supervised=false", "M=2"], {"phase": "example"}),
    ("multitasking", ["K=3", "d=0.3", "T=0"], {"phase": "hierarchical", "m": 0.7}),
    ("willshaw", [], {"phase": "retrieval"}),
])
def test_theory_json(model, sets, expected, capsys):
    args = ["theory", model, "--json"]
    for s in sets:
        args += ["--set", s]
    status, out, err = _invoke(args, capsys)
    assert status == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    for key in ("m", "f", "phase") if model != "willshaw" else ("m", "phase"):
        assert key in report
    if model in ("hopfield", "dense-hebbian"):
        assert "q" in report and ("r" in report or "m_hat" in report)
    for key, value in expected.items():
        assert report[key] == pytest.approx(value) if isinstance(value, float) else report[key] == value


@pytest.mark.parametrize("model, setting, fragment", [
    ("hopfield", "T=nan", "T"), ("hopfield", "T=-0.1", "T"), ("dense-hebbian", "P=1", "P"),
    ("dense-hebbian", "rho=-1", "rho"), ("hopfield", "beta=2", "beta"), ("multitasking", "d=1", "d"),
])
def test_theory_errors_are_one_line_with_status_2(model, setting, fragment, capsys):
    status, out, err = _invoke(["theory", model, "--set", setting, "--json"], capsys)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]


def test_unknown_model(capsys):
    status, _, err = _invoke(["theory", "nosuchmodel"], capsys)
    assert status == 2 and err.strip().startswith("error:")


def test_theory_json_in_a_real_process():
    command = [sys.executable, "-m", "biomem.cli.main", "theory", "hopfield", "--set", "alpha=0.05",
               "--set", "T=0.3", "--json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["phase"] == "retrieval-metastable" and 0.9 < report["m"] < 1


def test_run_hopfield_writes_metrics_and_figure(tmp_path, capsys):
    status, out, err = _invoke(["run", "hopfield", "--set", "N=300", "--set", "sweeps=10", "--out",
                                str(tmp_path), "--json"], capsys)
    assert status == 0, err
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert abs(metrics["mc_m"] - metrics["theory_m"]) < 0.1
    assert (tmp_path / "hopfield_overlap.png").exists()
