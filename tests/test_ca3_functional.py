"""The CA3 memory reproduces the authors' SpiNNaker recording of the functional experiment."""

from __future__ import annotations

import pytest

from biomem import simulate
from biomem.models.ca3 import POPULATIONS, CA3Memory, IdealCAM, build_network
from biomem.models.ca3 import workloads


@pytest.fixture(scope="module")
def numba_spikes(ca3_reference) -> dict:
    network = build_network(ca3_reference["cue_size"], ca3_reference["content_size"], ca3_reference["cue"],
                            ca3_reference["cont"])
    return simulate(network, ca3_reference["simTime"], dt=1.0, backend="numba").spikes_json()


@pytest.mark.parametrize("population", POPULATIONS)
def test_numba_equals_spinnaker_table(population, numba_spikes, ca3_reference):
    assert numba_spikes[population] == ca3_reference["expected_spikes"][population]


def test_numba_equals_spinnaker_table_at_every_step(numba_spikes, ca3_reference):
    """Step by step over all populations, so a failure names the first step that differs."""
    def by_step(table):
        steps = {}
        for population, pairs in table.items():
            for time, index in pairs:
                steps.setdefault(time, set()).add((population, index))
        return steps

    got, expected = by_step(numba_spikes), by_step(ca3_reference["expected_spikes"])
    for step in range(ca3_reference["simTime"]):
        assert got.get(step, set()) == expected.get(step, set()), f"step {step} ms"


def test_the_schedule_of_the_functional_experiment_is_the_recorded_testbench(ca3_reference):
    from biomem.models.ca3 import schedule

    testbench = schedule(workloads.functional(), 5, 10, spacing=10).testbench
    assert testbench.to_dict() == {key: ca3_reference[key] for key in ("simTime", "cue", "cont")}


def test_functional_experiment_answers_on_every_backend(backend):
    """Through the learn/recall API, every backend answers the functional experiment ideally."""
    memory = CA3Memory(5, 10, backend=backend)
    memory.extend(workloads.functional())
    assert memory.run() == IdealCAM(5, 10).run(workloads.functional())
