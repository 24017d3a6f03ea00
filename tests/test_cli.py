"""The ``biomem`` command: in-process (typer's CliRunner) and as a real subprocess.

Contract checked here: ``list`` shows models, backends and export targets; ``run`` writes
metrics.json / spikes.json / figures and, with ``--json``, prints the metrics as the last stdout
line; every user error exits with status 2 and exactly one ``error:`` line on stderr that names
the parameter and what it accepts, with no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from biomem import backends
from biomem.cli import main as cli
from biomem.errors import BiomemError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
METRICS = ("n_spikes", "mean_rate_hz", "build_s", "sim_s", "n_neurons", "n_synapses", "cv_isi_mean")
SMALL = ["--set", "n_neurons=400", "--set", "duration=200"]


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def shell(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "biomem.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def last_json_line(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, "no output on stdout"
    return json.loads(lines[-1])


def assert_one_error_line(stderr: str, *names: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{stderr}"
    line = lines[0]
    assert line.startswith("error:"), line
    assert "accepted" in line, line
    assert "Traceback" not in stderr
    for name in names:
        assert name in line, f"{name!r} not named in {line!r}"
    return line


# --------------------------------------------------------------------------- list


def test_list_shows_models_backends_and_export_targets():
    result = invoke("list")
    assert result.exit_code == 0, result.output
    for word in ("coba", "cuba", "Brette", *backends.names(), *cli.EXPORT_TARGETS):
        assert word in result.stdout


def test_list_json_is_complete():
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    names = {model["name"] for model in data["models"]}
    assert {"coba", "cuba"} <= names
    assert all(model["summary"] for model in data["models"])
    assert [row["name"] for row in data["backends"]] == backends.names()
    numba = next(row for row in data["backends"] if row["name"] == "numba")
    assert numba["installed"] is True and numba["reason"]
    assert [row["name"] for row in data["export_targets"]] == ["nengo", "loihi", "spinnaker", "pynn", "nir"]
    assert all(row["status"] in ("planned", "available") for row in data["export_targets"])


def test_list_model_parameters():
    result = invoke("list", "coba", "--json")
    assert result.exit_code == 0, result.output
    parameters = {row["name"]: row for row in json.loads(result.stdout)["parameters"]}
    assert parameters["n_neurons"]["default"] == 4000
    assert parameters["duration"]["unit"] == "ms"
    assert ">= 10" in parameters["n_neurons"]["accepted"]


def test_list_as_a_subprocess(tmp_path):
    completed = shell("list", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "coba" in completed.stdout and "numba" in completed.stdout and "nir" in completed.stdout
    assert completed.stderr == ""


def test_console_script(tmp_path):
    script = Path(sys.executable).parent / "biomem"
    assert script.exists(), "the biomem console script is not installed next to this interpreter (make venv)"
    completed = subprocess.run([str(script), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0 and completed.stdout.startswith("biomem ")
    completed = subprocess.run([str(script), "run", "coba", "--seed", "-1"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 2
    assert_one_error_line(completed.stderr, "--seed")


def test_main_returns_the_status(tmp_path, capsys):
    assert cli.main(["--version"]) == 0
    assert cli.main(["run", "coba", "--seed", "-1"]) == 2
    assert capsys.readouterr().err.startswith("error: --seed")


def test_help_and_version():
    assert invoke("--help").exit_code == 0
    assert invoke().exit_code == 0
    assert "run" in invoke("run", "--help").stdout
    version = invoke("--version")
    assert version.exit_code == 0 and version.stdout.startswith("biomem ")


# --------------------------------------------------------------------------- run


def _check_run_directory(out: Path, metrics: dict) -> None:
    assert json.loads((out / "metrics.json").read_text()) == metrics
    spikes = json.loads((out / "spikes.json").read_text())
    assert {"exc", "inh", "stim"} <= set(spikes)
    assert sum(len(pairs) for label, pairs in spikes.items() if label != "stim") == metrics["n_spikes"]
    for time_ms, index in spikes["exc"][:50]:
        assert 0 <= time_ms < 200 and 0 <= index < 320
    raster = out / "coba_raster.png"
    assert raster.stat().st_size > 0 and raster.read_bytes()[:8] == PNG_MAGIC
    run = json.loads((out / "run.json").read_text())
    assert run["model"] == "coba" and run["parameters"]["n_neurons"] == 400 and run["backend"] == "numba"


def test_run_coba_json_as_a_subprocess(tmp_path):
    out = tmp_path / "result"
    completed = shell("run", "coba", *SMALL, "--json", "--out", str(out), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    metrics = last_json_line(completed.stdout)
    for name in METRICS:
        assert name in metrics, name
    assert metrics["n_neurons"] == 400
    assert metrics["n_spikes"] > 0
    assert "Traceback" not in completed.stderr
    _check_run_directory(out, metrics)


def test_run_coba_in_process_json_and_table(tmp_path):
    out = tmp_path / "o"
    result = invoke("run", "coba", *SMALL, "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    metrics = last_json_line(result.stdout)
    assert set(METRICS) <= set(metrics)
    _check_run_directory(out, metrics)

    table = invoke("run", "cuba", "--set", "n_neurons=100", "--set", "duration=50", "--out", str(tmp_path / "t"))
    assert table.exit_code == 0, table.output
    assert "mean_rate_hz" in table.stdout and "wrote" in table.stdout
    assert not table.stdout.lstrip().startswith("{")


def test_default_out_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "cuba", "--set", "n_neurons=100", "--set", "duration=50", "--json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "cuba" / "metrics.json").exists()
    assert (tmp_path / "out" / "cuba" / "cuba_raster.png").exists()


def test_same_seed_gives_identical_spikes(tmp_path):
    def spikes(seed: int, name: str) -> bytes:
        out = tmp_path / name
        result = invoke("run", "coba", "--set", "n_neurons=300", "--set", "duration=100", "--seed", str(seed),
                        "--json", "--out", str(out))
        assert result.exit_code == 0, result.output
        return (out / "spikes.json").read_bytes()

    first = spikes(7, "a")
    assert spikes(7, "b") == first
    assert spikes(8, "c") != first


def test_device_cpu_is_accepted_by_every_backend(tmp_path):
    result = invoke("run", "cuba", "--set", "n_neurons=50", "--set", "duration=20", "--device", "cpu", "--json",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- errors


ERRORS = [
    (["run", "no-such-model"], ("model", "coba")),
    (["run", "coba", "--backend", "nope"], ("--backend", "numba")),
    (["run", "coba", "--set", "nope=1"], ("--set", "nope", "n_neurons")),
    (["run", "coba", "--set", "tau=nan"], ("--set", "tau")),
    (["run", "coba", "--set", "duration=nan"], ("duration", "finite")),
    (["run", "coba", "--set", "n_neurons=-5"], ("n_neurons", ">= 10")),
    (["run", "coba", "--set", "n_neurons=abc"], ("n_neurons", "integer")),
    (["run", "coba", "--set", "x"], ("--set", "NAME=VALUE")),
    (["run", "coba", "--seed", "-1"], ("--seed", "0")),
    (["run", "coba", "--seed", "1.5"], ("--seed", "integer")),
    (["run", "coba", "--input", "does/not/exist.json"], ("--input", "readable file")),
    (["run", "coba", "--bogus"], ("--bogus", "--seed")),
    (["run", "coba", "--seed"], ("--seed",)),
    (["run"], ("MODEL", "coba")),
    (["no-such-command"], ("command", "run")),
    (["run", "coba", "--device", "tpu"], ("--device", "cuda")),
    (["run", "coba", "--device", "cuda"], ("--device", "torch")),
    (["run", "coba", "--set", "duration=0.15"], ("duration", "dt")),
    (["list", "nope"], ("model",)),
]


@pytest.mark.parametrize("args,names", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_user_errors_are_one_line_in_process(args, names, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert_one_error_line(result.stderr, *names)
    assert result.stdout == ""
    written = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert written == [], "a rejected run must not write results"


@pytest.mark.parametrize("args,names", [ERRORS[0], ERRORS[1], ERRORS[4], ERRORS[8], ERRORS[10], ERRORS[11]],
                         ids=["model", "backend", "nan", "seed", "input", "option"])
def test_user_errors_are_one_line_as_a_subprocess(args, names, tmp_path):
    completed = shell(*args, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert_one_error_line(completed.stderr, *names)
    assert completed.stdout == ""


def test_failed_run_keeps_the_files_already_written(tmp_path, monkeypatch):
    from biomem import plotting

    def broken(*args, **kwargs):
        raise BiomemError("rate_histogram", "simulated failure", "nothing")

    monkeypatch.setattr(plotting, "rate_histogram", broken)
    result = invoke("run", "coba", *SMALL, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "rate_histogram")
    assert (tmp_path / "coba_raster.png").read_bytes()[:8] == PNG_MAGIC


def test_write_failure_is_one_line_and_keeps_metrics(tmp_path, monkeypatch):
    from biomem.cli import output

    original = output.write_json

    def failing(path, data, **kwargs):
        if Path(path).name == "spikes.json":
            raise OSError(28, "No space left on device")
        return original(path, data, **kwargs)

    monkeypatch.setattr(output, "write_json", failing)
    result = invoke("run", "coba", *SMALL, "--json", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "--out", "spikes.json")
    assert json.loads((tmp_path / "metrics.json").read_text())["n_neurons"] == 400
    assert not (tmp_path / "spikes.json").exists()


def test_keyboard_interrupt_exits_130(tmp_path, monkeypatch):
    simulate_module = sys.modules["biomem.simulate"]  # the name biomem.simulate is the function

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(simulate_module, "simulate", interrupted)
    result = invoke("run", "coba", *SMALL, "--out", str(tmp_path))
    assert result.exit_code == 130
    lines = result.stderr.splitlines()
    assert lines == ["error: interrupted"]


def test_set_values_are_never_evaluated(tmp_path):
    result = invoke("run", "coba", "--set", "n_neurons=__import__('os').getpid()", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert_one_error_line(result.stderr, "n_neurons")


# --------------------------------------------------------------------------- optional commands


def test_optional_command_modules(monkeypatch):
    import importlib

    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name == "biomem.cli.theory":
            def register(app):
                @app.command("fake-theory")
                def _fake():
                    print("theory ran")
            return types.SimpleNamespace(register=register)
        if name == "biomem.cli.sweep":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name == "biomem.cli.export":
            return types.SimpleNamespace(register=lambda app: None)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    app = typer.Typer(cls=cli.BiomemGroup)
    app.command("noop")(lambda: None)
    assert cli.register_optional_commands(app) == ["theory", "export"]
    result = CliRunner().invoke(app, ["fake-theory"])
    assert result.exit_code == 0 and "theory ran" in result.stdout

    def broken(name, *args, **kwargs):
        if name == "biomem.cli.theory":
            raise ModuleNotFoundError("No module named 'some_dependency'", name="some_dependency")
        return fake(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        cli.register_optional_commands(typer.Typer())
