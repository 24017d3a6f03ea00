"""Astrocyte integrators in PyTorch: the scheme of :mod:`biomem.backends.numba.astrocytes` on tensors.

Same RK4 (Brian2's form), same exact synapse update, same order of operations inside a step, so
float64 results on CPU equal the Numba ones to rounding (``pow``/``exp``/``log`` may differ in the
last bit). Every state tensor carries a leading batch dimension ``B``: ``B`` independent copies
(trials) with their own inputs run in one pass; ``device`` "cpu" or "cuda".
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import torch

from biomem.astrocytes.common import AstroTraces, SpikeInput
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse
from biomem.astrocytes.arrays import lr_setup, tripartite_setup, tripartite_traces
from biomem.errors import BiomemError


@contextmanager
def threads(count: int | None, device):
    """Run with ``count`` CPU threads (None: 1 on CPU, where these small per-step tensors gain nothing
    from more threads and lose a lot on a loaded machine; unchanged on CUDA)."""
    previous = torch.get_num_threads()
    wanted = count if count is not None else (1 if torch.device(device).type == "cpu" else previous)
    torch.set_num_threads(int(wanted))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def resolve(device="cpu", dtype=torch.float64):
    """Checked ``(torch.device, dtype)``: cpu or an available cuda device, float32 or float64."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise BiomemError("device", f"unknown device {device!r}", "'cpu', 'cuda' or 'cuda:N'") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BiomemError("device", "CUDA is not available on this machine", "'cpu'")
    if dtype not in (torch.float32, torch.float64):
        raise BiomemError("dtype", f"unsupported dtype {dtype!r}", "torch.float64 or torch.float32")
    return device, dtype


# -- Li-Rinzel -------------------------------------------------------------------------------

class LiRinzelTorch:
    """Right-hand side and RK4 step of :class:`LiRinzelAstrocyte` on tensors of any shape."""

    def __init__(self, model: LiRinzelAstrocyte):
        self.p = model

    def rhs(self, ip3, ca, h):
        """Time derivatives ``(dIP3/dt, dCa/dt, dh/dt)`` in uM/ms, uM/ms and 1/ms at ``ip3`` and
        ``ca`` (uM) and ``h``, without input spikes (those are added between steps). Ca is clipped to
        ``[0, Ca_tot]`` inside the fluxes, as NEST does."""
        p = self.p
        c = torch.clamp(ca, min=0.0, max=p.Ca_tot)
        alpha_h = p.k_IP3R * p.Kd_inh * (ip3 + p.Kd_IP3_1) / (ip3 + p.Kd_IP3_2)
        beta_h = p.k_IP3R * c
        j_pump = p.rate_SERCA * c ** 2 / (p.Km_SERCA ** 2 + c ** 2)
        m_inf = ip3 / (ip3 + p.Kd_IP3_1)
        n_inf = c / (c + p.Kd_act)
        ca_er = (p.Ca_tot - c) / p.ratio_ER_cyt
        j_leak = p.ratio_ER_cyt * p.rate_L * (ca_er - c)
        j_channel = p.ratio_ER_cyt * p.rate_IP3R * m_inf ** 3 * n_inf ** 3 * h ** 3 * (ca_er - c)
        return (p.IP3_0 - ip3) / p.tau_IP3, j_channel - j_pump + j_leak, alpha_h * (1.0 - h) - beta_h * h

    def step(self, ip3, ca, h, dt: float):
        """One RK4 step of ``dt`` ms; returns the new ``(IP3, Ca, h)`` with Ca clipped to ``[0, Ca_tot]``."""
        x = (ip3, ca, h)
        k1 = [dt * d for d in self.rhs(*x)]
        k2 = [dt * d for d in self.rhs(*(v + k / 2 for v, k in zip(x, k1)))]
        k3 = [dt * d for d in self.rhs(*(v + k / 2 for v, k in zip(x, k2)))]
        k4 = [dt * d for d in self.rhs(*(v + k for v, k in zip(x, k3)))]
        new = [v + (a + 2 * b + 2 * c + d) / 6 for v, a, b, c, d in zip(x, k1, k2, k3, k4)]
        new[1] = torch.clamp(new[1], min=0.0, max=self.p.Ca_tot)
        return tuple(new)

    def sic(self, ca):
        """NEST's slow inward current of calcium ``ca``."""
        y = (ca - self.p.SIC_th) * 1000.0
        return torch.where(y > 1.0, torch.log(torch.clamp(y, min=1.0)) * self.p.SIC_scale, torch.zeros_like(y))


