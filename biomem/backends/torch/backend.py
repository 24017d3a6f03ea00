"""The snnTorch/PyTorch backend: lowered networks as ``nn.Module`` s, one trial or a batch.

Precision: on CPU the default dtype is float64 and results equal the Numba kernel's (the
same spike steps; weights and traces to rounding, in practice bit for bit: the operations
are the kernel's, in its order, without fused multiply-adds; only ``exp`` may differ in the
last bit). On CUDA the default is float32, which is faster but rounds differently: a spike
that crosses threshold by less than float32 resolution may move, so compare CUDA float32
runs statistically. ``dtype=torch.float64`` on CUDA is exact up to the order of
simultaneous arrivals at one neuron, which CUDA's atomic ``index_add_`` does not fix.

The run is event-driven (see :mod:`biomem.backends.torch.synapses`): on CUDA each step
synchronises once to learn which neurons spiked, so small networks run faster on CPU; the
GPU pays off for large networks and large batches.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import torch

from biomem.backends.base import Backend, RawRun
from biomem.backends.torch.batch import check_topology, trials_from
from biomem.backends.torch.network import SpikingNetwork
from biomem.backends.torch.surrogate import SURROGATES
from biomem.description.lowered import LoweredNetwork
from biomem.errors import BiomemError

_DTYPES = {"float32": torch.float32, "float64": torch.float64, torch.float32: torch.float32,
           torch.float64: torch.float64}


class TorchBackend(Backend):
    """PyTorch engine: ``device`` "cpu" or "cuda" (or "cuda:N"), ``dtype`` float64/float32 (None: float64
    on CPU, float32 on CUDA), ``threads`` CPU threads during a run (None: see :meth:`_threads`).
    :meth:`run_batch` runs B trials of one topology in one pass; :meth:`module` gives the
    ``nn.Module`` itself, optionally with surrogate gradients."""

    name = "torch"
    requires = ("torch", "snntorch")
    description = "PyTorch tensors (CPU or CUDA), batched trials, snnTorch surrogate gradients"

    def __init__(self, device: str = "cpu", dtype=None, threads: int | None = None):
        try:
            self.device = torch.device(device)
        except (RuntimeError, TypeError):
            raise BiomemError("device", f"unknown device {device!r}", "'cpu', 'cuda' or 'cuda:N'") from None
        if self.device.type not in ("cpu", "cuda"):
            raise BiomemError("device", f"unsupported device {device!r}", "'cpu', 'cuda' or 'cuda:N'")
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise BiomemError("device", "CUDA is not available on this machine", "'cpu'")
        if dtype is None:
            dtype = torch.float64 if self.device.type == "cpu" else torch.float32
        if not isinstance(dtype, (str, torch.dtype)) or dtype not in _DTYPES:
            raise BiomemError("dtype", f"unsupported dtype {dtype!r}", "float64 or float32")
        self.dtype = _DTYPES[dtype]
        if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
            raise BiomemError("threads", f"{threads!r} is not a positive integer", "None or an integer >= 1")
        self.threads = threads

    def run(self, network: LoweredNetwork) -> RawRun:
        return self.run_batch([network])[0]

    def run_batch(self, trials) -> list[RawRun]:
        """Run B trials of one topology (they may differ in ``v_init``, source spikes and
        ``syn_weight`` only) in one batched pass; results equal running each trial alone.

        Each RawRun reports the whole batch's ``build_s`` and ``sim_s``.
        """
        trials = check_topology(trials)
        started = time.perf_counter()
        with torch.inference_mode(), self._threads(len(trials) * trials[0].n_neurons):
            network = SpikingNetwork(trials, self.device, self.dtype)
            built = time.perf_counter()
            out = network()
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)
            finished = time.perf_counter()
            return _raw_runs(trials[0], out, built - started, finished - built)

    def run_trials(self, network: LoweredNetwork, *, v_init=None, weights=None, source_spikes=None) -> list[RawRun]:
        """B trials of ``network`` with per-trial overrides (see :func:`biomem.backends.torch.batch.trials_from`)."""
        return self.run_batch(trials_from(network, v_init=v_init, weights=weights, source_spikes=source_spikes))

    def module(self, trials, differentiable: bool = False, surrogate: str = "fast_sigmoid",
               slope: float | None = None) -> SpikingNetwork:
        """The ``nn.Module`` of ``trials`` (a LoweredNetwork or a list of them) on this backend's device.

        With ``differentiable=True``, ``module.weight`` (B, S) is a parameter and
        ``module().spike_counts`` can be backpropagated to it through snnTorch's surrogate
        gradient ``surrogate`` ("fast_sigmoid" or "atan", ``slope`` its steepness).
        """
        if surrogate not in SURROGATES:
            raise BiomemError("surrogate", f"unknown surrogate {surrogate!r}", ", ".join(SURROGATES))
        if isinstance(trials, LoweredNetwork):
            trials = [trials]
        return SpikingNetwork(trials, self.device, self.dtype, differentiable, surrogate, slope)

    @contextmanager
    def _threads(self, size: int):
        """CPU intra-op threads for the run: ``threads``, or by default one thread while a step's
        tensors are small (below 2**20 neuron-trials; measured on 2 cores, 1024 x 100 neurons ran 3x
        slower on two threads than on one): splitting them costs more than it saves,
        and a busy machine stalls every parallel region. Restored afterwards."""
        previous = torch.get_num_threads()
        wanted = self.threads or (1 if size < 1 << 20 else previous)
        if self.device.type != "cpu" or wanted == previous:
            yield
            return
        torch.set_num_threads(wanted)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


def _raw_runs(lowered: LoweredNetwork, out, build_s: float, sim_s: float) -> list[RawRun]:
    n = lowered.n_neurons
    trial, neuron = np.divmod(out.spike_flat, n)
    weights = out.final_weights.detach().to(torch.float64).cpu().numpy()
    state = {key: trace.detach().to(torch.float64).cpu().numpy() for key, trace in out.state.items()}
    trace_w = (out.weight_trace.detach().to(torch.float64).cpu().numpy() if out.weight_trace is not None
               else None)
    runs = []
    for b in range(weights.shape[0]):
        mine = trial == b
        traces = {}
        if trace_w is not None:
            offset = 0
            for projection in lowered.projections:
                if projection.record_weights:
                    size = projection.stop - projection.start
                    traces[projection.label] = trace_w[:, b, offset:offset + size].copy()
                    offset += size
        runs.append(RawRun(out.spike_steps[mine], neuron[mine], weights[b].copy(),
                           {key: array[:, b, :].copy() for key, array in state.items()}, traces,
                           build_s=build_s, sim_s=sim_s))
    return runs
