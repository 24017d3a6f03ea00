"""The classic Kuramoto model as a frozen, validated description.

Equations (time in model units, phases in radians)::

    d theta_i / dt = omega_i + K sum_j W_ij sin(theta_j - theta_i)
                   = omega_i + K (cos theta_i S_i - sin theta_i C_i),
    S_i = sum_j W_ij sin theta_j,   C_i = sum_j W_ij cos theta_j,
    r e^{i psi} = (1/N) sum_j e^{i theta_j}          (order parameter)

Every backend evaluates the right-hand side in the second (expanded) form, so all of them
do the same arithmetic up to the order of summation. The coupling matrix W is

* ``all_to_all``: W_ij = 1/N, evaluated as a mean field (S_i = r sin psi, C_i = r cos psi), O(N) per step;
* ``sparse``: W_ij = a_ij / (p N) with a_ij ~ Bernoulli(p), i != j (Erdos-Renyi, seeded), O(pN^2);
* ``explicit``: a user-given N x N matrix ``matrix`` (dense, O(N^2)).

Integrators: ``euler`` (theta += dt f(theta)) and classic ``rk4``. ``n_steps = round(t_max/dt)``;
r is recorded at t = k * record_every * dt for k = 0 .. n_steps // record_every.

Random choices (frequencies when ``sampling="random"``, initial phases uniform on [0, 2 pi),
the sparse graph) come from :func:`realize` with a seed, through independent child streams of
``numpy.random.SeedSequence(seed)``; the same seed gives the same arrays bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from biomem.description import validate as check
from biomem.errors import BiomemError
from biomem.oscillators import frequencies as freq

COUPLINGS = ("all_to_all", "sparse", "explicit")
INTEGRATORS = ("rk4", "euler")
INITIAL = ("random", "synchronized")


@dataclass(frozen=True, eq=False)
class KuramotoModel:
    """N phase oscillators with natural frequencies from ``distribution`` (see :mod:`.frequencies`)."""

    N: int = 1000
    K: float = 1.0
    distribution: str = "lorentzian"
    width: float = 0.5
    center: float = 0.0
    sampling: str = "quantiles"
    coupling: str = "all_to_all"
    p: float = 0.1
    matrix: np.ndarray | None = field(default=None, repr=False)
    integrator: str = "rk4"
    dt: float = 0.05
    t_max: float = 100.0
    record_every: int = 1
    initial: str = "random"

    def __post_init__(self):
        check.integer("N", self.N, low=1)
        check.non_negative("K", self.K)
        check.choice("distribution", self.distribution, freq.DISTRIBUTIONS)
        check.non_negative("width", self.width)
        check.real("center", self.center)
        check.choice("sampling", self.sampling, freq.SAMPLINGS)
        check.choice("coupling", self.coupling, COUPLINGS)
        check.real("p", self.p, low=0.0, high=1.0, low_open=True)
        check.choice("integrator", self.integrator, INTEGRATORS)
        check.positive("dt", self.dt)
        check.positive("t_max", self.t_max)
        check.integer("record_every", self.record_every, low=1)
        check.choice("initial", self.initial, INITIAL)
        if self.coupling == "explicit":
            if self.matrix is None:
                raise BiomemError("matrix", "explicit coupling needs a matrix",
                                  f"an array of shape ({self.N}, {self.N})")
            matrix = check.real_array("matrix", self.matrix, shape=(self.N, self.N)).copy()
            matrix.setflags(write=False)
            object.__setattr__(self, "matrix", matrix)
        elif self.matrix is not None:
            raise BiomemError("matrix", f"given with coupling={self.coupling!r}", "coupling='explicit'")
        if self.n_steps < 1:
            raise BiomemError("t_max", f"shorter than one step dt={self.dt:g}", f"t_max >= {self.dt:g}")

    @property
    def n_steps(self) -> int:
        """Integration steps of the run: ``round(t_max / dt)``."""
        return int(round(self.t_max / self.dt))

    @property
    def times(self) -> np.ndarray:
        """The recording times."""
        return np.arange(0, self.n_steps + 1, self.record_every) * self.dt

    def replace(self, **changes) -> "KuramotoModel":
        """A new model with the fields in ``changes`` set, validated as on construction."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return KuramotoModel(**values)


