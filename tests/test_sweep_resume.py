"""A sweep killed with SIGKILL at a random point and resumed equals an uninterrupted sweep."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from biomem.sweep import runner

ROOT = Path(__file__).resolve().parents[1]
GRID = ["alpha=0.01:0.1:4", "T=0.2:0.8:3"]
# Points must take long enough (~0.3 s each) for the kill to land mid-sweep on an idle machine.
SETS = ["N=1500", "sweeps=600"]


def _command(out: Path, resume: bool = False) -> list[str]:
    entry = ["-m", "biomem.cli.main", "sweep"] if (ROOT / "biomem" / "cli" / "main.py").exists() \
        else ["-m", "biomem.sweep"]
    args = [sys.executable, *entry, "hopfield", "--method", "montecarlo", "--out", str(out), "--seed", "4",
            "--quiet", "--no-plot"]
    for g in GRID:
        args += ["--grid", g]
    for s in SETS:
        args += ["--set", s]
    return args + (["--resume"] if resume else [])


def _done(out: Path) -> int:
    try:
        import zarr
        return int(np.asarray(zarr.open_group(str(out), mode="r")["done"][...]).sum())
    except Exception:            # not created yet, or caught between two files
        return 0


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    out, reference = tmp_path / "killed.zarr", tmp_path / "reference.zarr"
    target = random.SystemRandom().randint(1, 6)           # kill after this many of 12 points
    process = subprocess.Popen(_command(out), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while _done(out) < target and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = _done(out)
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    assert 1 <= finished < 12, f"killed after {finished} points (target {target})"
    with xr.open_zarr(out) as ds:
        before = ds.load()
    resumed = subprocess.run(_command(out, resume=True), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    runner.run("hopfield", "montecarlo", GRID, SETS, reference, seed=4, plot=False)
    with xr.open_zarr(out) as a, xr.open_zarr(reference) as b:
        a, b = a.load(), b.load()
    xr.testing.assert_identical(a, b)
    # the points finished before the kill still hold their values
    done = before["done"].values
    np.testing.assert_array_equal(a["m"].values[done], before["m"].values[done])
    assert not list(out.rglob("*.partial"))


def test_cli_errors_are_one_line(tmp_path):
    entry = ["-m", "biomem.cli.main"] if (ROOT / "biomem" / "cli" / "main.py").exists() else ["-m", "biomem.sweep"]
    sweep = [] if entry[-1] == "biomem.sweep" else ["sweep"]
    bad = subprocess.run([sys.executable, *entry, *sweep, "hopfield", "--method", "theory", "--grid", "T=-1:1:3",
                          "--out", str(tmp_path / "x.zarr")], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "T" in lines[0]
