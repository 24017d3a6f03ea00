"""Astrocyte integrators compiled by Numba (the default backend).

All three backends (this one, :mod:`biomem.backends.torch.astrocytes`,
:mod:`biomem.backends.brian2.astrocytes`) use the same scheme, so they agree to rounding:

* continuous astrocyte dynamics: classical fourth-order Runge-Kutta in Brian2's form
  ``k1 = dt f(x); k2 = dt f(x + k1/2); k3 = dt f(x + k2/2); k4 = dt f(x + k3);
  x += (k1 + 2 k2 + 2 k3 + k4)/6``, inputs (``Y_S``) held over the step;
* tripartite synapses: exact solutions over the step with ``G_A`` held
  (``u_S e^{-Omega_f dt}``, ``1 - (1 - x_S) e^{-Omega_d dt}``, ``Y_S e^{-Omega_c dt}``,
  ``Gamma_inf + (Gamma_S - Gamma_inf) e^{-(O_G G_A + Omega_G) dt}``);
* one step ``k -> k + 1`` (Brian2's schedule ``groups -> thresholds -> synapses -> resets``):
  coupling sums from the state at ``k`` (``Y_S`` into astrocytes, ``G_A`` into synapses); the state
  update; gliotransmitter release test; input spikes of step ``k`` (Li-Rinzel:
  ``IP3 += delta_IP3 w``; synapses: the Tsodyks-Markram jump); release resets. Sample ``k + 1`` is
  the result.

With one step per NEST resolution step this is NEST ``astrocyte_lr_1994``'s arithmetic with RK4
in place of NEST's adaptive RKF45 (whose tolerance 1e-3 is never binding at 0.1 ms steps).
"""

from __future__ import annotations

import math
import time

import numpy as np
from numba import njit

from biomem.astrocytes.arrays import (gchi_vector, lr_setup, lr_vector, syn_vector, tripartite_setup,
                                      tripartite_traces)
from biomem.astrocytes.common import AstroTraces, SpikeInput
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse


# -- Li-Rinzel -------------------------------------------------------------------------------

@njit(cache=True)
def lr_rhs(ip3, ca, h, p):
    """Time derivatives (per ms) of ``(IP3, Ca, h)``; ``p`` from :func:`lr_vector`."""
    ca_tot, ip3_0, kd1, kd2, kd_act, kd_inh, km = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    k_ip3r, v_ip3r, v_l, v_serca, ratio, tau = p[10], p[11], p[12], p[13], p[14], p[15]
    c = max(0.0, min(ca, p[16]))
    alpha_h = k_ip3r * kd_inh * (ip3 + kd1) / (ip3 + kd2)
    beta_h = k_ip3r * c
    j_pump = v_serca * c ** 2 / (km ** 2 + c ** 2)
    m_inf = ip3 / (ip3 + kd1)
    n_inf = c / (c + kd_act)
    ca_er = (ca_tot - c) / ratio
    j_leak = ratio * v_l * (ca_er - c)
    j_channel = ratio * v_ip3r * m_inf ** 3 * n_inf ** 3 * h ** 3 * (ca_er - c)
    return (ip3_0 - ip3) / tau, j_channel - j_pump + j_leak, alpha_h * (1.0 - h) - beta_h * h


