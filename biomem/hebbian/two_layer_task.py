"""The retrieval task of the two-layer network: a trained memory, noisy cues, ideal retrieval, decoding.

- :func:`train`: K archetypes (random, or binarised scikit-learn digits), M noisy examples each
  (quality ``r``), and the Hebbian memory learnt from them (:func:`biomem.hebbian.couplings.dense`,
  supervised or unsupervised, any P; P = 2 supervised is Hopfield on the estimates ``xi_hat``);
- :func:`noisy_cues`: each archetype cued ``repeats`` times, every spin flipped with probability ``noise``;
- :func:`ideal_retrieval`: zero-temperature heat bath of the same Hamiltonian from each cue
  (random sequential updates, exact distinct-index fields, :mod:`biomem.hebbian.simulation`);
- :func:`decode` / :func:`accuracy`: each trial's final feature state from spikes (``sigma_i = +1``
  when neuron i fired in the read-out window) and the fraction of trials whose overlap
  ``m = xi^mu . sigma / N`` with the cued archetype is >= :data:`RETRIEVED`;
- :func:`experiment`: all of it, with the network of :func:`biomem.hebbian.two_layer.build`.
"""

from __future__ import annotations

import numpy as np

from biomem.description.validate import integer, real
from biomem.errors import BiomemError
from biomem.hebbian import couplings, patterns
from biomem.hebbian.two_layer import TwoLayer, TwoLayerParameters, build

#: Overlap with the cued archetype that counts as retrieved.
RETRIEVED = 0.9


def train(K: int = 4, N: int = 100, P: int = 2, M: int = 20, r: float = 0.5, *, supervised: bool = True,
          digits: bool = False, seed: int = 0) -> dict:
    """Archetypes and the Hebbian memory learnt from their examples.

    Parameters
    ----------
    K, N, P, M : int
        Archetypes, spins (digits: 64), interaction order, examples per archetype.
    r : float
        Example quality for random archetypes: ``P(eta_i = xi_i) = (1 + r)/2`` (digits: estimated).
    supervised : bool
        Examples averaged per archetype (memory units = K estimates) or used unlabelled (K M units).
    digits : bool
        Binarised 8x8 digits 0..K-1 (M real images per class) instead of random archetypes.
    seed : int
        Seed of the data.

    Returns
    -------
    dict
        ``archetypes`` (K x N, +-1), ``hamiltonian`` (:class:`~biomem.hebbian.couplings.OverlapHamiltonian`,
        low load), ``examples`` (K x M x N).
    """
    integer("K", K, low=1)
    rng = patterns.generator(seed)
    if digits:
        data = patterns.digits(tuple(range(K)), M=M, n_test=0, rng=rng)
        xi, examples, quality = data["archetypes"], data["examples"], None
    else:
        xi = patterns.random_patterns(K, N, rng)
        examples, quality = patterns.noisy_examples(xi, M, r, rng), r
    hamiltonian = couplings.dense(examples, P, quality, supervised=supervised)
    return {"archetypes": xi, "hamiltonian": hamiltonian, "examples": examples}


