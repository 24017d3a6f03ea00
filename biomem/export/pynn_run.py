"""Running generated PyNN scripts on a simulator and reading back their spikes.

:func:`run_scripts` imports each script in one subprocess per simulator (PyNN and NEST are
imported once for all of them), calls the script's own ``run(simulator, None, timing)``, and
returns the spikes it recorded in biomem's ``spikes.json`` format (``{population: [[time_ms,
index], ...]}``, times already converted to biomem's step convention by the script). The
subprocess may be another interpreter (``python=``), e.g. an environment whose packages
conflict with biomem's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from biomem.errors import BiomemError

#: The simulators a generated script can run on (``--simulator``).
SIMULATORS = ("nest", "brian2", "spiNNaker")
_SIMULATOR_PACKAGES = {"nest": "nest", "brian2": "brian2", "spiNNaker": "spynnaker"}

# Runs in the subprocess: argv = simulator, JSON list of script paths, output path, timing.
_RUNNER = r'''
import importlib.util, json, sys, traceback
simulator, listing, out = sys.argv[1], sys.argv[2], sys.argv[3]
timing = None if sys.argv[4] == "default" else sys.argv[4]
results = {}
for k, path in enumerate(json.load(open(listing))):
    spec = importlib.util.spec_from_file_location(f"biomem_script_{k}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        results[path] = {"spikes": module.run(simulator, None, timing)}
    except Exception as error:  # reported per script
        results[path] = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
json.dump(results, open(out, "w"))
'''


def run_scripts(paths, simulator: str = "nest", *, timing: str | None = None, python: str | None = None,
                timeout: float = 600) -> dict:
    """Run generated scripts in ONE subprocess per simulator and return their spikes.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Scripts written by :func:`biomem.export.pynn_export.export`.
    simulator : str, optional
        One of :data:`SIMULATORS`.
    timing : str, optional
        ``"aligned"`` or ``"native"``; default: the script's own (aligned on NEST and Brian2).
    python : str, optional
        The interpreter to run them with (default: this one).
    timeout : float, optional
        Seconds for all the scripts together.

    Returns
    -------
    dict
        ``{resolved path: spikes}``, spikes as ``{population: [[time_ms, index], ...]}``.

    Raises
    ------
    BiomemError
        For an unknown simulator, a runner that failed (e.g. the simulator is not installed), or
        a script that raised (its message is given).
    """
    if simulator not in SIMULATORS:
        raise BiomemError("simulator", f"unknown simulator {simulator!r}", ", ".join(SIMULATORS))
    paths = [str(Path(p).resolve()) for p in paths]
    with tempfile.TemporaryDirectory(prefix="biomem-pynn-") as folder:
        listing = Path(folder) / "scripts.json"
        listing.write_text(json.dumps(paths))
        result = Path(folder) / "spikes.json"
        env = dict(os.environ)
        env.setdefault("PYNN_NEST_QUIET", "1")
        completed = subprocess.run([python or sys.executable, "-c", _RUNNER, simulator, str(listing), str(result),
                                    timing or "default"],
                                   cwd=folder, capture_output=True, text=True, timeout=timeout, env=env)
        if completed.returncode != 0 or not result.exists():
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no output"]
            raise BiomemError(f"pynn ({simulator})", f"the script runner failed: {tail[0]}",
                              f"an installed pyNN.{simulator.lower()} backend")
        data = json.loads(result.read_text())
    out = {}
    for path in paths:
        entry = data[path]
        if "error" in entry:
            raise BiomemError(f"pynn ({simulator})", f"{Path(path).name}: {entry['error']}", None)
        out[path] = entry["spikes"]
    return out


def simulator_available(simulator: str) -> bool:
    """Whether PyNN and the simulator's package are importable in this interpreter.

    Parameters
    ----------
    simulator : str
        One of :data:`SIMULATORS`.

    Returns
    -------
    bool
        True when ``pyNN`` and the simulator's own package (``nest``, ``brian2`` or ``spynnaker``)
        can be imported.
    """
    module = _SIMULATOR_PACKAGES[simulator]
    return importlib.util.find_spec("pyNN") is not None and importlib.util.find_spec(module) is not None