@njit(cache=True)
def lr_step(ip3, ca, h, p, dt):
    """One RK4 step of ``dt`` ms for every astrocyte, in place; Ca is then clipped to ``[0, Ca_tot]``."""
    for a in range(ip3.size):
        x0, y0, z0 = ip3[a], ca[a], h[a]
        d1, e1, f1 = lr_rhs(x0, y0, z0, p)
        k1x, k1y, k1z = dt * d1, dt * e1, dt * f1
        d2, e2, f2 = lr_rhs(x0 + k1x / 2, y0 + k1y / 2, z0 + k1z / 2, p)
        k2x, k2y, k2z = dt * d2, dt * e2, dt * f2
        d3, e3, f3 = lr_rhs(x0 + k2x / 2, y0 + k2y / 2, z0 + k2z / 2, p)
        k3x, k3y, k3z = dt * d3, dt * e3, dt * f3
        d4, e4, f4 = lr_rhs(x0 + k3x, y0 + k3y, z0 + k3z, p)
        k4x, k4y, k4z = dt * d4, dt * e4, dt * f4
        ip3[a] = x0 + (k1x + 2 * k2x + 2 * k3x + k4x) / 6
        # NEST 3.10 keeps the state's calcium within [0, Ca_tot] after every step.
        ca[a] = max(0.0, min(y0 + (k1y + 2 * k2y + 2 * k3y + k4y) / 6, p[16]))
        h[a] = z0 + (k1z + 2 * k2z + 2 * k3z + k4z) / 6


@njit(cache=True)
def sic_value(ca, sic_th, sic_scale):
    """NEST's slow inward current for calcium ``ca`` (uM)."""
    y = (ca - sic_th) * 1000.0
    if y > 1.0:
        return math.log(y) * sic_scale
    return 0.0


@njit(cache=True)
def _run_lr(n_steps, dt, p, ip3, ca, h, ptr, targets, weights, rec_every, out_ip3, out_ca, out_h):
    delta = p[9]
    row = 0
    for k in range(n_steps + 1):
        if k % rec_every == 0:
            out_ip3[row] = ip3
            out_ca[row] = ca
            out_h[row] = h
            row += 1
        if k == n_steps:
            break
        lr_step(ip3, ca, h, p, dt)
        for e in range(ptr[k], ptr[k + 1]):
            ip3[targets[e]] += delta * weights[e]


def simulate_li_rinzel(model: LiRinzelAstrocyte, n_astrocytes: int, n_steps: int, dt: float,
                       spikes: SpikeInput | None = None, *, record_every: int = 1,
                       initial: dict | None = None) -> AstroTraces:
    """``n_astrocytes`` Li-Rinzel astrocytes for ``n_steps`` steps of ``dt`` ms.

    Traces ``IP3``, ``Ca_astro``, ``h_IP3R`` and ``SIC`` (from the recorded Ca) every
    ``record_every`` steps, samples 0..n_steps.
    """
    n, ip3, ca, h, rows, spikes = lr_setup(model, n_astrocytes, n_steps, dt, spikes, record_every, initial)
    out = [np.empty((rows.size, n)) for _ in range(3)]
    started = time.perf_counter()
    _run_lr(n_steps, float(dt), lr_vector(model), ip3, ca, h, spikes.pointers(n_steps), spikes.targets,
            spikes.weights, int(record_every), *out)
    wall = time.perf_counter() - started
    state = {"IP3": out[0], "Ca_astro": out[1], "h_IP3R": out[2], "SIC": model.sic(out[1])}
    return AstroTraces(rows * dt, state, "numba", wall_s=wall)


# -- G-ChI astrocytes and tripartite synapses --------------------------------------------------