def noisy_cues(archetypes: np.ndarray, noise: float, repeats: int = 2, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(cues, cued)``: archetype ``mu = 0..K-1`` in turn, ``repeats`` times, every spin flipped
    independently with probability ``noise`` (so ``E m = 1 - 2 noise``); ``cued[t]`` is trial t's archetype."""
    real("noise", noise, low=0.0, high=0.5)
    integer("repeats", repeats, low=1)
    rng = patterns.generator(seed)
    cued = np.tile(np.arange(len(archetypes)), repeats)
    flips = np.where(rng.random((len(cued), archetypes.shape[1])) < noise, -1, 1)
    return (archetypes[cued] * flips).astype(np.int8), cued


def ideal_retrieval(hamiltonian, cues: np.ndarray, sweeps: int = 20, seed: int = 0) -> np.ndarray:
    """Final states (trials x N, +-1) of ``sweeps`` zero-temperature heat-bath sweeps from each cue
    (``sigma_i <- sign(h_i)`` in random sequential order, exact fields of ``hamiltonian``)."""
    from biomem.hebbian.simulation import simulate

    final = [simulate(hamiltonian, 0.0, sweeps, seed=seed + t, replicas=1, init=cue)["final"].values[0]
             for t, cue in enumerate(np.asarray(cues))]
    return np.asarray(final, dtype=np.int8)


def decode(spikes: dict, task: dict, min_spikes: int = 1) -> np.ndarray:
    """Feature states (trials x N, +-1) from a run's spikes.

    Parameters
    ----------
    spikes : dict
        ``{population: [[time_ms, index], ...]}`` (biomem's spikes.json, or a target's).
    task : dict
        ``population``, ``dt_ms``, ``windows`` (``[start, stop)`` in steps, one per trial) and ``cues``.
    min_spikes : int
        Spikes in the window that make a neuron +1.
    """
    n = len(task["cues"][0])
    pairs = np.asarray(spikes.get(task["population"], []), dtype=float).reshape(-1, 2)
    steps = np.rint(pairs[:, 0] / float(task["dt_ms"])).astype(np.int64)
    index = pairs[:, 1].astype(np.int64)
    states = []
    for start, stop in task["windows"]:
        counts = np.bincount(index[(steps >= start) & (steps < stop)], minlength=n)[:n]
        states.append(np.where(counts >= min_spikes, 1, -1))
    return np.asarray(states, dtype=np.int8)


def accuracy(states: np.ndarray, task: dict) -> dict:
    """Per trial ``m_t = xi^(cued_t) . sigma_t / N`` (``task["archetypes"]``, ``task["cued"]``) and the
    fraction of trials with ``m_t >= RETRIEVED``: ``{"trials", "retrieved", "accuracy", "overlaps", "threshold"}``."""
    xi = np.asarray(task["archetypes"], dtype=float)
    m = (xi[np.asarray(task["cued"])] * np.asarray(states)).sum(axis=1) / xi.shape[1]
    hits = m >= RETRIEVED
    return {"trials": int(m.size), "retrieved": int(hits.sum()), "accuracy": float(hits.mean()) if m.size else None,
            "overlaps": [round(float(v), 4) for v in m], "threshold": RETRIEVED}


def task_accuracy(spikes: dict, task: dict, reference: dict | None = None) -> dict:
    """:func:`accuracy` of the states decoded from ``spikes``; with ``reference`` spikes (the original
    run) also ``same_state_as_reference``, the number of trials decoded to the same state."""
    states = decode(spikes, task)
    out = accuracy(states, task)
    if reference is not None:
        out["same_state_as_reference"] = int((decode(reference, task) == states).all(axis=1).sum())
    return out


def experiment(K: int = 4, N: int = 100, P: int = 2, M: int = 20, r: float = 0.5, noise: float = 0.15,
               repeats: int = 2, *, supervised: bool = True, digits: bool = False, seed: int = 0,
               approximate: bool = False, issues=None, params: TwoLayerParameters | None = None) -> TwoLayer:
    """Train (:func:`train`), draw the cues (:func:`noisy_cues`) and build the network.

    ``seed`` spawns independent streams for the data and the cues. The returned ``task`` holds the
    archetypes, cued archetypes, cues, read-out windows and ``ideal``: :func:`accuracy` of
    :func:`ideal_retrieval` from the same cues. ``approximate``, ``issues``, ``params``: as in
    :func:`~biomem.hebbian.two_layer.build` (which raises UnsupportedFeature for P > 2 without approximation).
    """
    if digits and K > 10:
        raise BiomemError("K", f"digits have 10 classes, got K = {K}", "K <= 10")
    # Independent streams for the data and the cues (seed s + 1 must not replay seed s's cue draws).
    data_seed, cue_seed = (int(c.generate_state(1)[0]) for c in np.random.SeedSequence(seed).spawn(2))
    memory = train(K, N, P, M, r, supervised=supervised, digits=digits, seed=data_seed)
    cues, cued = noisy_cues(memory["archetypes"], noise, repeats, seed=cue_seed)
    task = {"archetypes": memory["archetypes"].astype(int).tolist(), "cued": cued.tolist(), "noise": noise,
            "supervised": supervised, "patterns": "digits" if digits else "random", "M": M}
    built = build(memory["hamiltonian"], cues, params, approximate=approximate, issues=issues, task=task)
    built.task["ideal"] = accuracy(ideal_retrieval(memory["hamiltonian"], cues, seed=seed), built.task)
    return built


def from_parameters(params: dict, seed: int = 0, *, approximate: bool = False) -> TwoLayer:
    """:func:`experiment` from the resolved parameters of ``models/hebbian-two-layer.toml``: what
    ``biomem run`` and ``biomem export`` both build."""
    timing = TwoLayerParameters(drive=params["drive"], gain=params["gain"], cue_ms=params["cue_ms"],
                                free_ms=params["free_ms"], read_ms=params["read_ms"])
    return experiment(params["K"], params["N"], params["P"], params["M"], params["r"], params["noise"],
                      params["repeats"], supervised=params["supervised"], digits=params["patterns"] == "digits",
                      seed=seed, approximate=approximate, params=timing)
