"""Li-Rinzel astrocytes coupled to a network of LIF neurons, as Brian2 groups (runtime numpy target).

The neurons are the engine's closed-form update written as Brian2 code, astrocytes the groups of
:mod:`biomem.backends.brian2.astrocytes`; the order within a step is the one
:mod:`biomem.astrocytes.coupling` documents.
"""

from __future__ import annotations

import time

import numpy as np

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
from biomem.backends.brian2.astrocytes import li_rinzel_group, li_rinzel_namespace, numpy_target


#: Neurons of a lowered network as the Numba kernel steps them; ``I_SIC`` is summed from astrocytes.
CELL_MODEL = """
v : 1
g_E : 1
g_I : 1
buf_E : 1
buf_I : 1
countdown : 1
fire : 1
I_SIC : 1
I_SIC_sum : 1
v_rest : 1 (constant)
v_reset : 1 (constant)
v_thresh : 1 (constant)
c_m : 1 (constant)
tau_m : 1 (constant)
i_offset : 1 (constant)
decay_m : 1 (constant)
decay_E : 1 (constant)
decay_I : 1 (constant)
scale_E : 1 (constant)
scale_I : 1 (constant)
refrac_steps : 1 (constant)
e_rev_E : 1 (constant)
e_rev_I : 1 (constant)
"""

#: One step of a current-based neuron: the kernel's decay (end of the previous step) and arrivals,
#: then the closed-form membrane update where not refractory. ``x*on + y*(1 - on)`` selects exactly.
CURRENT_CELL_UPDATE = """
g_E = g_E*decay_E + buf_E*scale_E
g_I = g_I*decay_I + buf_I*scale_I
buf_E = 0
buf_I = 0
on = int(countdown <= 0)
drive = (g_E - g_I + i_offset + I_SIC)*tau_m/c_m + v_rest
v = (drive - decay_m*(drive - v))*on + v*(1 - on)
countdown = countdown - (1 - on)
fire = on*int(v >= v_thresh)
"""

CONDUCTANCE_CELL_UPDATE = """
g_E = g_E*decay_E + buf_E*scale_E
g_I = g_I*decay_I + buf_I*scale_I
buf_E = 0
buf_I = 0
on = int(countdown <= 0)
leak = c_m/tau_m
total = leak + g_E + g_I
v_inf = (leak*v_rest + g_E*e_rev_E + g_I*e_rev_I + i_offset + I_SIC)/total
v = (v_inf - exp(-dt_ms*total/c_m)*(v_inf - v))*on + v*(1 - on)
countdown = countdown - (1 - on)
fire = on*int(v >= v_thresh)
"""
CELL_THRESHOLD = "fire > 0.5"
CELL_RESET = "v = v_reset\ncountdown = refrac_steps"
CELL_SYNAPSE = "w : 1 (constant)\nexc : 1 (constant)"
CELL_ON_PRE = "buf_E_post += w*exc\nbuf_I_post += w*(1 - exc)"
SIC_SYNAPSE = "w : 1 (constant)\nI_SIC_sum_post = w*SIC_pre : 1 (summed)"
#: Brian2 refreshes summed variables on the target's (neuron) clock; the membrane reads ``I_SIC``,
#: copied only at astrocyte ticks, before the astrocytes step (the Numba kernel's hold).
SIC_HOLD = "I_SIC = I_SIC_sum"