@njit(cache=True)
def gchi_rhs(gam, ip3, c, h, x_a, g_a, y_in, i_bias, q):
    """Time derivatives (per s) of the G-ChI state; ``q`` from :func:`gchi_vector`."""
    o_p, k_p, c_t, rho_a, om_c, om_l = q[0], q[1], q[2], q[3], q[4], q[5]
    d_1, d_2, o_2, d_3, d_5 = q[6], q[7], q[8], q[9], q[10]
    o_beta, o_n, om_n, k_kc, zeta = q[11], q[12], q[13], q[14], q[15]
    o_delta, kappa_delta, k_delta, om_5p, k_d, k_3k, o_3k = q[16], q[17], q[18], q[19], q[20], q[21], q[22]
    f_ex, i_theta, omega_i, om_a, om_e = q[23], q[24], q[25], q[27], q[31]
    d_gam = o_n * y_in * (1.0 - gam) - om_n * (1.0 + zeta * c / (c + k_kc)) * gam
    j_beta = o_beta * gam
    j_delta = o_delta / (1.0 + ip3 / kappa_delta) * c ** 2 / (c ** 2 + k_delta ** 2)
    j_3k = o_3k * c ** 4 / (c ** 4 + k_d ** 4) * ip3 / (ip3 + k_3k)
    j_5p = om_5p * ip3
    delta_bias = ip3 - i_bias
    sign = 1.0 if delta_bias > 0 else (-1.0 if delta_bias < 0 else 0.0)
    j_ex = -f_ex / 2 * (1.0 + math.tanh((abs(delta_bias) - i_theta) / omega_i)) * sign
    d_i = j_beta + j_delta - j_3k - j_5p + j_ex
    q_2 = d_2 * (ip3 + d_1) / (ip3 + d_3)
    m_inf = ip3 / (ip3 + d_1) * c / (c + d_5)
    h_inf = q_2 / (q_2 + c)
    tau_h = 1.0 / (o_2 * (q_2 + c))
    d_c = (om_c * m_inf ** 3 * h ** 3 + om_l) * (c_t - (1.0 + rho_a) * c) - o_p * c ** 2 / (c ** 2 + k_p ** 2)
    d_h = (h_inf - h) / tau_h
    return d_gam, d_i, d_c, d_h, om_a * (1.0 - x_a), -om_e * g_a


@njit(cache=True)
def gchi_step(st, y_in, i_bias, q, dt):
    """One RK4 step of ``dt`` s; ``st`` is (6, n_astro): Gamma_A, I, C, h, x_A, G_A."""
    k = np.empty((4, 6))
    x = np.empty(6)
    for a in range(st.shape[1]):
        for stage in range(4):
            for v in range(6):
                if stage == 0:
                    x[v] = st[v, a]
                elif stage == 3:
                    x[v] = st[v, a] + k[2, v]
                else:
                    x[v] = st[v, a] + k[stage - 1, v] / 2
            d = gchi_rhs(x[0], x[1], x[2], x[3], x[4], x[5], y_in[a], i_bias[a], q)
            for v in range(6):
                k[stage, v] = dt * d[v]
        for v in range(6):
            st[v, a] = st[v, a] + (k[0, v] + 2 * k[1, v] + 2 * k[2, v] + k[3, v]) / 6


@njit(cache=True)
def syn_decay(syn, g_in, s, dt):
    """Exact update over ``dt`` s of (4, n_syn) synapse states u_S, x_S, Y_S, Gamma_S."""
    e_f = math.exp(-s[4] * dt)
    e_d = math.exp(-s[5] * dt)
    e_c = math.exp(-s[2] * dt)
    for j in range(syn.shape[1]):
        syn[0, j] = syn[0, j] * e_f
        syn[1, j] = 1.0 - (1.0 - syn[1, j]) * e_d
        syn[2, j] = syn[2, j] * e_c
        rate = s[6] * g_in[j] + s[7]
        g_inf = s[6] * g_in[j] / rate
        syn[3, j] = g_inf + (syn[3, j] - g_inf) * math.exp(-rate * dt)


@njit(cache=True)
def syn_spike(syn, j, s):
    """Tsodyks-Markram jump with gliotransmitter-modulated U_0; returns r_S."""
    u_0 = (1.0 - syn[3, j]) * s[3] + s[8] * syn[3, j]
    syn[0, j] = syn[0, j] + u_0 * (1.0 - syn[0, j])
    r_s = syn[0, j] * syn[1, j]
    syn[1, j] = syn[1, j] - r_s
    syn[2, j] = syn[2, j] + s[0] * s[1] * r_s
    return r_s


