"""Export to SpiNNaker: the PyNN script (run with ``--simulator spiNNaker``) plus resources.

The script is :mod:`biomem.export.pynn_export`'s; on SpiNNaker it keeps STDP with sPyNNaker's
absolute amplitudes (see shared/reference/ca3_cam.md: the hardware's closed-form update and
STDP order are exactly what biomem's numba kernel does with ``STDP(variant="spinnaker")``).

Resources come from two places:

- biomem's own mapper with ``hardware/spinnaker.toml`` (256 neurons per core, sources on cores,
  delay-extension cores for delays beyond 16 steps, 16 application cores per chip, 48 chips per
  board), always;
- sPyNNaker's real mapping (partition, place, route) on a *virtual* SpiNN-5 board, when the
  ``spynnaker`` package is importable: the script is run in a scratch folder whose
  ``spynnaker.cfg`` sets ``virtual_board = True`` and ``version = 5`` (a virtual board records no
  data: this checks resources and placement, not dynamics). sPyNNaker is not installed in the
  project's environment; the report then says ``"spynnaker": "not installed"``. sPyNNaker 7.4.1
  pulls numpy 2.4, which Brian2 2.9 cannot use, so it is best kept in its own environment and named
  by ``BIOMEM_SPYNNAKER_PYTHON=/path/to/python``.
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

_CONFIG = """[Machine]
virtual_board = True
version = 5
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
    """Whether sPyNNaker is importable."""
    return importlib.util.find_spec("spynnaker") is not None


def virtual_board_mapping(script, *, python: str | None = None, timeout: float = 600) -> dict:
    """sPyNNaker's mapping of a generated script on a virtual SpiNN-5 board, or why it was not run.

    ``python`` runs the mapping in another interpreter that has sPyNNaker (default: the one named by
    the environment variable ``BIOMEM_SPYNNAKER_PYTHON``, else this one).
    """
    python = python or os.environ.get("BIOMEM_SPYNNAKER_PYTHON") or None
    if python is None and not spynnaker_available():
        return {"spynnaker": "not installed", "note": "pip install spynnaker (7.x) to map on a virtual board"}
    script = Path(script).resolve()
    with tempfile.TemporaryDirectory(prefix="biomem-spinnaker-") as folder:
        Path(folder, "spynnaker.cfg").write_text(_CONFIG)
        out = Path(folder, "mapping.json")
        completed = subprocess.run([python or sys.executable, "-c", _MAPPER, str(script), str(out)], cwd=folder,
                                   capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0 or not out.exists():
            lines = (completed.stderr or completed.stdout).strip().splitlines()
            errors = [line for line in lines if "Error" in line or "error" in line]
            tail = errors[-1:] or lines[-1:] or ["no output"]
            raise BiomemError("spinnaker", f"sPyNNaker's virtual-board mapping failed: {tail[0]}",
                              "a working sPyNNaker 7.x installation")
        result = json.loads(out.read_text())
    result["spynnaker"] = "virtual board (SpiNN-5)"
    result["note"] = ("cores/chips: application vertices; sPyNNaker adds a monitor core on every chip of the board "
                      "and a packet gatherer (system_cores)")
    return result
