"""Generic sweep machinery: grids, per-point seeds, the zarr store, Dask runs equal serial runs."""

import json

import pytest
import xarray as xr

from biomem.errors import BiomemError
from biomem.models import registry
from biomem.sweep import grid as grids
from biomem.sweep import runner, store as stores

THEORY_GRID = ["alpha=0:0.14:4", "T=0:1.2:3"]
MC = ["--set", "N=200", "--set", "sweeps=6"]
MC_SET = ["N=200", "sweeps=6"]


def _load(path):
    with xr.open_zarr(path) as ds:
        return ds.load()


@pytest.mark.parametrize("spec, fragment", [
    ("alpha=0:nan:3", "finite"), ("T=-1:1:3", "T"), ("alpha=0:1", "START:STOP:NUM"), ("foo=0:1:3", "foo"),
    ("alpha=0:1:0", "at least 1"), ("alpha=0:1:x", "NUM"), ("init=0:1:3", "text"), ("alpha", "NAME="),
    ("N=10:20:4", "integer"), ("alpha=0.1,0.1", "repeats"),
])
def test_invalid_grids_give_one_line(spec, fragment):
    config = registry.get("hopfield")
    with pytest.raises(BiomemError, match=fragment) as error:
        grids.build(config, [spec])
    assert "\n" not in str(error.value)


def test_grid_points_seeds_and_conflicts():
    config = registry.get("dense-hebbian")
    grid = grids.build(config, ["P=2,3,4", "rho=0:0.5:3", "supervised=true,false"], ["T=0.3"])
    assert grid.shape == (3, 3, 2) and grid.names == ["P", "rho", "supervised"]
    assert grid.params((2, 1, 1)) == dict(grid.base, P=4, rho=0.25, supervised=False, T=0.3)
    seeds = {grids.point_seed(5, i) for i in grid.indices()}
    assert len(seeds) == grid.size                               # distinct per point
    assert grids.point_seed(5, (1, 2, 0)) == grids.point_seed(5, (1, 2, 0)) != grids.point_seed(6, (1, 2, 0))
    with pytest.raises(BiomemError, match="both"):
        grids.build(config, ["T=0:1:3"], ["T=0.3"])
    with pytest.raises(BiomemError, match="twice"):
        grids.build(config, ["T=0:1:3", "T=0:1:2"])
    with pytest.raises(BiomemError, match="P"):
        grids.build(config, ["P=1:3:3"])
    with pytest.raises(BiomemError, match="rho"):
        grids.build(config, ["rho=-0.5:0.5:3"])


def test_store_layout_attributes_and_refusals(tmp_path):
    out = tmp_path / "theory.zarr"
    runner.run("hopfield", "theory", THEORY_GRID, ["N=500"], out, seed=3)
    ds = _load(out)
    assert list(ds["m"].dims) == ["alpha", "T"] and bool(ds["done"].all())
    assert {"m", "q", "r", "f", "phase_code"} <= set(ds.data_vars)
    assert ds.attrs["model"] == "hopfield" and ds.attrs["method"] == "theory" and ds.attrs["seed"] == 3
    assert json.loads(ds.attrs["parameters"])["N"] == 500 and "biomem_version" in ds.attrs
    assert json.loads(ds.attrs["phase_codes"])["retrieval-global"] == 3
    assert float(ds["m"].sel(alpha=0.0, T=0.0)) == 1.0
    assert (tmp_path / "phase_diagram.png").stat().st_size > 0
    with pytest.raises(BiomemError, match="already exists"):
        runner.run("hopfield", "theory", THEORY_GRID, ["N=500"], out, seed=3)
    for model, method, grid, sets, seed, what in [
            ("dense-hebbian", "theory", ["T=0:1.2:3"], [], 3, "model"),
            ("hopfield", "montecarlo", THEORY_GRID, ["N=500"], 3, "method"),
            ("hopfield", "theory", ["alpha=0:0.14:5", "T=0:1.2:3"], ["N=500"], 3, "grid"),
            ("hopfield", "theory", THEORY_GRID, ["N=600"], 3, "parameters"),
            ("hopfield", "theory", THEORY_GRID, ["N=500"], 4, "seed")]:
        with pytest.raises(BiomemError, match=what) as error:
            runner.run(model, method, grid, sets, out, seed=seed, resume=True)
        assert "\n" not in str(error.value) and "--out" in str(error.value)
    with pytest.raises(BiomemError, match="not a sweep store"):
        (tmp_path / "junk.zarr").mkdir()
        runner.run("hopfield", "theory", THEORY_GRID, [], tmp_path / "junk.zarr", resume=True)
    with pytest.raises(BiomemError, match="method"):
        runner.run("hopfield", "exact", THEORY_GRID, [], tmp_path / "x.zarr")