@njit(cache=True)
def _run_tripartite(n_steps, dt, q, s, st, i_bias, armed, syn, sa_syn, sa_astro, as_astro, as_syn,
                    ptr, pre_syn, rec_every, out_astro, out_syn, out_release, out_r):
    n_astro = st.shape[1]
    n_syn = syn.shape[1]
    y_in = np.zeros(n_astro)
    g_in = np.zeros(n_syn)
    released = np.zeros(n_astro, np.bool_)
    n_release = 0
    row = 0
    for k in range(n_steps + 1):
        if k % rec_every == 0:
            out_astro[row] = st
            out_syn[row] = syn
            row += 1
        if k == n_steps:
            break
        y_in[:] = 0.0
        g_in[:] = 0.0
        for e in range(sa_syn.size):
            y_in[sa_astro[e]] += syn[2, sa_syn[e]]
        for e in range(as_syn.size):
            g_in[as_syn[e]] += st[5, as_astro[e]]
        for a in range(n_astro):
            # Brian2's refractory='C>C_Theta': leave refractoriness on a sample at or below threshold.
            armed[a] = armed[a] or not (st[2, a] > q[26])
        gchi_step(st, y_in, i_bias, q, dt)
        syn_decay(syn, g_in, s, dt)
        for a in range(n_astro):
            released[a] = armed[a] and st[2, a] > q[26]
            if released[a]:
                armed[a] = False
        for e in range(ptr[k], ptr[k + 1]):
            out_r[e] = syn_spike(syn, pre_syn[e], s)
        for a in range(n_astro):
            if released[a]:
                st[5, a] = st[5, a] + q[30] * q[29] * q[28] * st[4, a]
                st[4, a] = st[4, a] - q[28] * st[4, a]
                out_release[n_release, 0] = k
                out_release[n_release, 1] = a
                n_release += 1
    return n_release


def simulate_tripartite(astrocyte: GChIAstrocyte, synapse: TripartiteSynapse, n_astrocytes: int, n_synapses: int,
                        n_steps: int, dt: float, spikes: SpikeInput | None = None, *,
                        syn_to_astro=((), ()), astro_to_syn=((), ()), I_bias=0.0, record_every: int = 1,
                        initial: dict | None = None) -> AstroTraces:
    """G-ChI astrocytes and tripartite synapses, ``dt`` in ms (integrated in s).

    ``spikes`` are presynaptic spikes (targets: synapse indices). ``syn_to_astro = (syn, astro)``
    lists which synapses' ``Y_S`` reach which astrocyte (summed), ``astro_to_syn = (astro, syn)``
    which astrocytes' ``G_A`` reach which synapse (summed). ``I_bias`` (uM, one or per astrocyte)
    is the target of the exogenous IP3 flow ``J_ex``. ``initial`` overrides initial states by name.

    Traces: astrocyte ``Gamma_A, I, C, h, x_A, G_A`` (n_samples, n_astrocytes), synapse
    ``u_S, x_S, Y_S, Gamma_S`` (n_samples, n_synapses). Events: ``release`` ((steps, astrocytes) of
    gliotransmitter release) and ``r_S`` (released resources of each input spike, input order).
    """
    setup = tripartite_setup(astrocyte, synapse, n_astrocytes, n_synapses, n_steps, dt, spikes, syn_to_astro,
                             astro_to_syn, I_bias, record_every, initial)
    rows = setup["rows"]
    out_astro = np.empty((rows.size, 6, setup["n_astro"]))
    out_syn = np.empty((rows.size, 4, setup["n_syn"]))
    out_release = np.empty((n_steps * setup["n_astro"] if setup["n_astro"] else 0, 2), np.int64)
    spikes = setup["spikes"]
    out_r = np.empty(spikes.steps.size)
    started = time.perf_counter()
    count = _run_tripartite(n_steps, dt / 1000.0, gchi_vector(astrocyte), syn_vector(synapse), setup["astro"],
                            setup["I_bias"], np.ones(setup["n_astro"], np.bool_), setup["syn"],
                            *setup["sa"], *setup["as"], spikes.pointers(n_steps), spikes.targets,
                            int(record_every), out_astro, out_syn, out_release, out_r)
    wall = time.perf_counter() - started
    return tripartite_traces(rows * dt, out_astro, out_syn, out_release[:count], out_r, "numba", wall)