def simulate_coupled(lowered, astro, **options):
    """A lowered network with lowered astrocytes, in Brian2 (see :mod:`biomem.astrocytes.coupling`).

    Supported: networks whose neurons are all current-based or all conductance-based, ``sic_delay = 0``.
    A lowered delay of ``d`` steps becomes a Brian2 delay ``(d - 1) dt`` into a buffer that the next
    step's update consumes (the kernel's ring buffer).
    """
    import brian2 as b2
    from biomem.astrocytes.coupling import CoupledResult
    if options:
        raise BiomemError("options", f"brian2 takes no options here, got {', '.join(options)}", "none")
    layer = astro.layer
    if layer.sic_delay:
        raise BiomemError("sic_delay", f"{layer.sic_delay} is not supported on brian2", "0 (or use numba/torch)")
    cells = np.flatnonzero(~lowered.is_source)
    sources = np.flatnonzero(lowered.is_source)
    if cells.size == 0:
        raise BiomemError("network", "has no neuron (only spike sources)", "at least one LIF population")
    kinds = set(lowered.conductance[cells].tolist())
    if len(kinds) > 1:
        raise BiomemError("network", "mixes current- and conductance-based neurons on brian2",
                          "one kind of neuron (or use numba/torch)")
    conductance = kinds.pop()
    local = np.full(lowered.n_neurons, -1, np.int64)
    local[cells] = np.arange(cells.size)
    local[sources] = np.arange(sources.size)
    step = lowered.dt * b2.ms
    step_astro = step * layer.astro_every
    with numpy_target():
        group = b2.NeuronGroup(cells.size, CELL_MODEL, threshold=CELL_THRESHOLD, reset=CELL_RESET, dt=step,
                               name="cells", namespace={"dt_ms": float(lowered.dt)})
        for name, values in (("v", lowered.v_init), ("v_rest", lowered.v_rest), ("v_reset", lowered.v_reset),
                             ("v_thresh", lowered.v_thresh), ("c_m", lowered.cm), ("tau_m", lowered.tau_m),
                             ("i_offset", lowered.i_offset), ("decay_m", lowered.decay_m),
                             ("decay_E", lowered.decay_E), ("decay_I", lowered.decay_I), ("scale_E", lowered.scale_E),
                             ("scale_I", lowered.scale_I), ("refrac_steps", lowered.refrac_steps.astype(float)),
                             ("e_rev_E", lowered.e_rev_E), ("e_rev_I", lowered.e_rev_I)):
            setattr(group, name, np.asarray(values, float)[cells])
        # Order in the groups slot: summed I_SIC_sum (-1), hold at ticks (0), astrocytes and neurons (1), clip (2).
        update = group.run_regularly(CONDUCTANCE_CELL_UPDATE if conductance else CURRENT_CELL_UPDATE,
                                     when="groups", order=1, dt=step, name="cells_update")
        objects = [group, update]
        generator = None
        if sources.size:
            steps = lowered.source_steps
            generator = b2.SpikeGeneratorGroup(sources.size, local[lowered.source_neurons], steps * step, dt=step,
                                               name="sources")
            objects.append(generator)
        astro_group, clip = li_rinzel_group(b2, layer.astrocyte, layer.n, step_astro, initial=astro.initial,
                                            order=1)
        objects += [astro_group, clip]
        b2.BrianLogger.suppress_name("synapses_dt_mismatch")   # spikes reach IP3 between ticks, by design

        def pre_group(is_src):
            return generator if is_src else group

        for is_src in (False, True):
            chosen = np.flatnonzero(lowered.is_source[lowered.syn_pre] == is_src)
            if chosen.size:
                syn = b2.Synapses(pre_group(is_src), group, CELL_SYNAPSE, on_pre=CELL_ON_PRE, dt=step,
                                  name="from_sources" if is_src else "recurrent")
                syn.connect(i=local[lowered.syn_pre[chosen]], j=local[lowered.syn_post[chosen]])
                syn.w = lowered.syn_weight[chosen]
                syn.exc = (lowered.syn_receptor[chosen] == 0).astype(float)
                syn.delay = (lowered.syn_delay[chosen] - 1) * step
                objects.append(syn)
            neurons = np.repeat(np.arange(lowered.n_neurons), np.diff(astro.gather_ptr))
            pick = np.flatnonzero(lowered.is_source[neurons] == is_src)
            if pick.size:
                feed = b2.Synapses(pre_group(is_src), astro_group, LI_RINZEL_INPUT, on_pre=LI_RINZEL_ON_PRE, dt=step,
                                   namespace={"delta_IP3": float(layer.astrocyte.delta_IP3)},
                                   name="sources_to_astro" if is_src else "cells_to_astro")
                feed.connect(i=local[neurons[pick]], j=astro.gather_astro[pick])
                feed.w = astro.gather_weight[pick]
                objects.append(feed)
        if astro.sic_neuron.size:
            owners = np.repeat(np.arange(layer.n), np.diff(astro.sic_ptr))
            sic = b2.Synapses(astro_group, group, SIC_SYNAPSE, dt=step, name="astro_sic",
                              namespace=li_rinzel_namespace(layer.astrocyte))
            sic.connect(i=owners, j=local[astro.sic_neuron])
            sic.w = astro.sic_weight
            objects += [sic, group.run_regularly(SIC_HOLD, when="groups", order=0, dt=step_astro, name="sic_hold")]
        rec = lowered.recorded_neurons("v")
        spikes = b2.SpikeMonitor(group, name="cell_spikes")
        objects.append(spikes)
        monitor = None
        if rec.size:
            monitor = b2.StateMonitor(group, ["v", "I_SIC"], record=local[rec], when="end", dt=step,
                                      name="cell_monitor")
            objects.append(monitor)
        astro_monitor = b2.StateMonitor(astro_group, ["IP3", "Ca_astro", "h_IP3R"], record=True, when="start",
                                        dt=step_astro, name="astro_monitor")
        net = b2.Network(*objects, astro_monitor)
        started = time.perf_counter()
        net.run(lowered.n_steps * step, namespace={})
        wall = time.perf_counter() - started
        cell_steps = np.rint(np.asarray(spikes.t / step)).astype(np.int64)
        cell_neurons = cells[np.asarray(spikes.i, np.int64)]
        trace_v = np.asarray(monitor.v).T if monitor is not None else np.zeros((lowered.n_steps, 0))
        trace_sic = np.asarray(monitor.I_SIC).T if monitor is not None else np.zeros((lowered.n_steps, 0))
        names = ("IP3", "Ca_astro", "h_IP3R")
        samples = {name: np.vstack([np.asarray(getattr(astro_monitor, name)).T,
                                    np.asarray(getattr(astro_group, name)[:], float)[None, :]]) for name in names}
    all_steps = np.concatenate([cell_steps, lowered.source_steps])
    all_neurons = np.concatenate([cell_neurons, lowered.source_neurons])
    order = np.lexsort((all_neurons, all_steps))
    samples["SIC"] = layer.astrocyte.sic(samples["Ca_astro"])
    times = np.arange(astro.n_ticks + 1) * lowered.dt * layer.astro_every
    return CoupledResult(lowered, all_steps[order], all_neurons[order], trace_v, trace_sic, samples, times, "brian2",
                         wall)
