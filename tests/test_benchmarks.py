"""The benchmark suite's harness: ``python -m benchmarks --quick`` once, its report and figures.

Quick mode runs every case at tiny sizes; nothing here looks at a timing, only at what the suite
produced: rows for every case, a section per case, a verdict per target, the PNGs it links.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.__main__ import CASES  # noqa: E402
from benchmarks.report import MARKER  # noqa: E402

VERDICTS = {"hit", "missed", "not measured"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The report, the JSON of every case and the figures folder of one quick run."""
    folder = tmp_path_factory.mktemp("bench")
    out, data = folder / "benchmarks.md", folder / "all.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out), "--json", str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return out.read_text(), json.loads(data.read_text()), folder / "figures" / "benchmarks"


@pytest.mark.slow
def test_every_case_produced_rows(quick):
    _, data, _ = quick
    runs = {run["case"]: run for run in data["runs"]}
    assert set(runs) == set(CASES)
    for case, run in runs.items():
        assert run["status"] == "ok", (case, run["error"], run["tail"])
        assert run["rows"], case


@pytest.mark.slow
def test_report_has_a_section_per_case(quick):
    text, _, _ = quick
    for case in CASES:
        assert MARKER.format(case) in text, case
        after = text.split(MARKER.format(case), 1)[1]
        heading = next(line for line in after.splitlines() if line.startswith("## "))
        assert "not measured" not in heading, heading
    for heading in ("## Machine", "## Targets", "## Cases"):
        assert heading in text


@pytest.mark.slow
def test_targets_table_has_a_verdict_per_target(quick):
    text, data, _ = quick
    assert data["targets"], "no case reported a target"
    table = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| case ")]
    assert len(rows) == len(data["targets"])
    for row, target in zip(rows, data["targets"]):
        assert target["verdict"] in VERDICTS
        assert row.rstrip(" |").endswith(f"**{target['verdict']}**"), row


@pytest.mark.slow
def test_linked_figures_exist(quick):
    text, _, figures = quick
    linked = re.findall(r"\]\(figures/benchmarks/([\w.-]+\.png)\)", text)
    assert {"ca3.png", "hebbian.png", "kuramoto.png"} <= set(linked)
    for name in linked:
        assert (figures / name).is_file() and (figures / name).stat().st_size > 0, name


@pytest.mark.slow
def test_gpu_rows_say_why_they_are_missing(quick):
    text, data, _ = quick
    if data["machine"]["gpu"] is None:
        assert "not measured: no GPU on this machine" in text
    else:
        assert data["machine"]["gpu"] in text


@pytest.mark.parametrize("model", ["coba", "cuba"])
def test_anchor_constants_equal_biomems_networks(model):
    """The anchors (Brian2, NEST, snnTorch) are written without biomem; their hand-copied constants
    must still be the ones biomem's COBA and CUBA networks use, or the comparison is not like for like."""
    from benchmarks.anchors.params import mismatches

    assert mismatches(model) == []
