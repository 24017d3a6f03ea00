"""Run a sweep: serially, on a Dask ``LocalCluster`` (``workers``) or on a running scheduler.

The machinery is generic: a model configuration's ``[sweep]`` entry for the method names a
function ``point(params: dict, seed: int) -> dict[str, float]``; the runner evaluates it on every
pending grid point and writes each result into the zarr store as soon as it arrives (only this
process writes). An optional ``point.attrs`` dict is copied into the store's attributes.
Resuming computes only points whose ``done`` flag is unset; since a point's seed depends only on
the run seed and its grid indices, a resumed or parallel sweep equals an uninterrupted serial one.

Writes: a finished point is written as soon as it arrives; when points finish faster than
``FLUSH_S`` (0.2 s) apart, those arriving within that interval are written together (one chunk
write per variable instead of one per point), so an interruption loses at most 0.2 s of work.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from biomem.description.validate import choice, integer
from biomem.errors import BiomemError
from biomem.models import registry
from biomem.sweep import grid as grids
from biomem.sweep import store as stores

METHODS = ("theory", "montecarlo")
_ERROR = "__biomem_error__"
FLUSH_S = 0.2           # results finishing faster than this are written together
TASK_S = 0.5            # target duration of one Dask task (fast points are grouped)
CONNECT_TIMEOUT_S = 10  # --scheduler: give up connecting after this long


def compute_point(target: str, where: str, params: dict, seed: int) -> dict[str, float]:
    """Evaluate one point (runs on the workers); values are made plain floats."""
    point = registry.load_entry(target, where)
    try:
        values = point(params, seed)
    except BiomemError as error:      # returned, not raised: its constructor does not unpickle
        return {_ERROR: (error.parameter, error.problem, error.accepted)}
    if not isinstance(values, dict):
        raise BiomemError(where, f"point function returned {type(values).__name__}", "a dict of numbers")
    out = {}
    for key, value in values.items():
        try:
            out[str(key)] = float(value)
        except (TypeError, ValueError):
            raise BiomemError(where, f"output {key!r} is not a number: {value!r}", "numbers") from None
    return out


def compute_points(target: str, where: str, items: list) -> list:
    """Several points in one task: ``[(values, seconds), ...]`` for ``[(params, seed), ...]``."""
    out = []
    for params, seed in items:
        began = time.perf_counter()
        values = compute_point(target, where, params, seed)
        out.append((values, time.perf_counter() - began))
    return out


def _distribute(dask, workers, target, where, grid, seed, pending, buffer, flush) -> None:
    """Keep two tasks per worker in flight; a task holds as many points as take about ``TASK_S``
    (one point per task until the points' duration is known, and always for slow points)."""
    from collections import deque
    from distributed import as_completed
    queue = deque(pending)
    slots = 2 * max(1, len(dask.scheduler_info().get("workers", {})) or workers)
    durations, owners, chunk = [], {}, [1]
    finished = as_completed([], with_results=True)

    def submit():
        if queue:
            items = [queue.popleft() for _ in range(min(chunk[0], len(queue)))]
            future = dask.submit(compute_points, target, where,
                                 [(grid.params(i), grids.point_seed(seed, i)) for i in items], pure=False)
            owners[future] = items
            finished.add(future)

    for _ in range(slots):
        submit()
    try:
        for batch in finished.batches():
            for future, results in batch:
                items = owners.pop(future)
                buffer.extend((index, values) for index, (values, _) in zip(items, results))
                durations.extend(seconds for _, seconds in results)
                typical = sorted(durations[-64:])[len(durations[-64:]) // 2]
                chunk[0] = int(min(256, max(1, TASK_S / max(typical, 1e-6))))
                submit()
            flush()
    except BaseException:
        dask.cancel(list(owners))
        raise


def _progress(enabled: bool, total: int, completed: int, label: str):
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=False)
    progress.start()
    progress.task = progress.add_task(label, total=total, completed=completed)
    return contextlib.closing(_Closing(progress))


class _Closing:
    def __init__(self, progress):
        self.progress = progress

    def advance(self, n: int):
        self.progress.advance(self.progress.task, n)

    def close(self):
        self.progress.stop()


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None, processes: bool, client=None):
    from distributed import Client, LocalCluster
    if client is not None:              # a caller's client (benchmarks, notebooks): not closed here
        yield client
        return
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except Exception as error:
            raise BiomemError("--scheduler", f"cannot connect to {scheduler!r}: {error}".splitlines()[0],
                              "the address of a running dask scheduler, e.g. tcp://host:8786") from None
        try:
            yield client
        finally:
            client.close()
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def run(model: str, method: str, grid_specs: list[str], assignments: list[str] | None, out: str | Path, *,
        workers: int = 1, scheduler: str | None = None, resume: bool = False, seed: int = 0,
        progress: bool = False, processes: bool = True, plot: bool = True, models_dir: Path | None = None,
        stop_after: int | None = None, client=None) -> Path:
    """Run (or resume) a sweep into ``out``; returns the store path.

    ``workers = 1`` without a scheduler runs serially in this process; ``workers > 1`` starts a
    ``LocalCluster`` (``processes=False`` uses threads); ``scheduler`` connects to a running one.
    ``stop_after`` stops after that many new points (for tests and benchmarks); ``client`` uses an
    existing ``distributed.Client``.
    """
    choice("--method", method, METHODS)
    integer("--workers", workers, low=1)
    integer("--seed", seed, low=0)
    if scheduler and workers != 1:
        raise BiomemError("--scheduler", "give either --workers or --scheduler", "one of the two")
    config = registry.get(model, models_dir) if models_dir else registry.get(model)
    config.entry(method)                              # refuses a model without this method
    target, where = config.sweep[method], f"{config.path.name}:{method}"
    grid = grids.build(config, grid_specs, assignments)
    out = Path(out)
    ident = stores.identity(config.name, method, grid, seed)
    store = None
    if out.exists():
        if not resume:
            raise BiomemError("--out", f"{out} already exists", "--resume to continue it, or a new path")
        store = stores.open_existing(out, ident)
    pending = [i for i in grid.indices() if store is None or not store.done[i]]
    if stop_after is not None:
        pending = pending[:stop_after]
    done_before = grid.size - len([i for i in grid.indices() if store is None or not store.done[i]])
    attrs = dict(getattr(registry.load_entry(target, where), "attrs", {}) or {})

    def write(batch):
        nonlocal store
        errors = [values[_ERROR] for _, values in batch if _ERROR in values]
        batch = [(i, values) for i, values in batch if _ERROR not in values]
        if batch:
            written = _write_good(batch)
        if errors:                    # the good points are kept; the first error ends the sweep
            raise BiomemError(*errors[0])
        return written if batch else 0

    def _write_good(batch):
        nonlocal store
        if store is None:
            variables = sorted(batch[0][1])
            store = stores.create(out, grid, ident, variables, attrs)
        for _, values in batch:
            unknown = set(values) - set(store.variables)
            if unknown:
                raise BiomemError(where, f"point returned outputs not in the store: {sorted(unknown)}",
                                  ", ".join(store.variables))
        return store.write(batch)

    label = f"{config.name} {method}"
    buffer, clock = [], [time.monotonic()]

    def flush(bar, force=False):
        # a finished point is written at once, or within FLUSH_S when points finish faster
        if buffer and (force or time.monotonic() - clock[0] >= FLUSH_S):
            items = list(buffer)
            buffer.clear()
            clock[0] = time.monotonic()
            written = write(items)
            bar and bar.advance(written)

    with _progress(progress, grid.size, done_before, label) as bar:
        try:
            if workers == 1 and not scheduler and client is None:
                for index in pending:
                    buffer.append((index, compute_point(target, where, grid.params(index),
                                                        grids.point_seed(seed, index))))
                    flush(bar)
            elif pending:
                with _client(workers, scheduler, processes, client) as dask:
                    _distribute(dask, workers, target, where, grid, seed, pending, buffer, lambda: flush(bar))
        finally:
            flush(bar, force=True)
    if store is not None and plot:
        from biomem.sweep.plots import phase_diagram
        phase_diagram(out)
    return out


def missing(out: str | Path) -> int:
    """Number of grid points of a store not computed yet."""
    import xarray as xr
    done = xr.open_zarr(out)["done"].values
    return int(done.size - done.sum())