def test_resume_computes_only_missing_points_and_never_overwrites(tmp_path):
    out, full = tmp_path / "part.zarr", tmp_path / "full.zarr"
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, out, seed=1, stop_after=5, plot=False)
    assert runner.missing(out) == 7
    # tamper with a finished point: a resume must leave it alone
    import zarr
    group = zarr.open_group(str(out), mode="r+")
    group["m"][0, 0] = -42.0
    store = stores.open_existing(out, stores.identity("hopfield", "montecarlo",
                                                      grids.build(registry.get("hopfield"), THEORY_GRID, MC_SET), 1))
    assert store.write([((0, 0), {"m": 1.0})]) == 0
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, out, seed=1, resume=True, plot=False)
    assert runner.missing(out) == 0
    resumed = _load(out)
    assert float(resumed["m"][0, 0]) == -42.0
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, full, seed=1, plot=False)
    reference = _load(full)
    resumed["m"][0, 0] = reference["m"][0, 0]
    xr.testing.assert_identical(resumed, reference)


def test_threaded_cluster_equals_serial_for_montecarlo(tmp_path, monkeypatch):
    serial, threaded, remote = tmp_path / "serial.zarr", tmp_path / "threaded.zarr", tmp_path / "remote.zarr"
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, serial, seed=2, plot=False)
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, threaded, seed=2, workers=2, processes=False,
               plot=False)
    xr.testing.assert_identical(_load(serial), _load(threaded))
    # an existing scheduler, given by its address (--scheduler)
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, remote, seed=2, scheduler=cluster.scheduler_address,
                   plot=False)
    xr.testing.assert_identical(_load(serial), _load(remote))
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(BiomemError, match="scheduler"):
        runner.run("hopfield", "theory", THEORY_GRID, [], tmp_path / "y.zarr", scheduler="tcp://127.0.0.1:9")


def test_two_process_cluster_equals_serial(tmp_path):
    serial, parallel = tmp_path / "serial.zarr", tmp_path / "parallel.zarr"
    grid = ["alpha=0:0.14:5", "T=0:1.2:4"]
    runner.run("hopfield", "theory", grid, [], serial, seed=2, plot=False)
    runner.run("hopfield", "theory", grid, [], parallel, seed=2, workers=2, processes=True)
    xr.testing.assert_identical(_load(serial), _load(parallel))


def test_theory_and_montecarlo_overlaid_in_one_diagram(tmp_path):
    from biomem.sweep import plots
    runner.run("hopfield", "theory", ["alpha=0:0.14:8", "T=0:1.2:6"], [], tmp_path / "theory.zarr")
    runner.run("hopfield", "montecarlo", THEORY_GRID, MC_SET, tmp_path / "mc.zarr")
    assert len(plots.siblings(tmp_path / "mc.zarr")) == 2
    runner.run("multitasking", "theory", ["d=0:0.9:4"], [], tmp_path / "one" / "mt.zarr")
    assert (tmp_path / "one" / "phase_diagram.png").exists()


def test_point_errors_stop_the_sweep_with_one_line(tmp_path):
    # dense high load with a Monte Carlo far beyond the memory budget
    with pytest.raises(BiomemError, match="N"):
        runner.run("dense-hebbian", "montecarlo", ["alpha=0.5,1"], ["N=5000", "P=4"], tmp_path / "x.zarr")
