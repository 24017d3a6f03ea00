"""The heat bath as a Brian2 network: the Numba trajectory flip for flip from the same seed, exact
tracked power sums, agreement with the AGS theory, and input checks. Small N: Brian2 pays a fixed
cost per time step (one attempt per replica), so these runs take a few seconds."""

import math

import numpy as np
import pytest

from biomem.backends.brian2 import hebbian as bh, session
from biomem.errors import BiomemError
from biomem.hebbian import couplings, patterns, simulation
from biomem.hebbian.builders import montecarlo
from biomem.theory import ags


def _model(kind: str):
    rng = patterns.generator(5)
    if kind == "hopfield":
        # N even and K odd: N h_i is a sum of K odd integers, never an exact tie at T = 0
        xi = patterns.random_patterns(3, 100, rng)
        return couplings.hopfield(xi), xi
    if kind == "dense":
        xi = patterns.random_patterns(2, 80, rng)
        return couplings.dense(patterns.noisy_examples(xi, 10, 0.6, rng), 4, 0.6), xi
    # P = 6 goes through the general Newton-identity code; Gaussian vectors have no ties
    V = rng.normal(size=(60, 3))
    return couplings.OverlapHamiltonian(V, np.array([0.5, 0.3, 0.2]), 6, "gaussian-P6"), V.T


@pytest.mark.parametrize("kind, T", [("hopfield", 0.0), ("hopfield", 0.5), ("dense", 0.0), ("dense", 0.4),
                                     ("general", 0.3)])
def test_trajectory_equals_numba_flip_for_flip(kind, T):
    h, xi = _model(kind)
    runs = {b: simulation.simulate(h, T, 6, seed=4, replicas=3, observables={"m": xi}, measure_every=2, backend=b)
            for b in ("numba", "brian2")}
    ref, got = runs["numba"], runs["brian2"]
    assert set(got.data_vars) == set(ref.data_vars) and got.sizes == ref.sizes
    np.testing.assert_array_equal(got["final"], ref["final"])
    np.testing.assert_array_equal(got["flips"], ref["flips"])
    assert int(ref["flips"].sum()) > 0
    np.testing.assert_array_equal(got["q"], ref["q"])
    np.testing.assert_allclose(got["m"], ref["m"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["energy"], ref["energy"], rtol=1e-12, atol=1e-12)
    assert got.attrs["backend"] == "brian2"
    assert {k: v for k, v in got.attrs.items() if k != "backend"} == \
        {k: v for k, v in ref.attrs.items() if k != "backend"}


def test_tracked_power_sums_stay_exact():
    h, xi = _model("dense")
    rng = np.random.default_rng(1)
    steps = 3 * h.N
    sites = rng.integers(0, h.N, (steps, 2))
    with session.configured("numpy"):
        net = bh.Replicas(h, np.stack([xi[0], -xi[1]]), 0.3, sites, rng.random((steps, 2)))
        net.net.run(steps * net.dt, namespace={})
        tracked = np.stack([net.features.p1_[:], net.features.p3_[:]]).reshape(2, 2, h.K)
    fresh = np.stack([bh.power_sums(h.V, s, h.P) for s in net.sigma])          # (R, P+1, K)
    assert int(net.spins.flips_[:].sum()) > 0
    np.testing.assert_allclose(tracked, fresh[:, [1, 3]].transpose(1, 0, 2), rtol=1e-12, atol=1e-12)


def test_hopfield_low_load_agrees_with_numba_and_ags():
    theory = ags.solve(0.01, 0.5).m                                   # 0.9519
    params = dict(N=100, alpha=0.01, T=0.5, sweeps=100, replicas=8, init="retrieval")
    got = montecarlo("hopfield", dict(params, backend="brian2"), 1)
    ref = [montecarlo("hopfield", dict(params, sweeps=400, backend="numba"), s) for s in (2, 3)]
    m_ref = np.mean([r["m"] for r in ref])
    err_ref = math.hypot(*[r["m_err"] for r in ref]) / 2
    assert got["equilibrated"] == 1.0
    assert abs(got["m"] - m_ref) < 4 * math.hypot(got["m_err"], err_ref)   # independent seeds
    # N = 100 has K = 1 pattern (Curie-Weiss m = 0.9575 at T = 0.5): allowance 0.006 for it
    assert abs(got["m"] - theory) < 3 * got["m_err"] + 0.006


def test_bad_inputs_name_the_parameter():
    h = couplings.hopfield(patterns.random_patterns(1, 20, patterns.generator(0)))
    cases = {"target": dict(target="fortran"), "device": dict(device="cuda"), "T": dict(T=-0.1),
             "replicas": dict(replicas=0), "init": dict(init=np.zeros(20)), "sweeps": dict(sweeps=0)}
    for name, kwargs in cases.items():
        args = dict(T=0.5, sweeps=1, backend="brian2") | kwargs
        with pytest.raises(BiomemError, match=f"^{name}:"):
            simulation.simulate(h, args.pop("T"), args.pop("sweeps"), **args)
    out = simulation.simulate(h, 0.5, 1, measure_every=3, backend="brian2")     # no full interval
    assert out.sizes["sweep"] == 0 and out["final"].shape == (2, 20)
