"""The Brian2 backends: runtime mode (``brian2``) and C++ standalone (``brian2-standalone``).

Both build the same objects (see :mod:`biomem.backends.brian2.builder` and the schedule in
:mod:`biomem.backends.brian2.equations`) and reproduce the Numba kernel step for step.
"""

from __future__ import annotations

import time

from biomem.backends.base import Backend, RawRun
from biomem.backends.brian2 import builder, session
from biomem.description.lowered import LoweredNetwork
from biomem.errors import BiomemError


def _raw(built: builder.Built, lowered: LoweredNetwork, started: float, sim_s: float, ran: float) -> RawRun:
    steps, neurons, weights, state, traces = built.collect(lowered)
    return RawRun(steps, neurons, weights, state, traces, build_s=max(ran - started - sim_s, 0.0), sim_s=sim_s)


def _last_run_time(fallback: float) -> float:
    from brian2 import get_device

    value = getattr(get_device(), "_last_run_time", None)
    return float(value) if value is not None else fallback


class Brian2Backend(Backend):
    """Brian2 in runtime mode.

    ``target="numpy"`` (default) generates NumPy code, nothing to compile; ``target="cython"``
    compiles each code object with Cython (slow the first time, then cached by Brian2 in
    ``~/.cython/brian_extensions``; faster for long runs). Both are built with IEEE-exact
    settings, restored afterwards.

    ``build_s`` is construction plus code generation, ``sim_s`` Brian2's own time for the
    simulation loop.
    """

    name = "brian2"
    requires = ("brian2",)
    description = "Brian2 runtime mode (numpy code generation, or Cython with target='cython')"

    def __init__(self, target: str = "numpy"):
        if target not in session.TARGETS:
            raise BiomemError("target", f"unknown Brian2 runtime target {target!r}", ", ".join(session.TARGETS))
        self.target = target

    def run(self, network: LoweredNetwork) -> RawRun:
        started = time.perf_counter()
        with session.configured(self.target):
            built = builder.build(network)
            before = time.perf_counter()
            built.network.run(built.duration(network))
            ran = time.perf_counter()
            return _raw(built, network, started, _last_run_time(ran - before), ran)


class Brian2StandaloneBackend(Backend):
    """Brian2's cpp_standalone device: the network is generated as a C++ project, compiled, run.

    ``directory`` keeps the project there (a later run of a similar network then recompiles
    only what changed); by default a temporary folder is used and removed. Each run resets
    the device before and after, so several standalone runs can follow in one process and
    the runtime device is active again afterwards.

    ``build_s`` is construction plus code generation and compilation, ``sim_s`` the time the
    compiled binary measured for its simulation loop.
    """

    name = "brian2-standalone"
    requires = ("brian2",)
    description = "Brian2 C++ standalone (compiled per run; ~20 s of compilation)"

    def __init__(self, directory: str | None = None):
        self.directory = directory

    def run(self, network: LoweredNetwork) -> RawRun:
        started = time.perf_counter()
        with session.configured(), session.standalone(self.directory):
            built = builder.build(network)
            before = time.perf_counter()
            built.network.run(built.duration(network))
            ran = time.perf_counter()
            return _raw(built, network, started, _last_run_time(ran - before), ran)
