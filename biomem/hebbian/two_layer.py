"""A Hebbian memory as a two-layer spiking network: feature neurons and memory units.

Any :class:`~biomem.hebbian.couplings.OverlapHamiltonian` ``H = -N sum_mu w_mu x_mu^P`` (to leading
order; ``x_mu = V[:, mu] . sigma / N``) is also a network of two layers (the feature/memory-unit
duality of dense associative memories, Krotov & Hopfield 2016, 2021): ``N`` *feature* neurons hold
the spins, one *memory unit* per column of ``V`` (the K patterns of the Hopfield model, the K
archetype estimates ``xi_hat`` of the supervised model, the ``K M`` examples of the unsupervised
one) computes its overlap and sends back ``f(x_mu) = x_mu^(P-1)``; at zero temperature each feature
takes the sign of its field

.. math::
    h_i = \\sum_\\mu V_{i\\mu}\\, w'_\\mu\\, f(x_\\mu), \\qquad \\sigma_i \\leftarrow \\mathrm{sign}(h_i)

The spiking description built here (PyNN ``IF_curr_exp`` cells; ms, mV, nA, nF; dt = 1 ms; every
delay one step; ``theta`` = v_thresh - v_rest = 10 mV, ``R = tau_m / cm``):

- ``feature`` (N): sigma_i = +1 is *firing on every step* (no refractory period, which NIR could not
  express, so the rate saturates at 1/dt = 1 kHz: a binary unit), -1 is silent. ``tau_m`` = 2 ms, so
  the membrane follows the synaptic field (filtered by ``tau_syn`` = 5 ms) rather than its history;
  ``v_reset`` 1 mV below threshold keeps a driven neuron firing on every step;
- ``memory_pos`` / ``memory_neg`` (K' each): the rectified halves of ``x`` and ``-x``, so signed overlaps
  become non-negative rates. With ``s_i`` in {0, 1} the firing features, ``x = (2/N) sum_i V_i s_i -
  mean_i V_i``: feature -> memory weights ``prop V[i, mu]`` (an excitatory and an inhibitory
  projection) and a per-unit bias (``control`` neuron 0, firing on every step) give the drive
  ``X = I R / theta = 1/2 + c g(+-x)``; the unit fires at the LIF rate
  ``nu = dt / (tau_m ln(X / (X - 1)))`` spikes per step, which is ``(X - 1/2) dt / tau_m`` to within
  10 % for ``X >= 3/2`` and zero for ``X <= 1``;
- memory -> feature weights ``prop V[i, mu] w'_mu`` (``memory_neg``'s times ``(-1)^(P-1)``), scaled so
  that a feature of a perfectly retrieved pattern gets ``I R = D theta``: features fire for ``h > 1/D``;
- ``cue`` (N sources) fires on every step of a trial's cue window where the noisy cue has +1 (the initial
  state); ``control`` neuron 1 (clear pulse) inhibits features and memory units as each trial starts
  (bias and clear share a population: pyNN.brian2 rejects one-neuron spike arrays).

**P = 2** (``g(x) = x``): ``nu(x) - nu(-x)`` is linear in ``x`` for ``|x| >= 1/c`` (the LIF's asymptote),
zero for ``|x| <= 1/(2c)`` and concave in between: a dead zone that removes small (crosstalk)
overlaps, which the linear unit of the Hopfield model keeps.

**P > 2**: no biomem cell and no export target has a polynomial unit ``x^(P-1)``: building raises
:class:`~biomem.errors.UnsupportedFeature` naming :data:`POLYNOMIAL_UNIT` unless ``approximate=True``,
which uses ``g(x) = a_P [x - theta_P]_+`` (a thresholded, steeper LIF unit: Krotov & Hopfield's
rectified polynomial, cut to one segment) with ``a_P, theta_P`` fitted to ``x^(P-1)``
(:func:`polynomial_fit`; P = 4: ``theta = 0.46``, silent below ``x = 0.54``) and records it in ``issues``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from biomem.description import (ArrayConnector, IF_curr_exp, Network, OneToOneConnector, Population,
                                Projection, SpikeSourceArray)
from biomem.description.validate import integer, positive
from biomem.errors import BiomemError
from biomem.hebbian.couplings import OverlapHamiltonian

#: The feature a target would need for P > 2 (the name its UnsupportedFeature carries).
POLYNOMIAL_UNIT = "polynomial memory unit m^(P-1)"
THETA = 10.0                     # mV, v_thresh - v_rest of every cell


@dataclass(frozen=True)
class TwoLayerParameters:
    """Gains, cells and timing of the two-layer network.

    Parameters
    ----------
    dt : float
        Time step (ms); the features saturate at one spike per step.
    gain : float
        ``c``: a memory unit's drive is ``X = 1/2 + c g(x)`` (units of its threshold ``theta``).
    drive : float
        ``D``: a feature of a perfectly retrieved pattern gets ``I R = D theta``; it fires for ``h > 1/D``.
    cue_drive, clear_drive : float
        The cue's and the clear pulse's ``|I R|`` on a feature, in units of ``D theta``.
    clear_ms, cue_ms, free_ms, read_ms : float
        A trial (ms): ``clear_ms`` of clear pulse, ``cue_ms`` of cue, ``free_ms`` of free dynamics whose
        last ``read_ms`` are the read-out window.
    tau_m_feature, tau_m_memory, tau_syn : float
        Membrane time constants of features and memory units, synaptic time constant (ms).
    cm : float
        Membrane capacitance of every cell (nF).
    """

    dt: float = 1.0
    gain: float = 4.0
    drive: float = 6.0
    cue_drive: float = 2.0
    clear_drive: float = 1.5
    clear_ms: float = 10.0
    cue_ms: float = 30.0
    free_ms: float = 50.0
    read_ms: float = 20.0
    tau_m_feature: float = 2.0
    tau_m_memory: float = 10.0
    tau_syn: float = 5.0
    cm: float = 0.25

    def __post_init__(self):
        for name in ("dt", "gain", "drive", "cue_drive", "clear_drive", "clear_ms", "cue_ms", "free_ms", "read_ms",
                     "tau_m_feature", "tau_m_memory", "tau_syn", "cm"):
            positive(name, getattr(self, name))
        if self.read_ms > self.free_ms:
            raise BiomemError("read_ms", f"{self.read_ms:g} ms exceeds free_ms = {self.free_ms:g} ms", "<= free_ms")

    @property
    def trial_ms(self) -> float:
        """Length of one trial (ms): ``clear_ms + cue_ms + free_ms``."""
        return self.clear_ms + self.cue_ms + self.free_ms


@dataclass
class TwoLayer:
    """What :func:`build` returns.

    Attributes: ``network`` (the description), ``duration`` and ``dt`` (ms), ``task`` (plain JSON: read-out
    windows in steps, cues, and what the caller merged in; see :func:`biomem.hebbian.two_layer_task.decode`),
    ``approximations`` (Issue-like dicts of what was substituted) and ``hamiltonian`` (the memory).
    """

    network: Network
    duration: float
    dt: float
    task: dict
    approximations: list = field(default_factory=list)
    hamiltonian: OverlapHamiltonian | None = None


def polynomial_fit(P: int, points: int = 2001) -> tuple[float, float]:
    """The thresholded unit that stands in for ``x^(P-1)``.

    Parameters
    ----------
    P : int
        Interaction order (>= 2).
    points : int
        Grid points on [0, 1].

    Returns
    -------
    (float, float)
        ``(theta_P, a_P)`` minimising ``int_0^1 (a [x - theta]_+ - x^(P-1))^2 dx`` (``theta`` on a 1/1000
        grid, ``a`` its projection); ``(0, 1)`` for P = 2. P = 3: (0.29, 1.29); P = 4: (0.46, 1.64).
    """
    integer("P", P, low=2)
    if P == 2:
        return 0.0, 1.0
    x = np.linspace(0.0, 1.0, points)
    target = x ** (P - 1)
    best = (math.inf, 0.0, 1.0)
    for theta in np.arange(0.0, 0.95, 0.001):
        ramp = np.clip(x - theta, 0.0, None)
        a = float(ramp @ target / (ramp @ ramp))
        best = min(best, (float(((a * ramp - target) ** 2).sum()), float(theta), a))
    return best[1], best[2]


def field_weights(hamiltonian: OverlapHamiltonian) -> np.ndarray:
    """``w'_mu = w_mu (1 + rho)^(P/2) / w_0`` with ``w_0 = 1/2`` (1 at high load), dimensionless.

    ``w'`` is 1 for the Hopfield and the supervised dense model and ``1/(M r^P)`` for the unsupervised
    one, whose ``M`` example units per archetype (overlaps ``~ r``) then add up to ``h_i ~ xi_i`` at retrieval.
    """
    rho = float(hamiltonian.info.get("rho", 0.0))
    w_0 = 1.0 if "-high" in hamiltonian.label else 0.5
    return hamiltonian.w * (1.0 + rho) ** (0.5 * hamiltonian.P) / w_0


def lif_rate(X: float, tau_m: float, dt: float) -> float:
    """Spikes per step of a LIF without refractory period driven at ``X = I R / theta`` (continuous time):
    ``nu = dt / (tau_m ln(X / (X - 1)))`` for ``X > 1``, else 0 (``tau_m``, ``dt`` in ms)."""
    return dt / (tau_m * math.log(X / (X - 1.0))) if X > 1.0 else 0.0


def _signed(network, pre, post, matrix, label, delay):
    """An excitatory and an inhibitory projection carrying the signed ``matrix`` (pre x post, nA)."""
    for receptor, part in (("excitatory", matrix > 0), ("inhibitory", matrix < 0)):
        if part.any():
            network.add(Projection(pre, post, ArrayConnector(part), receptor, weight=np.abs(matrix[part]),
                                   delay=delay, label=f"{label}_{receptor[:3]}"))


def _polynomial(P: int, issues) -> tuple[float, float, list]:
    """``(theta_P, a_P, approximations)``; for P > 2 the substitute goes through ``issues.add`` (raising
    UnsupportedFeature unless approximating)."""
    theta, a = polynomial_fit(P)
    if P == 2:
        return theta, a, []
    item = {"feature": POLYNOMIAL_UNIT, "where": "memory_pos, memory_neg",
            "detail": f"P = {P}: the memory unit must compute m^{P - 1}; no biomem cell or export target has a "
                      "polynomial unit",
            "approximation": f"thresholded LIF unit a [m - theta]_+ with theta = {theta:.3f}, a = {a:.3f} "
                             f"(least-squares fit to m^{P - 1} on [0, 1])"}
    issues.add(item["feature"], item["where"], item["detail"], item["approximation"])
    return theta, a, [item]


def build(hamiltonian: OverlapHamiltonian, cues: np.ndarray, params: TwoLayerParameters | None = None, *,
          approximate: bool = False, issues=None, task: dict | None = None) -> TwoLayer:
    """The two-layer spiking network of ``hamiltonian``, cued by each row of ``cues`` in turn.

    Parameters
    ----------
    hamiltonian : OverlapHamiltonian
        The trained memory: ``V`` (N x K') the synaptic pattern, ``w`` the unit weights, ``P`` the unit.
    cues : ndarray
        ``(trials, N)`` spins +-1; trial ``t`` starts at ``t * trial_ms``.
    params : TwoLayerParameters, optional
        Gains, cells and timing (defaults as documented there).
    approximate : bool
        For P > 2, use the thresholded unit instead of raising.
    issues : biomem.export.common.Issues, optional
        Where the substitute is recorded (its own ``approximate`` flag then decides); default: a new one.
    task : dict, optional
        Task data (archetypes, cued patterns, ...) merged into the returned ``task``.

    Returns
    -------
    TwoLayer
        Network, duration ``trials * trial_ms`` (ms), dt (ms), task, approximations, hamiltonian.

    Raises
    ------
    UnsupportedFeature
        :data:`POLYNOMIAL_UNIT` for P > 2 without approximation.
    BiomemError
        Cues that are not spins of the memory's size; a gain too low for a retrieved unit to fire.
    """
    from biomem.export.common import Issues

    p = params or TwoLayerParameters()
    cues = np.atleast_2d(np.asarray(cues))
    N, K, V = hamiltonian.N, hamiltonian.K, hamiltonian.V
    if cues.shape[1] != N or not np.all(np.isin(cues, (-1, 1))):
        raise BiomemError("cues", f"shape {cues.shape} or values are not spins", f"(trials, {N}) of +-1")
    issues = issues if issues is not None else Issues("biomem", approximate)    # an empty list is falsy
    theta_P, a_P, approximations = _polynomial(hamiltonian.P, issues)
    slope = p.gain * a_P                                            # X = 1/2 + slope (+-x - theta_P)
    nu_1 = lif_rate(0.5 + slope * (1.0 - theta_P), p.tau_m_memory, p.dt)   # a unit at x = 1
    if nu_1 <= 0:
        raise BiomemError("gain", f"{p.gain:g} leaves a retrieved memory unit silent", "a larger gain")
    R = p.tau_m_feature / p.cm, p.tau_m_memory / p.cm              # MOhm: I (nA) R = mV
    per_step = p.tau_syn / p.dt         # steady current of a unit weight whose source fires on every step
    cell = dict(cm=p.cm, tau_refrac=0.0, tau_syn_E=p.tau_syn, tau_syn_I=p.tau_syn, v_rest=-65.0,
                v_thresh=-65.0 + THETA)
    steps = int(round(p.trial_ms / p.dt)), int(round(p.clear_ms / p.dt)), int(round(p.cue_ms / p.dt))
    trials, n_steps = len(cues), len(cues) * steps[0]
    on = [[t * steps[0] + steps[1] + k for t in range(trials) if cues[t, i] > 0 for k in range(steps[2])]
          for i in range(N)]
    clear = [t * steps[0] + k for t in range(trials) for k in range(steps[1])]
    times = [tuple(float(n * p.dt) for n in train) for train in (*on, range(n_steps), clear)]
    net = Network(f"hebbian_two_layer_P{hamiltonian.P}")
    cue = net.add(Population("cue", N, SpikeSourceArray(tuple(times[:N]))))
    control = net.add(Population("control", 2, SpikeSourceArray(tuple(times[N:]))))
    feature = net.add(Population("feature", N, IF_curr_exp(tau_m=p.tau_m_feature, v_reset=-56.0, **cell)))
    memory = IF_curr_exp(tau_m=p.tau_m_memory, v_reset=-65.0, i_offset=0.5 * THETA / R[1], **cell)
    halves = [net.add(Population(f"memory_{half}", K, memory)) for half in ("pos", "neg")]
    for sign, half in zip((1.0, -1.0), halves):
        _signed(net, feature, half, sign * 2.0 * slope * THETA / (R[1] * per_step * N) * V, f"feature_{half.label}",
                p.dt)
        bias = -slope * (sign * V.mean(axis=0) + theta_P) * THETA / (R[1] * per_step)
        _signed(net, control, half, np.stack([bias, np.zeros(K)]), f"bias_{half.label}", p.dt)
    back = p.drive * THETA / (R[0] * per_step * nu_1) * (V * field_weights(hamiltonian)).T
    _signed(net, halves[0], feature, back, "memory_pos_feature", p.dt)
    _signed(net, halves[1], feature, (-1.0) ** (hamiltonian.P - 1) * back, "memory_neg_feature", p.dt)
    net.add(Projection(cue, feature, OneToOneConnector(), "excitatory", delay=p.dt,
                       weight=p.cue_drive * p.drive * THETA / (R[0] * per_step)))
    # The clear pulse silences the features and holds the memory units just below threshold once the
    # features are silent (X = 1/2 - 1): their residual spikes would otherwise restore the previous
    # pattern, while a deeply hyperpolarised memory unit would miss the next cue.
    for target, current in ((feature, p.clear_drive * p.drive * THETA / R[0]),
                            *((half, THETA / R[1]) for half in halves)):
        mask = np.zeros((2, target.size), bool)
        mask[1] = True
        net.add(Projection(control, target, ArrayConnector(mask), "inhibitory", weight=current / per_step,
                           delay=p.dt, label=f"clear_{target.label}"))
    read = int(round(p.read_ms / p.dt))
    spec = {"kind": "hebbian-two-layer", "population": "feature", "dt_ms": p.dt, "P": hamiltonian.P,
            "windows": [[(t + 1) * steps[0] - read, (t + 1) * steps[0]] for t in range(trials)],
            "cues": cues.astype(int).tolist(), "memory_units": K,
            "unit": "linear halves" if hamiltonian.P == 2 else f"thresholded (theta = {theta_P:.3f}, a = {a_P:.3f})",
            # NEST and Brian2 under the PyNN script's aligned timing (two substeps per step) let a neuron
            # without refractory period fire on both substeps; on the plain dt grid, once per step.
            "pynn_timing": "native", "pynn_timing_reason": "feature neurons have no refractory period and fire "
            "on every step; the aligned timing's two substeps per step would let them fire twice per step"}
    return TwoLayer(net, n_steps * p.dt, p.dt, {**spec, **(task or {})}, approximations, hamiltonian)
