"""Operations, their layout as input spikes, and decoding answers from output spikes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from biomem.errors import BiomemError
from biomem.models.ca3 import workloads
from biomem.models.ca3.decode import Answer, decode, read_times, stray_spikes
from biomem.models.ca3.operations import (Learn, RecallByContent, RecallByCue, TightSpacingWarning, content_bits,
                                          operations_from_testbench, schedule)
from biomem.models.ca3.testbench import Testbench


def test_schedule_lays_operations_out_as_the_card_says():
    planned = schedule([Learn(1, {0, 2}), RecallByCue(1), RecallByContent({2})], 3, 4, spacing=12, start=5)
    assert planned.starts == (5, 17, 29)
    assert planned.testbench.to_dict() == {"simTime": 41, "cue": [[], [5, 6, 7, 17], []],
                                           "cont": [[5, 6, 7], [], [5, 6, 7, 29], []]}


def test_short_runs_last_until_the_last_output():
    planned = schedule([RecallByCue(0)], 2, 1, spacing=3)
    assert planned.testbench.sim_time == 8  # output at t + 7 at the latest


def test_spacing_below_the_authors_minimum_warns():
    with pytest.warns(TightSpacingWarning, match="7 ms after a learn"):
        schedule([Learn(0, {0}), RecallByCue(0)], 2, 1, spacing=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schedule([RecallByCue(0), Learn(0, {0})], 2, 1, spacing=6)  # 6 ms after a recall is allowed
        schedule([Learn(0, {0}), RecallByCue(0)], 2, 1, spacing=7)


@pytest.mark.parametrize("call, message", [
    (lambda: schedule([Learn(0, {0})], 2, 1, spacing=2), "spacing: out of range"),
    (lambda: schedule([], 2, 1), "operations: none given"),
    (lambda: schedule([Learn(2, {0})], 2, 1), "cue: index 2 out of range"),
    (lambda: schedule([Learn(0, set())], 2, 1), "content: is empty"),
    (lambda: schedule([RecallByContent({3})], 2, 3), "fragment: bit index 3 out of range"),
    (lambda: schedule(["learn"], 2, 1), "operation: not an operation"),
    (lambda: Learn(0, "0110"), "content: expected a set of bit indices"),
    (lambda: Learn(0, [0.5]), "content: bit index 0.5 is not an integer"),
    (lambda: content_bits("012", 3), "content: bit string '012' is not 3 characters of 0 and 1"),
])
def test_bad_operations_are_one_line(call, message):
    with pytest.raises(BiomemError) as caught:
        call()
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


@pytest.mark.parametrize("value", [{1, 3}, [3, 1, 1], "0101", np.array([False, True, False, True]),
                                   [False, True, False, True]])
def test_content_bits_accepts_indices_bit_strings_and_masks(value):
    assert content_bits(value, 4) == frozenset({1, 3})


def test_operations_are_read_back_from_their_testbench():
    rng = np.random.default_rng(3)
    operations = workloads.random_operations(rng, 6, 7, 40)
    planned = schedule(operations, 6, 7, spacing=10)
    recovered, unrecognised = operations_from_testbench(planned.testbench)
    assert unrecognised == []
    assert recovered.operations == planned.operations and recovered.starts == planned.starts


def test_patterns_that_form_no_operation_are_reported():
    testbench = Testbench(40, [[0, 20], [0, 30]], [[20], [30, 31]])
    planned, unrecognised = operations_from_testbench(testbench)
    # t=0: two cues at once; t=20: cue with content once (not a 3-step learn); t=30: cue+bits followed
    # by more input; t=31: a bit alone, with nothing after it, is a recall by content.
    assert unrecognised == [0, 20, 30]
    assert planned.operations == (RecallByContent({1}),) and planned.starts == (31,)


def test_decoder_reads_each_output_at_its_time():
    planned = schedule([Learn(0, {1}), RecallByCue(0), RecallByContent({1})], 2, 3, spacing=10)
    spikes = {
        # learn at 0: echo at 5 and 7; the old-content replay at 6 is not read
        "OUTcue": [[5, 0], [7, 0], [15, 0], [16, 1], [26, 0], [27, 1]],
        "OUTcont": [[5, 1], [6, 2], [7, 1], [16, 1], [15, 2], [25, 1], [26, 2]],
    }
    answers = decode(spikes, planned)
    assert answers == [Answer({0}, {1}), Answer({0}, {1}), Answer({0}, {1})]
    # recall by cue reads its content at t+6 only, by content its cues at t+6 only
    assert stray_spikes(spikes, planned) == [("OUTcue", 16, 1), ("OUTcue", 27, 1), ("OUTcont", 15, 2),
                                             ("OUTcont", 26, 2)]


def test_decoder_tolerance_widens_the_read_times_but_never_reads_the_replay():
    planned = schedule([Learn(0, {1}), RecallByCue(0)], 2, 3, spacing=10)
    spikes = {"OUTcue": [[4, 0], [15, 0]], "OUTcont": [[6, 2], [8, 1], [17, 1]]}
    assert decode(spikes, planned) == [Answer(set(), set()), Answer({0}, set())]
    assert decode(spikes, planned, tolerance=1) == [Answer({0}, {1}), Answer({0}, {1})]


def test_read_times_follow_the_card():
    assert read_times(Learn(0, {1}), 10) == ((15, 17), (15, 17))
    assert read_times(RecallByCue(0), 10) == ((15,), (16,))
    assert read_times(RecallByContent({1}), 10) == ((16,), (15,))


def test_perturb_deletes_and_jitters_inside_the_run():
    testbench = schedule(workloads.functional(), 5, 10).testbench
    rng = np.random.default_rng(0)
    assert workloads.perturb(testbench, rng) == testbench
    assert workloads.perturb(testbench, rng, p_delete=1.0).spike_count() == 0
    jittered = workloads.perturb(testbench, rng, jitter=2)
    assert jittered.sim_time == testbench.sim_time and jittered.spike_count() <= testbench.spike_count()


def test_pyramidal_workload_has_sixty_operations_with_complemented_phases():
    operations = workloads.pyramidal(5, 10)
    assert len(operations) == 60
    learns = [op for op in operations if isinstance(op, Learn)]
    assert [len(op.content) for op in learns[:5]] == [1, 3, 5, 7, 9]
    assert all(a.content == frozenset(range(10)) - b.content for a, b in zip(learns[5:10], learns[:5]))
    assert [op.content for op in learns[10:]] == [op.content for op in learns[:5]]
