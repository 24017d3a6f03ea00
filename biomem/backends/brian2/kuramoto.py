"""Classic Kuramoto model written as Brian2 equations (runtime ``numpy`` code-generation target).

Oscillators are a ``NeuronGroup`` with ``theta`` and ``omega`` (Hz: one model time unit is one
second). The coupling sums S = sum_j W_ij sin theta_j and C = sum_j W_ij cos theta_j are Brian2
*summed variables* of ``Synapses``: for all-to-all coupling the synapses converge on a one-neuron
``mean field`` group (N synapses, O(N)) whose S, C the oscillators read as linked variables; sparse
and explicit couplings are oscillator-to-oscillator synapses with weight ``w = W_ij``.

Integrators:

* ``euler``: ``dtheta/dt = omega + K (cos(theta) S - sin(theta) C)`` with ``method='euler'``; the
  summed variables are refreshed just before the state update (Brian2 schedules a summed-variable
  updater at ``order = target.order - 1``), so this is exactly explicit Euler.
* ``rk4`` (``rk4="stages"``, default): classic RK4 of the *coupled* system with explicit stage
  variables. Four ``Synapses`` objects hold the sums of the stage phases theta, ph2, ph3, ph4 and
  four ``run_regularly`` operations compute k1..k4; their schedule order interleaves them
  (sum 1, stage 1, sum 2, stage 2, ...). Same arithmetic as the Numba and torch backends.
* ``rk4="native"``: Brian2's own ``method='rk4'`` on the equation above. Brian2 evaluates the
  summed variables once per step, so S and C are frozen over the four stages: the coupling term is
  then only first-order accurate in dt (local error O(dt^2) instead of O(dt^5)); kept to show it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from biomem.description import validate as check
from biomem.oscillators.description import KuramotoModel, KuramotoResult, order_parameter, realize

RK4_MODES = ("stages", "native")


@contextmanager
def _numpy_target():
    from brian2 import prefs
    previous = prefs.codegen.target
    prefs.codegen.target = "numpy"
    try:
        yield
    finally:
        prefs.codegen.target = previous


def _rhs(phase: str, k: int) -> str:
    return f"omega + K*(cos({phase})*S{k} - sin({phase})*C{k})"


def _sum_synapses(b2, osc, real, stage: int, phase: str, dt, mean_field_group):
    """Synapses whose summed variables S<stage>, C<stage> hold the coupling sums of ``phase``."""
    if real.kind == "mean_field":
        syn = b2.Synapses(osc, mean_field_group, f"S{stage}_post = sin({phase}_pre)*inv_n : 1 (summed)\n"
                          f"C{stage}_post = cos({phase}_pre)*inv_n : 1 (summed)", dt=dt,
                          namespace={"inv_n": 1.0 / real.omega.size})
        syn.connect()
        return syn
    syn = b2.Synapses(osc, osc, f"w : 1 (constant)\nS{stage}_post = w*sin({phase}_pre) : 1 (summed)\n"
                      f"C{stage}_post = w*cos({phase}_pre) : 1 (summed)", dt=dt)
    if real.kind == "csr":
        rows = np.repeat(np.arange(real.omega.size), np.diff(real.indptr))
        cols, weights = real.indices, real.weights
    else:
        rows, cols = np.nonzero(real.matrix)
        weights = real.matrix[rows, cols]
    syn.connect(i=np.asarray(cols, dtype=int), j=np.asarray(rows, dtype=int))
    syn.w = np.asarray(weights, dtype=float)
    return syn


def _build(b2, model: KuramotoModel, real, rk4: str):
    n = real.omega.size
    dt = model.dt * b2.second
    stages = 4 if (model.integrator == "rk4" and rk4 == "stages") else 1
    sums = "".join(f"S{k} : 1{' (linked)' if real.kind == 'mean_field' else ''}\n"
                   f"C{k} : 1{' (linked)' if real.kind == 'mean_field' else ''}\n" for k in range(1, stages + 1))
    if stages == 1:
        method = "euler" if model.integrator == "euler" else "rk4"
        eqs = f"dtheta/dt = {_rhs('theta', 1)} : 1\nomega : Hz (constant)\n" + sums
        osc = b2.NeuronGroup(n, eqs, method=method, dt=dt, namespace={"K": model.K * b2.Hz})
    else:
        eqs = ("theta : 1\nomega : Hz (constant)\nk1 : Hz\nk2 : Hz\nk3 : Hz\nph2 : 1\nph3 : 1\nph4 : 1\n" + sums)
        osc = b2.NeuronGroup(n, eqs, dt=dt, namespace={"K": model.K * b2.Hz})
    objects = [osc]
    mean_field = None
    if real.kind == "mean_field":
        mean_field = b2.NeuronGroup(1, "".join(f"S{k} : 1\nC{k} : 1\n" for k in range(1, stages + 1)), dt=dt)
        objects.append(mean_field)
        for k in range(1, stages + 1):
            setattr(osc, f"S{k}", b2.linked_var(mean_field, f"S{k}", index=np.zeros(n, dtype=int)))
            setattr(osc, f"C{k}", b2.linked_var(mean_field, f"C{k}", index=np.zeros(n, dtype=int)))
    osc.theta = real.theta0
    osc.omega = real.omega * b2.Hz
    phases = ("theta", "ph2", "ph3", "ph4")
    code = (f"k1 = {_rhs('theta', 1)}\nph2 = theta + 0.5*dt*k1",
            f"k2 = {_rhs('ph2', 2)}\nph3 = theta + 0.5*dt*k2",
            f"k3 = {_rhs('ph3', 3)}\nph4 = theta + dt*k3",
            f"theta = theta + dt/6*(k1 + 2*k2 + 2*k3 + {_rhs('ph4', 4)})")
    for k in range(1, stages + 1):
        syn = _sum_synapses(b2, osc, real, k, phases[k - 1], dt, mean_field)
        objects.append(syn)
        if stages > 1:
            for updater in syn.summed_updaters.values():
                updater.when, updater.order = "groups", 2 * k - 1
            objects.append(osc.run_regularly(code[k - 1], when="groups", order=2 * k, dt=dt))
    return osc, objects


def simulate(model: KuramotoModel, seed: int = 0, *, record_phases: bool = False, realization=None,
             rk4: str = "stages") -> KuramotoResult:
    """Run ``model`` in Brian2; phases are always monitored (this backend is for validation-size N)."""
    import brian2 as b2

    check.choice("rk4", rk4, RK4_MODES)
    real = realization if realization is not None else realize(model, seed)
    with _numpy_target():
        osc, objects = _build(b2, model, real, rk4)
        monitor = b2.StateMonitor(osc, "theta", record=True, dt=model.record_every * model.dt * b2.second,
                                  when="start")
        net = b2.Network(*objects, monitor)
        start = time.perf_counter()
        net.run(model.n_steps * model.dt * b2.second, namespace={})
        wall = time.perf_counter() - start
        recorded = np.asarray(monitor.theta).T
        final = np.asarray(osc.theta[:], dtype=float)
    n_rec = model.n_steps // model.record_every + 1
    if recorded.shape[0] < n_rec:
        recorded = np.vstack([recorded, final[None, :]])
    recorded = recorded[:n_rec]
    r, psi = order_parameter(recorded)
    return KuramotoResult(times=model.times, r=r, psi=psi, theta=final,
                          phases=recorded if record_phases else None, backend="brian2", wall_s=wall)
