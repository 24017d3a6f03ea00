"""The batched PyTorch heat bath: exact bookkeeping, seeding, agreement with the Numba engine."""

import numpy as np
import pytest

from biomem.errors import BiomemError
from biomem.backends.torch import hebbian as mt
from biomem.hebbian import couplings, measures, patterns, simulation


def _dense(N=300, P=4, seed=1):
    rng = patterns.generator(seed)
    xi = patterns.random_patterns(2, N, rng)
    r = patterns.quality_for(0.5, 20)
    return couplings.dense(patterns.noisy_examples(xi, 20, r, rng), P, r), xi


@pytest.mark.parametrize("P", [2, 3, 4, 6])
def test_tracked_power_sums_and_energy_stay_exact(P):
    h, xi = _dense(P=P)
    chains = mt.BatchedChains(h, np.stack([xi[0], xi[1], -xi[0]]), seed=3)
    chains._run(1, 0.4)
    final = chains.sigma.numpy().astype(np.int8)
    for r in range(3):
        assert float(chains.energies()[r]) == pytest.approx(h.energy(final[r]), rel=1e-9)


def test_seeded_and_statistically_equal_to_numba():
    h, xi = _dense(N=400)
    obs = {"m": xi, "m_hat": h.info["xi_hat"].T}
    a = simulation.simulate(h, 0.4, 12, seed=2, replicas=8, init=xi[0], observables=obs, backend="torch")
    b = simulation.simulate(h, 0.4, 12, seed=2, replicas=8, init=xi[0], observables=obs, backend="torch")
    np.testing.assert_array_equal(a["final"], b["final"])
    ref = simulation.simulate(h, 0.4, 12, seed=2, replicas=4, init=xi[0], observables=obs, backend="numba")
    sa, sr = measures.summary(a), measures.summary(ref)
    assert sa["m"] == pytest.approx(sr["m"], abs=4 * np.hypot(sa["m_err"], sr["m_err"]) + 0.005)
    assert sa["energy"] == pytest.approx(sr["energy"], abs=4 * np.hypot(sa["energy_err"], sr["energy_err"]) + 0.005)


def test_zero_temperature_and_cuda_refusal():
    h, xi = _dense(N=200, P=2)
    out = simulation.simulate(h, 0.0, 3, seed=1, replicas=2, init=xi[0], observables={"m": xi}, backend="torch")
    assert float(out["m"][:, -1, 0].min()) > 0.5
    import torch
    if not torch.cuda.is_available():
        with pytest.raises(BiomemError, match="device"):
            simulation.simulate(h, 0.5, 1, backend="torch", device="cuda")