@dataclass(frozen=True, eq=False)
class Realization:
    """The arrays a backend integrates: frequencies, initial phases and the coupling.

    ``kind`` is ``mean_field`` (no matrix), ``csr`` (``indptr``, ``indices``, ``weights``: row i
    holds W_ij for its columns j) or ``dense`` (``matrix``)."""

    omega: np.ndarray
    theta0: np.ndarray
    kind: str
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None
    weights: np.ndarray | None = None
    matrix: np.ndarray | None = None

    def dense(self) -> np.ndarray:
        """W as a dense N x N matrix (for checks; O(N^2) memory)."""
        n = self.omega.size
        if self.kind == "dense":
            return np.array(self.matrix)
        if self.kind == "mean_field":
            return np.full((n, n), 1.0 / n)
        out = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        out[rows, self.indices] = self.weights
        return out


def erdos_renyi(n: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``(indptr, indices)`` of a directed G(n, p) graph without self-loops, O(p n^2) work.

    Edges are found by geometric skips over the flattened n x n index space (chunked)."""
    total = n * n
    found = []
    position = -1
    chunk = max(1024, int(1.2 * p * total) + 64)
    while True:
        gaps = rng.geometric(p, size=chunk).astype(np.int64)
        steps = position + np.cumsum(gaps)
        inside = steps[steps < total]
        found.append(inside)
        if inside.size < steps.size:
            break
        position = int(steps[-1])
    flat = np.concatenate(found)
    rows, cols = np.divmod(flat, n)
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols.astype(np.int64)


def realize(model: KuramotoModel, seed: int = 0) -> Realization:
    """Draw everything random in ``model`` from ``seed`` (three independent child streams)."""
    seed = check.integer("seed", seed, low=0)
    freq_seed, phase_seed, graph_seed = np.random.SeedSequence(seed).spawn(3)
    omega = freq.frequencies(model.distribution, model.N, model.width, model.sampling,
                             rng=np.random.default_rng(freq_seed), center=model.center)
    if model.initial == "random":
        theta0 = np.random.default_rng(phase_seed).uniform(0.0, 2.0 * np.pi, model.N)
    else:
        theta0 = np.zeros(model.N)
    if model.coupling == "all_to_all":
        return Realization(omega, theta0, "mean_field")
    if model.coupling == "explicit":
        return Realization(omega, theta0, "dense", matrix=np.array(model.matrix))
    indptr, indices = erdos_renyi(model.N, model.p, np.random.default_rng(graph_seed))
    weights = np.full(indices.size, 1.0 / (model.p * model.N))
    return Realization(omega, theta0, "csr", indptr=indptr, indices=indices, weights=weights)


@dataclass
class KuramotoResult:
    """Recorded output: ``times`` (n_rec,), ``r`` and ``psi`` (n_rec,) or (B, n_rec) for a batch,
    final phases ``theta`` (N,) or (B, N), and ``phases`` (n_rec, N) when recorded."""

    times: np.ndarray
    r: np.ndarray
    psi: np.ndarray
    theta: np.ndarray
    phases: np.ndarray | None = None
    backend: str = ""
    wall_s: float = 0.0

    def r_mean(self, fraction: float = 0.5) -> np.ndarray | float:
        """Time average of r over the last ``fraction`` of the run (recording points with t >= (1-f) t_end)."""
        start = (1.0 - fraction) * self.times[-1]
        keep = self.times >= start - 1e-12 * max(1.0, self.times[-1])
        value = self.r[..., keep].mean(axis=-1)
        return float(value) if np.ndim(value) == 0 else value


def order_parameter(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(r, psi) of phases ``theta`` along the last axis."""
    z = np.exp(1j * np.asarray(theta)).mean(axis=-1)
    return np.abs(z), np.angle(z)
