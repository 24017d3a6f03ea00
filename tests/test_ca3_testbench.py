"""The authors' testbench format: validation (one clear line per fault), load and save."""

from __future__ import annotations

import json

import pytest

from biomem.errors import BiomemError
from biomem.models.ca3.testbench import Testbench, load, save

VALID = {"simTime": 20, "cue": [[0, 1, 2], [10]], "cont": [[0, 1, 2], [], [15]]}


def _with(**changes):
    return {**VALID, **changes}


@pytest.mark.parametrize("data, sizes, message", [
    ([1, 2], {}, "testbench: expected a JSON object"),
    ({"simTime": 20, "cue": [[], []]}, {}, "testbench: missing key 'cont'"),
    (_with(simTime="20"), {}, "simTime: expected an integer time in ms"),
    (_with(simTime=0), {}, "simTime: must be at least 1 ms"),
    (_with(simTime=20.5), {}, "simTime: 20.5 is not a whole number of ms"),
    (_with(cue=5), {}, "cue: expected a list of spike-time lists"),
    (_with(cue=[[1], 2]), {}, "cue[1]: expected a list of times"),
    (_with(cue=[["a"], []]), {}, "cue[0]: expected an integer time in ms"),
    (_with(cue=[[True], []]), {}, "cue[0]: expected an integer time in ms"),
    (_with(cue=[[-1], []]), {}, "cue[0]: negative time -1"),
    (_with(cue=[[3, 2], []]), {}, "cue[0]: times are not strictly increasing (3 then 2)"),
    (_with(cont=[[2, 2], [], []]), {}, "cont[0]: times are not strictly increasing (2 then 2)"),
    (_with(cont=[[1.5], [], []]), {}, "cont[0]: 1.5 is not a whole number of ms"),
    (_with(cont=[[], [20], []]), {}, "cont[1]: time 20 is not before simTime = 20"),
    (_with(cue=[[0]]), {}, "cue: has 1 neurons, so cue_size = 1 is too small"),
    (_with(cont=[]), {}, "cont: has 0 neurons, so content_size = 0 is too small"),
    (VALID, {"cue_size": 3}, "cue: has 2 neurons but cue_size = 3"),
    (VALID, {"content_size": 2}, "cont: has 3 neurons but content_size = 2"),
])
def test_invalid_testbench_is_one_clear_line(data, sizes, message):
    with pytest.raises(BiomemError) as caught:
        Testbench.from_dict(data, **sizes)
    text = str(caught.value)
    assert text.startswith(message)
    assert "\n" not in text


def test_valid_testbench_and_its_sizes():
    testbench = Testbench.from_dict(_with(simTime=20.0, cue=[[0.0, 1, 2], [10]]), cue_size=2, content_size=3)
    assert testbench.sim_time == 20 and testbench.cue == ((0, 1, 2), (10,))
    assert (testbench.cue_size, testbench.content_size) == (2, 3)
    assert testbench.spike_count() == 3 + 1 + 3 + 1


def test_save_then_load_round_trips(tmp_path):
    testbench = Testbench.from_dict(VALID)
    path = save(testbench, tmp_path / "bench.json")
    assert json.loads(path.read_text()) == VALID
    assert load(path, cue_size=2, content_size=3) == testbench


def test_reference_table_is_a_testbench(ca3_reference):
    """Extra keys (description, recorded spikes) are ignored."""
    testbench = Testbench.from_dict(ca3_reference, cue_size=5, content_size=10)
    assert testbench.sim_time == 90 and testbench.cue[0] == (0, 1, 2, 30)


@pytest.mark.parametrize("text, message", [("{not json", "input: bench.json is not valid JSON"),
                                           (None, "input: cannot read")])
def test_unreadable_files_are_one_line(tmp_path, text, message):
    path = tmp_path / "bench.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(BiomemError) as caught:
        load(path)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
