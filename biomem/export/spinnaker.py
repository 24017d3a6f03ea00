"""Export to SpiNNaker: the PyNN script (run with ``--simulator spiNNaker``) plus resources.

The script is :mod:`biomem.export.pynn_export`'s; on SpiNNaker it keeps STDP with sPyNNaker's
absolute amplitudes (see shared/reference/ca3_cam.md: the hardware's closed-form update and
STDP order are exactly what biomem's numba kernel does with ``STDP(variant="spinnaker")``).

Resources come from two places:

- biomem's own mapper with ``hardware/spinnaker.toml`` (256 neurons per core, sources on cores,
  delay-extension cores for delays beyond 16 steps, 16 application cores per chip, 48 chips per
  board), always;
- sPyNNaker's real mapping (partition, place, route) on a *virtual* SpiNN-5 board, when the
  ``spynnaker`` package is importable or ``BIOMEM_SPYNNAKER_PYTHON`` names a Python that has it.
  sPyNNaker 7.4.1 pulls numpy 2.4, which Brian2 2.9 cannot use, so it lives in its own
  environment: ``make -f Makefile.spinnaker venv`` builds ``.venv-spinnaker`` and
  ``make test-spinnaker`` runs the tests with ``BIOMEM_SPYNNAKER_PYTHON`` pointing at it. Without
  either the report says ``"spynnaker": "not installed"``; with the variable set, a broken
  interpreter or a failed mapping is an error, never "not installed".

The mapping runs in a scratch folder that also serves as sPyNNaker's home: sPyNNaker insists on a
user configuration file (``~/.spynnaker.cfg`` or the XDG configuration folders; with none it writes
a template into the home folder and stops), so ``HOME``, ``XDG_CONFIG_HOME`` and
``XDG_CONFIG_DIRS`` point into the scratch folder, whose ``.spynnaker.cfg`` sets
``virtual_board = True`` and ``version = 5``. The user's own configuration (which may name a
real machine) is neither read nor written, and the reports sPyNNaker writes vanish with the folder.
A virtual board records no data: this checks resources and placement, not dynamics.
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

#: Environment variable naming a Python interpreter that has sPyNNaker (e.g. .venv-spinnaker/bin/python).
PYTHON_VARIABLE = "BIOMEM_SPYNNAKER_PYTHON"

# sPyNNaker's user configuration: a virtual SpiNN-5 board, and nothing that names a real machine.
_CONFIG = """[Machine]
virtual_board = True
version = 5
machineName = None
spalloc_server = None
"""

_MAPPER = r'''
import importlib.util, json, sys
path, out = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("biomem_spinnaker_script", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import pyNN.spiNNaker as sim
network = module.NETWORK
dt = network["dt"]
sim.setup(timestep=dt, min_delay=dt)
module.build(sim, "spiNNaker", "native")
sim.run(network["duration"])
from spinn_front_end_common.data import FecDataView
placements = None
for name in ("iterate_placemements", "iterate_placements"):
    if hasattr(FecDataView, name):
        placements = list(getattr(FecDataView, name)())
        break
if placements is None:
    placements = list(FecDataView.get_placements().placements)
system = [p for p in placements if (getattr(p.vertex, "label", "") or "").startswith("SYSTEM:")]
application = [p for p in placements if p not in system]
labels = {}
for p in application:
    label = getattr(p.vertex, "label", None) or type(p.vertex).__name__
    labels[label] = labels.get(label, 0) + 1
sim.end()
json.dump({"cores": len(application), "chips": len({(p.x, p.y) for p in application}),
           "system_cores": len(system), "chips_with_system_cores": len({(p.x, p.y) for p in placements}),
           "vertices": labels}, open(out, "w"))
'''


def spynnaker_available() -> bool:
    """Whether sPyNNaker is importable in this interpreter.

    Returns
    -------
    bool
        True when the ``spynnaker`` package can be imported here (it usually lives in
        ``.venv-spinnaker`` instead: see :data:`PYTHON_VARIABLE`).
    """
    return importlib.util.find_spec("spynnaker") is not None


def configured_python() -> str | None:
    """The interpreter named by ``BIOMEM_SPYNNAKER_PYTHON``, if the variable is set.

    Returns
    -------
    str or None
        The variable's value, or None when it is unset or empty.
    """
    return os.environ.get(PYTHON_VARIABLE) or None


def isolated_environment(folder) -> dict:
    """The environment sPyNNaker runs in: its home and configuration folders inside ``folder``.

    Writes ``folder/home/.spynnaker.cfg`` (virtual SpiNN-5 board) and points ``HOME``,
    ``XDG_CONFIG_HOME`` and ``XDG_CONFIG_DIRS`` into ``folder``, so that sPyNNaker finds exactly
    one user configuration, this one, and writes nothing into the user's home.

    Parameters
    ----------
    folder : str or os.PathLike
        An existing scratch folder (removed by the caller afterwards).

    Returns
    -------
    dict
        A copy of ``os.environ`` with the three variables replaced.
    """
    home = Path(folder, "home")
    site = Path(folder, "site-config")
    for path in (home / ".config", site):
        path.mkdir(parents=True, exist_ok=True)
    (home / ".spynnaker.cfg").write_text(_CONFIG)
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CONFIG_DIRS=str(site))
    return env


def virtual_board_mapping(script, *, python: str | None = None, timeout: float = 600, estimate: dict | None = None
                          ) -> dict:
    """Map a generated script with sPyNNaker on a virtual SpiNN-5 board, or say why it was not run.

    Parameters
    ----------
    script : str or os.PathLike
        A PyNN script written by :func:`biomem.export.pynn_export.export`.
    python : str, optional
        The interpreter that has sPyNNaker. Default: the one named by ``BIOMEM_SPYNNAKER_PYTHON``,
        else this one (when sPyNNaker is importable here).
    timeout : float, optional
        Seconds the mapping may take.
    estimate : dict, optional
        The mapping biomem estimates (``Mapping.to_dict()``); when given (not None or empty), the
        result gets an ``"agreement"`` entry (see :func:`agreement`).

    Returns
    -------
    dict
        ``{"spynnaker": "not installed", "note": ...}`` when no interpreter with sPyNNaker was named
        and this one lacks it; otherwise ``cores`` and ``chips`` (application vertices),
        ``system_cores``, ``chips_with_system_cores``, ``vertices`` (cores per vertex label),
        ``"spynnaker": "virtual board (SpiNN-5)"`` and a note.

    Raises
    ------
    BiomemError
        When a named interpreter does not exist or cannot run, or sPyNNaker's mapping fails.
    """
    python = python or configured_python()
    if python is None and not spynnaker_available():
        return {"spynnaker": "not installed",
                "note": f"make -f Makefile.spinnaker venv, then set {PYTHON_VARIABLE}=.venv-spinnaker/bin/python"}
    python = python or sys.executable
    if not (Path(python).is_file() and os.access(python, os.X_OK)):
        raise BiomemError("spinnaker", f"no Python interpreter at {python} ({PYTHON_VARIABLE})",
                          "the path of a Python that has sPyNNaker, e.g. .venv-spinnaker/bin/python")
    script = Path(script).resolve()
    with tempfile.TemporaryDirectory(prefix="biomem-spinnaker-") as folder:
        env = isolated_environment(folder)
        out = Path(folder, "mapping.json")
        try:
            completed = subprocess.run([python, "-c", _MAPPER, str(script), str(out)], cwd=folder, env=env,
                                       capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BiomemError("spinnaker", f"sPyNNaker's virtual-board mapping took over {timeout:g} s",
                              "a working sPyNNaker 7.x installation") from None
        if completed.returncode != 0 or not out.exists():
            lines = (completed.stderr or completed.stdout).strip().splitlines()
            errors = [line.strip() for line in lines if "Error" in line or "Exception" in line]
            tail = errors[-1:] or lines[-1:] or ["no output"]
            raise BiomemError("spinnaker", f"sPyNNaker's virtual-board mapping failed: {tail[0].strip()}",
                              f"a working sPyNNaker 7.x installation ({python})")
        result = json.loads(out.read_text())
    result["spynnaker"] = "virtual board (SpiNN-5)"
    result["note"] = ("cores/chips: application vertices; sPyNNaker adds a monitor core on every chip of the board "
                      "and a packet gatherer (system_cores)")
    if estimate:
        result["agreement"] = agreement(result, estimate)
    return result


def agreement(board: dict, estimate: dict) -> dict:
    """Compare sPyNNaker's virtual-board mapping with biomem's own estimate.

    Parameters
    ----------
    board : dict
        The result of :func:`virtual_board_mapping` (with ``cores`` and ``chips``).
    estimate : dict
        The mapping biomem estimates on the SpiNNaker profile (``Mapping.to_dict()``).

    Returns
    -------
    dict
        ``{"agrees": bool, "cores": {"spynnaker": n, "biomem": m}, "chips": {...}, "statement": str}``;
        the statement names every count that differs.
    """
    counts = {key: {"spynnaker": int(board[key]), "biomem": int(estimate[key])} for key in ("cores", "chips")}
    differing = [f"{key}: sPyNNaker {value['spynnaker']}, biomem {value['biomem']}"
                 for key, value in counts.items() if value["spynnaker"] != value["biomem"]]
    statement = ("sPyNNaker's placement agrees with biomem's estimate (application cores and chips)" if not differing
                 else "sPyNNaker's placement differs from biomem's estimate: " + "; ".join(differing))
    return {"agrees": not differing, **counts, "statement": statement}
