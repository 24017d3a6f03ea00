"""SpiNNaker target: sPyNNaker's virtual-board mapping of the CA3 memory, and how it is run.

The test marked ``spinnaker`` needs sPyNNaker, which pulls numpy 2.4 and so lives in its own
``.venv-spinnaker``: ``make test-spinnaker`` builds it and runs this test with the main
environment's pytest and ``BIOMEM_SPYNNAKER_PYTHON`` naming that interpreter. The main
``make test`` deselects it (``-m "not loihi and not spinnaker"``); the other tests here need no
sPyNNaker and run everywhere.
"""

from __future__ import annotations

import configparser
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from biomem.cli import main as cli
from biomem.errors import BiomemError
from biomem.export import spinnaker


def _spynnaker_requested() -> bool:
    return spinnaker.configured_python() is not None or spinnaker.spynnaker_available()


@pytest.mark.spinnaker
def test_ca3_virtual_board_mapping_agrees_with_biomem(tmp_path):
    """sPyNNaker 7.4.1 maps the functional CA3 memory onto 12 application cores of 1 chip (one per
    population slice, spike sources included), as biomem's mapper with hardware/spinnaker.toml does;
    the virtual SpiNN-5 board adds its monitor cores on all 48 chips and a packet gatherer (49).

    `make test` deselects it; where it runs, a missing or broken sPyNNaker fails it, never skips it."""
    assert _spynnaker_requested(), (f"sPyNNaker is not installed: run make test-spinnaker (it sets "
                                    f"{spinnaker.PYTHON_VARIABLE})")
    out = tmp_path / "ca3.py"
    result = CliRunner().invoke(cli.app, ["export", "ca3-cam", "--target", "spinnaker", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "sPyNNaker: virtual board (SpiNN-5)" in result.output
    report = json.loads((tmp_path / "ca3.py.report.json").read_text())
    board, estimate = report["spynnaker"], report["mapping"]
    assert board["spynnaker"] == "virtual board (SpiNN-5)"
    assert (board["cores"], board["chips"]) == (12, 1)
    assert sum(board["vertices"].values()) == board["cores"]
    assert board["system_cores"] == 49 and board["chips_with_system_cores"] == 48
    comparison = board.get("agreement") or spinnaker.agreement(board, estimate)
    assert comparison["agrees"], comparison["statement"]
    assert (estimate["cores"], estimate["chips"]) == (board["cores"], board["chips"])


def test_not_installed_without_interpreter(monkeypatch, tmp_path):
    monkeypatch.delenv(spinnaker.PYTHON_VARIABLE, raising=False)
    monkeypatch.setattr(spinnaker, "spynnaker_available", lambda: False)
    result = spinnaker.virtual_board_mapping(tmp_path / "ca3.py")
    assert result["spynnaker"] == "not installed"
    assert "Makefile.spinnaker" in result["note"]


def test_named_interpreter_that_does_not_exist_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(spinnaker.PYTHON_VARIABLE, str(tmp_path / "no" / "python"))
    with pytest.raises(BiomemError, match="no Python interpreter"):
        spinnaker.virtual_board_mapping(tmp_path / "ca3.py")


@pytest.mark.skipif(spinnaker.spynnaker_available(), reason="this interpreter has sPyNNaker")
def test_named_interpreter_without_spynnaker_is_an_error(monkeypatch, tmp_path):
    """An interpreter that lacks sPyNNaker fails loudly: it is never reported as "not installed"."""
    script = tmp_path / "ca3.py"
    script.write_text("NETWORK = {'dt': 1.0, 'duration': 1.0}\n")
    monkeypatch.setenv(spinnaker.PYTHON_VARIABLE, sys.executable)
    with pytest.raises(BiomemError, match="virtual-board mapping failed: ModuleNotFoundError"):
        spinnaker.virtual_board_mapping(script)


def test_configuration_stays_in_the_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    env = spinnaker.isolated_environment(tmp_path)
    home = Path(env["HOME"])
    assert home.parent == tmp_path and Path(env["XDG_CONFIG_HOME"]).parent == home
    assert Path(env["XDG_CONFIG_DIRS"]).parent == tmp_path
    config = configparser.ConfigParser()
    config.read(home / ".spynnaker.cfg")
    assert config["Machine"]["virtual_board"] == "True" and config["Machine"]["version"] == "5"
    assert not (tmp_path / "user").exists()


def test_agreement_states_any_difference():
    same = spinnaker.agreement({"cores": 12, "chips": 1}, {"cores": 12, "chips": 1})
    assert same["agrees"] and "agrees" in same["statement"]
    other = spinnaker.agreement({"cores": 14, "chips": 1}, {"cores": 12, "chips": 1})
    assert not other["agrees"]
    assert other["cores"] == {"spynnaker": 14, "biomem": 12}
    assert "cores: sPyNNaker 14, biomem 12" in other["statement"] and "chips" not in other["statement"]
