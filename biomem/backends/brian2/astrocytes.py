"""Astrocyte models as Brian2 equations (runtime ``numpy`` target), built from the descriptions.

The equation strings below are fixed text: parameter values are never formatted into code, they
are handed to Brian2 as a ``namespace`` of quantities built from the frozen dataclasses (rates as
``Hz``, time constants as ``second``; concentrations are plain numbers in uM).

Schedule of one step at clock time ``t_k`` (Brian2 slots ``start -> groups -> thresholds ->
synapses -> resets``), the scheme of :mod:`biomem.backends.numba.astrocytes`:

- ``start``: StateMonitors record sample ``k``;
- ``groups``: summed coupling variables (``Y_S`` into astrocytes, ``G_A`` into synapses, order -1),
  then the state updaters (``method='rk4'`` for astrocytes, ``'exact'`` for synapses, order 0),
  then Li-Rinzel's Ca clip to ``[0, Ca_tot]`` (``run_regularly``, order 1);
- ``thresholds``: gliotransmitter release test ``C > C_Theta`` (refractory while ``C > C_Theta``);
  SpikeGeneratorGroups emit the input spikes of step ``k``;
- ``synapses``: input spikes act (``IP3 += delta_IP3 w``; the tripartite synapse's jump);
- ``resets``: gliotransmitter release ``G_A += rho_e G_T U_A x_A; x_A -= U_A x_A``.

Input events are given to a SpikeGeneratorGroup with one generator neuron per distinct
(target, weight) pair, so any per-event weight is exact; a tripartite synapse may receive at most
one spike per step here (Brian2's SpikeGeneratorGroup cannot repeat an index within a step).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from biomem.astrocytes.common import AstroTraces, SpikeInput
from biomem.astrocytes.description import GChIAstrocyte, LiRinzelAstrocyte, TripartiteSynapse
from biomem.astrocytes.arrays import lr_setup, tripartite_setup, tripartite_traces
from biomem.errors import BiomemError

#: Li-Rinzel (NEST ``astrocyte_lr_1994``). ``c`` is Ca clipped inside the fluxes.
LI_RINZEL_EQUATIONS = """
dIP3/dt = (IP3_0 - IP3)/tau_IP3 : 1
dCa_astro/dt = J_channel - J_pump + J_leak : 1
dh_IP3R/dt = alpha_h*(1 - h_IP3R) - beta_h*h_IP3R : 1
c = clip(Ca_astro, 0, Ca_tot) : 1
alpha_h = k_IP3R*Kd_inh*(IP3 + Kd_IP3_1)/(IP3 + Kd_IP3_2) : Hz
beta_h = k_IP3R*c : Hz
J_pump = rate_SERCA*c**2/(Km_SERCA**2 + c**2) : Hz
m_inf = IP3/(IP3 + Kd_IP3_1) : 1
n_inf = c/(c + Kd_act) : 1
Ca_ER = (Ca_tot - c)/ratio_ER_cyt : 1
J_leak = ratio_ER_cyt*rate_L*(Ca_ER - c) : Hz
J_channel = ratio_ER_cyt*rate_IP3R*m_inf**3*n_inf**3*h_IP3R**3*(Ca_ER - c) : Hz
SIC = SIC_scale*log(clip((Ca_astro - SIC_th)*1000, 1, inf)) : 1
"""

#: NEST 3.10 clips the state's calcium after each step.
LI_RINZEL_CLIP = "Ca_astro = clip(Ca_astro, 0, Ca_tot)"

#: Input synapse onto a Li-Rinzel astrocyte.
LI_RINZEL_INPUT = "w : 1 (constant)"
LI_RINZEL_ON_PRE = "IP3_post += delta_IP3*w"

#: G-ChI astrocyte (Brian2 neuron-glia examples); ``Y_S`` is the summed synaptic input.
GCHI_EQUATIONS = """
dGamma_A/dt = O_N*Y_S*(1 - Gamma_A) - Omega_N*(1 + zeta*C/(C + K_KC))*Gamma_A : 1
dI/dt = J_beta + J_delta - J_3K - J_5P + J_ex : 1
J_beta = O_beta*Gamma_A : Hz
J_delta = O_delta/(1 + I/kappa_delta)*C**2/(C**2 + K_delta**2) : Hz
J_3K = O_3K*C**4/(C**4 + K_D**4)*I/(I + K_3K) : Hz
J_5P = Omega_5P*I : Hz
delta_I_bias = I - I_bias : 1
J_ex = -F_ex/2*(1 + tanh((abs(delta_I_bias) - I_Theta)/omega_I))*sign(delta_I_bias) : Hz
I_bias : 1 (constant)
dC/dt = (Omega_C*m_inf**3*h**3 + Omega_L)*(C_T - (1 + rho_A)*C) - O_P*C**2/(C**2 + K_P**2) : 1
dh/dt = (h_inf - h)/tau_h : 1
m_inf = I/(I + d_1)*C/(C + d_5) : 1
h_inf = Q_2/(Q_2 + C) : 1
tau_h = 1/(O_2*(Q_2 + C)) : second
Q_2 = d_2*(I + d_1)/(I + d_3) : 1
dx_A/dt = Omega_A*(1 - x_A) : 1
dG_A/dt = -Omega_e*G_A : 1
Y_S : 1
"""
GCHI_THRESHOLD = "C > C_Theta"
GCHI_RELEASE = "G_A += rho_e*G_T*U_A*x_A\nx_A -= U_A*x_A"

#: Tripartite synapse: Tsodyks-Markram with gliotransmitter-modulated resting release probability.
SYNAPSE_EQUATIONS = """
dY_S/dt = -Omega_c*Y_S : 1 (clock-driven)
dGamma_S/dt = O_G*G_A*(1 - Gamma_S) - Omega_G*Gamma_S : 1 (clock-driven)
du_S/dt = -Omega_f*u_S : 1 (clock-driven)
dx_S/dt = Omega_d*(1 - x_S) : 1 (clock-driven)
r_S : 1
G_A : 1
"""
SYNAPSE_ON_PRE = """
U_0 = (1 - Gamma_S)*U_0_star + alpha*Gamma_S
u_S += U_0*(1 - u_S)
r_S = u_S*x_S
x_S -= r_S
Y_S += rho_c*Y_T*r_S
"""

_LR_RATES = ("k_IP3R", "rate_IP3R", "rate_L", "rate_SERCA")   # 1/ms or uM/ms
_GCHI_RATES = ("O_P", "Omega_C", "Omega_L", "O_2", "O_beta", "O_N", "Omega_N", "O_delta", "Omega_5P", "O_3K",
               "F_ex", "Omega_A", "Omega_e")                  # 1/s, uM/s or 1/(uM s)
_SYN_RATES = ("Omega_c", "Omega_f", "Omega_d", "O_G", "Omega_G")


def li_rinzel_namespace(model: LiRinzelAstrocyte) -> dict:
    """Brian2 namespace of :data:`LI_RINZEL_EQUATIONS` (concentrations in uM as plain numbers)."""
    import brian2 as b2
    namespace = {name: float(getattr(model, name)) for name in LiRinzelAstrocyte.NEST_PARAMETERS}
    for name in _LR_RATES:
        namespace[name] = float(getattr(model, name)) / b2.ms
    namespace["tau_IP3"] = float(model.tau_IP3) * b2.ms
    return namespace


def gchi_namespace(model: GChIAstrocyte) -> dict:
    """Brian2 namespace of :data:`GCHI_EQUATIONS` (rates as Hz, concentrations in uM as plain numbers)."""
    import brian2 as b2
    namespace = {name: float(getattr(model, name)) for name in GChIAstrocyte.PARAMETERS}
    for name in _GCHI_RATES:
        namespace[name] = float(getattr(model, name)) * b2.Hz
    return namespace


def synapse_namespace(model: TripartiteSynapse) -> dict:
    """Brian2 namespace of :data:`SYNAPSE_EQUATIONS` and :data:`SYNAPSE_ON_PRE` (rates as Hz)."""
    import brian2 as b2
    namespace = {name: float(getattr(model, name)) for name in TripartiteSynapse.PARAMETERS}
    for name in _SYN_RATES:
        namespace[name] = float(getattr(model, name)) * b2.Hz
    return namespace


@contextmanager
def numpy_target():
    """Brian2's runtime numpy target with loop-invariant rewriting off (keeps the kernels' arithmetic)."""
    from brian2 import prefs
    wanted = {"codegen.target": "numpy", "codegen.loop_invariant_optimisations": False}
    saved = {name: prefs[name] for name in wanted}
    try:
        for name, value in wanted.items():
            prefs[name] = value
        yield
    finally:
        for name, value in saved.items():
            prefs[name] = value


def li_rinzel_group(b2, model: LiRinzelAstrocyte, n: int, dt, name: str = "astrocytes", initial=None, order=0):
    """A NeuronGroup of ``n`` Li-Rinzel astrocytes on a clock of step ``dt`` and its Ca clip.

    Returns ``(group, clip_operation)``; add both to the network.
    """
    group = b2.NeuronGroup(n, LI_RINZEL_EQUATIONS, method="rk4", dt=dt, name=name, order=order,
                           namespace=li_rinzel_namespace(model))
    ip3, ca, h = initial if initial is not None else model.initial_state()
    group.IP3, group.Ca_astro, group.h_IP3R = ip3, ca, h
    clip = group.run_regularly(LI_RINZEL_CLIP, when="groups", order=order + 1, dt=dt, name=f"{name}_clip")
    return group, clip


def _generator(b2, spikes: SpikeInput, dt, name):
    """SpikeGeneratorGroup with one neuron per distinct (target, weight); returns (group, targets, weights)."""
    pairs, index = np.unique(np.stack([spikes.targets.astype(float), spikes.weights]), axis=1, return_inverse=True)
    index = np.asarray(index).reshape(-1)
    step_index = np.stack([spikes.steps, index], axis=1)
    if np.unique(step_index, axis=0).shape[0] != step_index.shape[0]:
        # The same (target, weight) twice in a step: sum them into one event with twice the weight.
        raise BiomemError("spikes", "repeats the same target and weight within one step",
                          "merge such events (sum their weights) before running on brian2")
    group = b2.SpikeGeneratorGroup(pairs.shape[1], index, spikes.steps * dt, dt=dt, name=name)
    return group, pairs[0].astype(np.int64), pairs[1]


def simulate_li_rinzel(model: LiRinzelAstrocyte, n_astrocytes: int, n_steps: int, dt: float,
                       spikes: SpikeInput | None = None, *, record_every: int = 1,
                       initial: dict | None = None) -> AstroTraces:
    """As :func:`biomem.backends.numba.astrocytes.simulate_li_rinzel`, in Brian2."""
    import brian2 as b2
    n, ip3, ca, h, rows, spikes = lr_setup(model, n_astrocytes, n_steps, dt, spikes, record_every, initial)
    step = dt * b2.ms
    with numpy_target():
        group, clip = li_rinzel_group(b2, model, n, step, initial=(ip3, ca, h))
        objects = [group, clip]
        if spikes.steps.size:
            generator, targets, weights = _generator(b2, spikes, step, "astro_input")
            synapses = b2.Synapses(generator, group, LI_RINZEL_INPUT, on_pre=LI_RINZEL_ON_PRE, dt=step,
                                   namespace={"delta_IP3": float(model.delta_IP3)}, name="astro_input_syn")
            synapses.connect(i=np.arange(targets.size), j=targets)
            synapses.w = weights
            objects += [generator, synapses]
        monitor = b2.StateMonitor(group, ["IP3", "Ca_astro", "h_IP3R"], record=True, when="start",
                                  dt=record_every * step, name="astro_monitor")
        net = b2.Network(*objects, monitor)
        started = time.perf_counter()
        net.run(n_steps * step, namespace={})
        wall = time.perf_counter() - started
        traces = [np.asarray(getattr(monitor, name)).T for name in ("IP3", "Ca_astro", "h_IP3R")]
        final = [np.asarray(getattr(group, name)[:], float) for name in ("IP3", "Ca_astro", "h_IP3R")]
    if rows[-1] == n_steps:
        traces = [np.vstack([trace, last[None, :]]) for trace, last in zip(traces, final)]
    traces = [trace[:rows.size] for trace in traces]
    state = {"IP3": traces[0], "Ca_astro": traces[1], "h_IP3R": traces[2], "SIC": model.sic(traces[1])}
    return AstroTraces(rows * dt, state, "brian2", wall_s=wall)


def simulate_tripartite(astrocyte: GChIAstrocyte, synapse: TripartiteSynapse, n_astrocytes: int, n_synapses: int,
                        n_steps: int, dt: float, spikes: SpikeInput | None = None, *,
                        syn_to_astro=((), ()), astro_to_syn=((), ()), I_bias=0.0, record_every: int = 1,
                        initial: dict | None = None) -> AstroTraces:
    """As :func:`biomem.backends.numba.astrocytes.simulate_tripartite`, in Brian2 (one spike per
    synapse and step at most)."""
    import brian2 as b2
    setup = tripartite_setup(astrocyte, synapse, n_astrocytes, n_synapses, n_steps, dt, spikes, syn_to_astro,
                             astro_to_syn, I_bias, record_every, initial)
    rows, spikes = setup["rows"], setup["spikes"]
    n_astro, n_syn = setup["n_astro"], setup["n_syn"]
    if n_astro == 0 or n_syn == 0:
        raise BiomemError("n_astrocytes" if n_astro == 0 else "n_synapses", "is 0 on brian2",
                          "at least one astrocyte and one synapse (use numba or torch otherwise)")
    pairs = np.stack([spikes.steps, spikes.targets], axis=1)
    if np.unique(pairs, axis=0).shape[0] != pairs.shape[0]:
        raise BiomemError("spikes", "a synapse receives two spikes in one step", "at most one per synapse and step")
    step = dt * b2.ms
    with numpy_target():
        astro = b2.NeuronGroup(n_astro, GCHI_EQUATIONS, threshold=GCHI_THRESHOLD, refractory=GCHI_THRESHOLD,
                               reset=GCHI_RELEASE, method="rk4", dt=step, name="gchi",
                               namespace=gchi_namespace(astrocyte))
        for v, name in enumerate(GChIAstrocyte.STATE):
            setattr(astro, name, setup["astro"][v])
        astro.I_bias = setup["I_bias"]
        generator = b2.SpikeGeneratorGroup(n_syn, spikes.targets, spikes.steps * step, dt=step, name="presyn")
        dummy = b2.NeuronGroup(1, "", dt=step, name="postsyn")
        syn = b2.Synapses(generator, dummy, SYNAPSE_EQUATIONS, on_pre=SYNAPSE_ON_PRE, method="exact", dt=step,
                          namespace=synapse_namespace(synapse), name="tripartite")
        syn.connect(i=np.arange(n_syn), j=np.zeros(n_syn, np.int64))
        for v, name in enumerate(TripartiteSynapse.STATE):
            setattr(syn, name, setup["syn"][v])
        objects = [astro, generator, dummy, syn]
        if setup["sa"][0].size:
            to_astro = b2.Synapses(syn, astro, "Y_S_post = Y_S_pre : 1 (summed)", dt=step, name="syn_to_astro")
            to_astro.connect(i=setup["sa"][0], j=setup["sa"][1])
            objects.append(to_astro)
        if setup["as"][0].size:
            to_syn = b2.Synapses(astro, syn, "G_A_post = G_A_pre : 1 (summed)", dt=step, name="astro_to_syn")
            to_syn.connect(i=setup["as"][0], j=setup["as"][1])
            objects.append(to_syn)
        mon_astro = b2.StateMonitor(astro, list(GChIAstrocyte.STATE), record=True, when="start",
                                    dt=record_every * step, name="gchi_monitor")
        syn_vars = list(TripartiteSynapse.STATE) + ["r_S"]
        mon_syn = b2.StateMonitor(syn, syn_vars, record=np.arange(n_syn), when="start", dt=step,
                                  name="tripartite_monitor")
        releases = b2.SpikeMonitor(astro, name="release_monitor")
        net = b2.Network(*objects, mon_astro, mon_syn, releases)
        started = time.perf_counter()
        net.run(n_steps * step, namespace={})
        wall = time.perf_counter() - started
        astro_traces = np.stack([np.asarray(getattr(mon_astro, name)).T for name in GChIAstrocyte.STATE], axis=1)
        syn_all = {name: np.asarray(getattr(mon_syn, name)).T for name in syn_vars}
        final_astro = np.stack([np.asarray(getattr(astro, name)[:], float) for name in GChIAstrocyte.STATE])
        final_syn = {name: np.asarray(getattr(syn, name)[:], float) for name in syn_vars}
        release_steps = np.rint(np.asarray(releases.t / step)).astype(np.int64)
        release_astro = np.asarray(releases.i, np.int64)
    if rows[-1] == n_steps:
        astro_traces = np.concatenate([astro_traces, final_astro[None]], axis=0)
    astro_traces = astro_traces[:rows.size]
    syn_full = {name: np.vstack([syn_all[name], final_syn[name][None, :]]) for name in syn_vars}
    # r_S keeps the value of the last release: the sample after a spike's step holds that spike's r_S.
    r_s = syn_full["r_S"][spikes.steps + 1, spikes.targets]
    syn_traces = np.stack([syn_full[name][rows] for name in TripartiteSynapse.STATE], axis=1)
    order = np.lexsort((release_astro, release_steps))
    return tripartite_traces(rows * dt, astro_traces, syn_traces,
                             np.stack([release_steps[order], release_astro[order]], axis=1), r_s, "brian2", wall)
