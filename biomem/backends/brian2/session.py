"""Brian2 global state, set for one run and restored afterwards.

Brian2 keeps its preferences, its log handler and its active device in module globals. A
run sets what exact reproduction of the Numba kernel needs and puts everything back, so a
later run (Brian2 or not, any target or device) starts from what it found.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile

import numpy as np

#: Compiler flags for Cython and C++ standalone: Brian2's defaults add -ffast-math and
#: -march=native, which reassociate and fuse floating-point operations; the kernel is IEEE.
EXACT_COMPILE_ARGS = ["-w", "-O3", "-ffp-contract=off", "-fno-fast-math", "-std=c++11"]

TARGETS = ("numpy", "cython")


@contextlib.contextmanager
def configured(target: str = "numpy"):
    """Preferences for one exact run on the runtime code-generation ``target``; quiet logs."""
    from brian2 import prefs

    wanted = {
        "codegen.target": target,
        # The optimiser rewrites a / b as (1 / b) * a and regroups products, which changes
        # rounding; the equations are already written as the kernel computes them.
        "codegen.loop_invariant_optimisations": False,
        "codegen.cpp.extra_compile_args_gcc": list(EXACT_COMPILE_ARGS),
        "core.default_float_dtype": np.float64,
    }
    saved = {name: prefs[name] for name in wanted}
    try:
        for name, value in wanted.items():
            prefs[name] = value
        with quiet():
            yield
    finally:
        for name, value in saved.items():
            prefs[name] = value


@contextlib.contextmanager
def quiet():
    """Brian2's console log at WARNING (its default is INFO) for the duration of a run."""
    from brian2.utils.logger import BrianLogger

    handler = BrianLogger.console_handler
    if handler is None:
        yield
        return
    level = handler.level
    handler.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        handler.setLevel(level)


@contextlib.contextmanager
def standalone(directory: str | None = None):
    """The cpp_standalone device, active inside the block, built in ``directory``.

    Without ``directory`` the project goes to a fresh temporary folder, removed afterwards.
    The device is reinitialised before and after, so one process can build any number of
    standalone projects, and the device active before (normally runtime) comes back.
    """
    from brian2.devices.device import all_devices, reset_device, set_device

    device = all_devices["cpp_standalone"]
    temporary = directory is None
    path = tempfile.mkdtemp(prefix="biomem_brian2_") if temporary else str(directory)
    device.reinit()
    set_device("cpp_standalone", build_on_run=True, directory=path, with_output=False)
    try:
        yield path
    finally:
        device.reinit()
        reset_device()
        if temporary:
            shutil.rmtree(path, ignore_errors=True)