def _batched_events(spikes, batch, n_steps, n_targets):
    """Per-batch SpikeInputs (a list of B, or one shared) -> (ptr, flat targets, weights) by step."""
    inputs = spikes if isinstance(spikes, (list, tuple)) else [spikes] * batch
    if len(inputs) != batch:
        raise BiomemError("spikes", f"{len(inputs)} inputs for batch {batch}", "one SpikeInput per batch entry")
    steps, flat, weights = [], [], []
    for b, item in enumerate(inputs):
        item = item if item is not None else SpikeInput.empty()
        SpikeInput.from_steps(item.steps, item.targets, item.weights, n_targets=n_targets, n_steps=n_steps)
        steps.append(item.steps)
        flat.append(item.targets + b * n_targets)
        weights.append(item.weights)
    steps, flat, weights = np.concatenate(steps), np.concatenate(flat), np.concatenate(weights)
    order = np.argsort(steps, kind="stable")
    steps, flat, weights = steps[order], flat[order], weights[order]
    return np.searchsorted(steps, np.arange(n_steps + 1)), flat, weights


def simulate_li_rinzel(model: LiRinzelAstrocyte, n_astrocytes: int, n_steps: int, dt: float,
                       spikes=None, *, record_every: int = 1, initial: dict | None = None, batch: int = 1,
                       device="cpu", dtype=torch.float64) -> AstroTraces:
    """As :func:`biomem.backends.numba.astrocytes.simulate_li_rinzel`; ``spikes`` may be a list of
    ``batch`` inputs. Traces have shape (n_samples, n_astrocytes), or (n_samples, batch, n_astrocytes)
    when ``batch > 1``."""
    device, dtype = resolve(device, dtype)
    n, ip3, ca, h, rows, first = lr_setup(model, n_astrocytes, n_steps, dt, None, record_every, initial)
    ptr, flat, weights = _batched_events(spikes, batch, n_steps, n)
    lr = LiRinzelTorch(model)

    def tensor(values):
        return torch.as_tensor(np.tile(values, batch), dtype=dtype, device=device)

    x = [tensor(ip3), tensor(ca), tensor(h)]
    flat_t = torch.as_tensor(flat, dtype=torch.int64, device=device)
    jumps = torch.as_tensor(model.delta_IP3 * weights, dtype=dtype, device=device)
    out = [[] for _ in range(3)]
    started = time.perf_counter()
    with torch.no_grad(), threads(None, device):
        for k in range(n_steps + 1):
            if k % record_every == 0:
                for store, value in zip(out, x):
                    store.append(value.clone())
            if k == n_steps:
                break
            x = list(lr.step(*x, dt))
            lo, hi = ptr[k], ptr[k + 1]
            if hi > lo:
                # NEST adds delta_IP3 * (summed weights); one jump per event is the same to rounding.
                x[0] = x[0].index_add(0, flat_t[lo:hi], jumps[lo:hi])
    wall = time.perf_counter() - started
    shape = (rows.size, batch, n) if batch > 1 else (rows.size, n)
    arrays = [torch.stack(store).reshape(shape).cpu().numpy() for store in out]
    state = {"IP3": arrays[0], "Ca_astro": arrays[1], "h_IP3R": arrays[2], "SIC": model.sic(arrays[1])}
    return AstroTraces(rows * dt, state, "torch", wall_s=wall)


# -- G-ChI astrocytes and tripartite synapses --------------------------------------------------

class GChITorch:
    """Right-hand side of :class:`GChIAstrocyte` (per second) on tensors."""

    def __init__(self, model: GChIAstrocyte):
        self.p = model

    def rhs(self, gam, ip3, c, h, x_a, g_a, y_in, i_bias):
        """Time derivatives per second of ``(Gamma_A, I, C, h, x_A, G_A)`` (``I``, ``C``, ``G_A`` in
        uM, so uM/s) given the summed neurotransmitter ``y_in`` (uM) and the exogenous-flow target
        ``i_bias`` (uM). Gliotransmitter release is a jump, applied outside."""
        p = self.p
        d_gam = p.O_N * y_in * (1.0 - gam) - p.Omega_N * (1.0 + p.zeta * c / (c + p.K_KC)) * gam
        j_beta = p.O_beta * gam
        j_delta = p.O_delta / (1.0 + ip3 / p.kappa_delta) * c ** 2 / (c ** 2 + p.K_delta ** 2)
        j_3k = p.O_3K * c ** 4 / (c ** 4 + p.K_D ** 4) * ip3 / (ip3 + p.K_3K)
        j_5p = p.Omega_5P * ip3
        delta_bias = ip3 - i_bias
        j_ex = -p.F_ex / 2 * (1.0 + torch.tanh((torch.abs(delta_bias) - p.I_Theta) / p.omega_I)) * \
            torch.sign(delta_bias)
        d_i = j_beta + j_delta - j_3k - j_5p + j_ex
        q_2 = p.d_2 * (ip3 + p.d_1) / (ip3 + p.d_3)
        m_inf = ip3 / (ip3 + p.d_1) * c / (c + p.d_5)
        h_inf = q_2 / (q_2 + c)
        tau_h = 1.0 / (p.O_2 * (q_2 + c))
        d_c = (p.Omega_C * m_inf ** 3 * h ** 3 + p.Omega_L) * (p.C_T - (1.0 + p.rho_A) * c) - \
            p.O_P * c ** 2 / (c ** 2 + p.K_P ** 2)
        d_h = (h_inf - h) / tau_h
        return d_gam, d_i, d_c, d_h, p.Omega_A * (1.0 - x_a), -p.Omega_e * g_a

    def step(self, x, y_in, i_bias, dt: float):
        """RK4 over ``dt`` s of the six state tensors ``x`` (Gamma_A, I, C, h, x_A, G_A)."""
        k1 = [dt * d for d in self.rhs(*x, y_in, i_bias)]
        k2 = [dt * d for d in self.rhs(*(v + k / 2 for v, k in zip(x, k1)), y_in, i_bias)]
        k3 = [dt * d for d in self.rhs(*(v + k / 2 for v, k in zip(x, k2)), y_in, i_bias)]
        k4 = [dt * d for d in self.rhs(*(v + k for v, k in zip(x, k3)), y_in, i_bias)]
        return [v + (a + 2 * b + 2 * c + d) / 6 for v, a, b, c, d in zip(x, k1, k2, k3, k4)]


def simulate_tripartite(astrocyte: GChIAstrocyte, synapse: TripartiteSynapse, n_astrocytes: int, n_synapses: int,
                        n_steps: int, dt: float, spikes: SpikeInput | None = None, *,
                        syn_to_astro=((), ()), astro_to_syn=((), ()), I_bias=0.0, record_every: int = 1,
                        initial: dict | None = None, device="cpu", dtype=torch.float64) -> AstroTraces:
    """As :func:`biomem.backends.numba.astrocytes.simulate_tripartite`, on tensors."""
    device, dtype = resolve(device, dtype)
    setup = tripartite_setup(astrocyte, synapse, n_astrocytes, n_synapses, n_steps, dt, spikes, syn_to_astro,
                             astro_to_syn, I_bias, record_every, initial)
    rows, spikes = setup["rows"], setup["spikes"]
    n_astro, n_syn = setup["n_astro"], setup["n_syn"]

    def t(values, kind=dtype):
        return torch.as_tensor(np.asarray(values), dtype=kind, device=device)

    x = [t(row) for row in setup["astro"]]
    u, xs, ys, gs = (t(row) for row in setup["syn"])
    bias = t(setup["I_bias"])
    sa_syn, sa_astro = (t(v, torch.int64) for v in setup["sa"])
    as_astro, as_syn = (t(v, torch.int64) for v in setup["as"])
    armed = torch.ones(n_astro, dtype=torch.bool, device=device)
    ptr = spikes.pointers(n_steps)
    pre = t(spikes.targets, torch.int64)
    gchi, p, s = GChITorch(astrocyte), astrocyte, synapse
    dt_s = dt / 1000.0
    e_f, e_d, e_c = (float(np.exp(-rate * dt_s)) for rate in (s.Omega_f, s.Omega_d, s.Omega_c))
    rec_astro, rec_syn, releases, r_out = [], [], [], np.empty(spikes.steps.size)
    started = time.perf_counter()
    with torch.no_grad(), threads(None, device):
        for k in range(n_steps + 1):
            if k % record_every == 0:
                rec_astro.append(torch.stack(x) if n_astro else torch.zeros((6, 0), dtype=dtype))
                rec_syn.append(torch.stack([u, xs, ys, gs]) if n_syn else torch.zeros((4, 0), dtype=dtype))
            if k == n_steps:
                break
            y_in = torch.zeros(n_astro, dtype=dtype, device=device).index_add(0, sa_astro, ys[sa_syn])
            g_in = torch.zeros(n_syn, dtype=dtype, device=device).index_add(0, as_syn, x[5][as_astro])
            armed = armed | ~(x[2] > p.C_Theta)
            x = gchi.step(x, y_in, bias, dt_s)
            u = u * e_f
            xs = 1.0 - (1.0 - xs) * e_d
            ys = ys * e_c
            rate = s.O_G * g_in + s.Omega_G
            g_inf = s.O_G * g_in / rate
            gs = g_inf + (gs - g_inf) * torch.exp(-rate * dt_s)
            released = armed & (x[2] > p.C_Theta)
            armed = armed & ~released
            for e in range(ptr[k], ptr[k + 1]):
                # Sequential: two spikes of one synapse in a step act one after the other.
                j = pre[e]
                u_0 = (1.0 - gs[j]) * s.U_0_star + s.alpha * gs[j]
                u[j] = u[j] + u_0 * (1.0 - u[j])
                r_s = u[j] * xs[j]
                xs[j] = xs[j] - r_s
                ys[j] = ys[j] + s.rho_c * s.Y_T * r_s
                r_out[e] = float(r_s)
            if bool(released.any()):
                x[5] = torch.where(released, x[5] + p.rho_e * p.G_T * p.U_A * x[4], x[5])
                x[4] = torch.where(released, x[4] - p.U_A * x[4], x[4])
                for a in torch.nonzero(released).flatten().tolist():
                    releases.append((k, a))
    wall = time.perf_counter() - started
    out_astro = torch.stack(rec_astro).permute(0, 1, 2).cpu().numpy()
    out_syn = torch.stack(rec_syn).cpu().numpy()
    return tripartite_traces(rows * dt, out_astro, out_syn, releases, r_out, "torch", wall)
