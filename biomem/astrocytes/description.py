"""Astrocyte models as frozen, validated descriptions: every integrator reads these, none redefines them.

Three building blocks:

* :class:`LiRinzelAstrocyte` -- the Li & Rinzel (1994) calcium model with the input and output of
  Nadkarni & Jung (2003), exactly as NEST 3.10 implements it in ``astrocyte_lr_1994`` (same
  parameter names, units and defaults). Units: uM and ms.
* :class:`GChIAstrocyte` -- the G-ChI model of De Pitta et al. (2009) with gliotransmitter release,
  as written in Brian2's neuron-glia examples (Stimberg et al. 2019). Units: uM and s (as published).
* :class:`TripartiteSynapse` -- a Tsodyks-Markram synapse whose resting release probability is
  modulated by the gliotransmitter of an astrocyte (De Pitta et al. 2011; Stimberg et al. 2019).
  Units: uM and s.

Time steps handed to the integrators are always in ms (biomem's unit); the G-ChI and tripartite
integrators convert them to seconds. Concentrations are plain numbers in uM (the published mM
values of ``Y_T`` and ``G_T`` are converted: 500 mM = 500000 uM, 200 mM = 200000 uM).

Step convention shared by every backend (NumPy/Numba, PyTorch, Brian2) and equal to NEST's
arithmetic: sample ``k`` is the state at time ``k dt`` *after* the inputs of step ``k - 1``; an input
spike of step ``k`` (time ``k dt``) is added at the start of step ``k + 1``, before the state is
integrated from ``(k + 1) dt`` -- the same numbers NEST produces when it integrates over
``(k dt, (k+1) dt]`` and then adds the spike (NEST ``spike_generator`` time ``k dt``, delay ``dt``).
See :mod:`biomem.backends.numba.astrocytes` for the step in full.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from biomem.description import validate as check
from biomem.errors import BiomemError


class _Described:
    def parameters(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class LiRinzelAstrocyte(_Described):
    """Li-Rinzel astrocyte as NEST 3.10's ``astrocyte_lr_1994`` (units uM, ms; NEST's names and defaults).

    State: ``IP3`` (uM), ``Ca_astro`` (uM, written ``Ca`` below), ``h_IP3R`` (``h``, dimensionless).

    .. math::
        \\frac{d\\,IP3}{dt} = \\frac{IP3_0 - IP3}{\\tau_{IP3}}
            + \\Delta_{IP3} \\sum_{\\text{input spikes}} w\\, \\delta(t - t_{sp})

        \\frac{d\\,Ca}{dt} = J_{channel} - J_{pump} + J_{leak}

        \\frac{dh}{dt} = \\alpha_h (1 - h) - \\beta_h h

    with ``c`` = Ca clipped to ``[0, Ca_tot]`` inside the fluxes (as NEST does) and

    .. math::
        Ca_{ER} = (Ca_{tot} - c)/r_{ER}, \\quad
        m_\\infty = \\frac{IP3}{IP3 + K_{d,IP3,1}}, \\quad n_\\infty = \\frac{c}{c + K_{d,act}}

        J_{channel} = r_{ER}\\, v_{IP3R}\\, m_\\infty^3 n_\\infty^3 h^3 (Ca_{ER} - c), \\quad
        J_{leak} = r_{ER}\\, v_L (Ca_{ER} - c), \\quad
        J_{pump} = v_{SERCA} \\frac{c^2}{c^2 + K_{m,SERCA}^2}

        \\alpha_h = k_{IP3R} K_{d,inh} \\frac{IP3 + K_{d,IP3,1}}{IP3 + K_{d,IP3,2}}, \\quad \\beta_h = k_{IP3R}\\, c

    After every step the state's Ca is itself clipped to ``[0, Ca_tot]`` (NEST 3.10 does this too),
    then the step's input spikes are added to IP3 (``IP3 += delta_IP3 * sum of weights``).

    Output, the slow inward current (a dimensionless number that NEST adds, times the
    ``sic_connection`` weight, to the membrane equation of ``aeif_cond_alpha_astro`` in pA):

    .. math::
        I_{SIC} = SIC_{scale} \\ln(y)\\, H(\\ln y), \\qquad y = (Ca - SIC_{th}) / 1\\,\\mathrm{nM}

    Parameter names of the reference card / Li & Rinzel: ``d1 = Kd_IP3_1``, ``d2 = Kd_inh``,
    ``d3 = Kd_IP3_2``, ``d5 = Kd_act``, ``k3 = Km_SERCA``, ``a2 = k_IP3R``, ``v1 = rate_IP3R``,
    ``v2 = rate_L``, ``v3 = rate_SERCA``, ``c1 = ratio_ER_cyt``, ``Delta_IP3 = delta_IP3``.

    Differences from the reference card, which describes an earlier NEST release: NEST 3.10 (the
    version biomem is tested against) uses Li & Rinzel's ``Ca_ER = (Ca_tot - Ca)/c1`` (the card has
    ``Ca_tot + (Ca_tot - Ca)/c1``), clips Ca to ``[0, Ca_tot]`` (the card: ``Ca_tot (1 + c1)``), and
    its default ``delta_IP3`` is 0.0002 uM (the card: 5.0). biomem follows NEST 3.10; set
    ``delta_IP3`` to the value your study needs (NEST's own examples use 0.2).
    ``IP3`` (None: ``IP3_0``), ``Ca_astro`` and ``h_IP3R`` are the initial state, as in NEST.
    """

    Ca_tot: float = 2.0
    IP3_0: float = 0.16
    Kd_IP3_1: float = 0.13
    Kd_IP3_2: float = 0.9434
    Kd_act: float = 0.08234
    Kd_inh: float = 1.049
    Km_SERCA: float = 0.1
    SIC_scale: float = 1.0
    SIC_th: float = 0.19669
    delta_IP3: float = 0.0002
    k_IP3R: float = 0.0002
    rate_IP3R: float = 0.006
    rate_L: float = 0.00011
    rate_SERCA: float = 0.0009
    ratio_ER_cyt: float = 0.185
    tau_IP3: float = 7142.0
    IP3: float | None = None
    Ca_astro: float = 0.073
    h_IP3R: float = 0.793

    #: Parameters that NEST's ``astrocyte_lr_1994`` knows by the same name.
    NEST_PARAMETERS = ("Ca_tot", "IP3_0", "Kd_IP3_1", "Kd_IP3_2", "Kd_act", "Kd_inh", "Km_SERCA", "SIC_scale",
                       "SIC_th", "delta_IP3", "k_IP3R", "rate_IP3R", "rate_L", "rate_SERCA", "ratio_ER_cyt",
                       "tau_IP3")
    STATE = ("IP3", "Ca_astro", "h_IP3R")

    def __post_init__(self):
        # The checks NEST applies in astrocyte_lr_1994::Parameters_::set and State_::set.
        for name in ("Ca_tot", "Kd_act", "Kd_IP3_1", "Kd_IP3_2", "Km_SERCA", "ratio_ER_cyt", "SIC_scale", "tau_IP3"):
            check.positive(name, getattr(self, name))
        for name in ("IP3_0", "Kd_inh", "SIC_th", "delta_IP3", "k_IP3R", "rate_IP3R", "rate_L", "rate_SERCA",
                     "Ca_astro"):
            check.non_negative(name, getattr(self, name))
        if self.IP3 is not None:
            check.non_negative("IP3", self.IP3)
        check.real("h_IP3R", self.h_IP3R, low=0.0, high=1.0)

    @property
    def max_Ca(self) -> float:
        """Upper clip of Ca, inside the fluxes and on the state after each step: ``Ca_tot``."""
        return self.Ca_tot

    def initial_state(self) -> tuple[float, float, float]:
        """``(IP3, Ca_astro, h_IP3R)`` at t = 0."""
        return (self.IP3_0 if self.IP3 is None else self.IP3, self.Ca_astro, self.h_IP3R)

    def nest_params(self) -> dict:
        """Keyword dictionary for ``nest.Create("astrocyte_lr_1994", params=...)``."""
        params = {name: float(getattr(self, name)) for name in self.NEST_PARAMETERS}
        ip3, ca, h = self.initial_state()
        params.update(IP3=float(ip3), Ca_astro=float(ca), h_IP3R=float(h))
        return params

    def sic(self, Ca):
        """``I_SIC`` for calcium ``Ca`` (a number or a NumPy array), NEST's formula."""
        import numpy as np
        y = (np.asarray(Ca, float) - self.SIC_th) * 1000.0
        out = np.where(y > 1.0, np.log(np.maximum(y, 1.0)) * self.SIC_scale, 0.0)
        return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class GChIAstrocyte(_Described):
    """G-ChI astrocyte (De Pitta et al. 2009) with gliotransmitter release, as in Brian2's examples.

    Units: concentrations uM, rates 1/s (``O_*`` in uM/s or 1/(uM s)), time s.
    State: ``Gamma_A`` (fraction of activated receptors), ``I`` (IP3), ``C`` (Ca), ``h``,
    ``x_A`` (available gliotransmitter resources), ``G_A`` (extracellular gliotransmitter).
    Input: ``Y_S``, the summed neurotransmitter of the synapses that reach the astrocyte.

    .. math::
        \\dot\\Gamma_A = O_N Y_S (1 - \\Gamma_A) - \\Omega_N \\Big(1 + \\zeta \\frac{C}{C + K_{KC}}\\Big) \\Gamma_A

        \\dot I = J_\\beta + J_\\delta - J_{3K} - J_{5P} + J_{ex}, \\quad J_\\beta = O_\\beta \\Gamma_A, \\quad
        J_\\delta = \\frac{O_\\delta}{1 + I/\\kappa_\\delta} \\frac{C^2}{C^2 + K_\\delta^2}

        J_{3K} = O_{3K} \\frac{C^4}{C^4 + K_D^4} \\frac{I}{I + K_{3K}}, \\quad J_{5P} = \\Omega_{5P} I, \\quad
        J_{ex} = -\\frac{F_{ex}}{2}\\Big(1 + \\tanh\\frac{|I - I_{bias}| - I_\\Theta}{\\omega_I}\\Big)
                 \\mathrm{sign}(I - I_{bias})

        \\dot C = (\\Omega_C m_\\infty^3 h^3 + \\Omega_L)(C_T - (1 + \\rho_A) C) - O_P \\frac{C^2}{C^2 + K_P^2}

        \\dot h = (h_\\infty - h)/\\tau_h, \\quad m_\\infty = \\frac{I}{I + d_1}\\frac{C}{C + d_5}, \\quad
        h_\\infty = \\frac{Q_2}{Q_2 + C}, \\quad \\tau_h = \\frac{1}{O_2 (Q_2 + C)}, \\quad
        Q_2 = d_2 \\frac{I + d_1}{I + d_3}

        \\dot x_A = \\Omega_A (1 - x_A), \\qquad \\dot G_A = -\\Omega_e G_A

    Gliotransmitter release when ``C`` rises above ``C_Theta`` (once per crossing: the astrocyte is
    re-armed when a sample has ``C <= C_Theta``, Brian2's ``refractory='C>C_Theta'``):
    ``G_A += rho_e G_T U_A x_A``, ``x_A -= U_A x_A``.

    ``J_ex`` (exogenous IP3 flow towards ``I_bias``) is the stimulation of the published examples;
    it is off with ``F_ex = 0`` (default). Defaults are the parameter set of Brian2's example
    ``example_3_io_synapse.py`` (``O_beta`` = 5 uM/s from the reference card; ``K_P`` 0.05,
    ``O_delta`` 0.6, ``K_delta`` 0.1, ``Omega_5P`` 0.05, ``K_D`` 0.7). Initial state
    ``Gamma_A = I = C = G_A = 0``, ``h = 0.9``, ``x_A = 1`` as in the examples.
    """

    O_P: float = 0.9
    K_P: float = 0.05
    C_T: float = 2.0
    rho_A: float = 0.18
    Omega_C: float = 6.0
    Omega_L: float = 0.1
    d_1: float = 0.13
    d_2: float = 1.05
    O_2: float = 0.2
    d_3: float = 0.9434
    d_5: float = 0.08
    O_beta: float = 5.0
    O_N: float = 0.3
    Omega_N: float = 0.5
    K_KC: float = 0.5
    zeta: float = 10.0
    O_delta: float = 0.6
    kappa_delta: float = 1.5
    K_delta: float = 0.1
    Omega_5P: float = 0.05
    K_D: float = 0.7
    K_3K: float = 1.0
    O_3K: float = 4.5
    F_ex: float = 0.0
    I_Theta: float = 0.3
    omega_I: float = 0.05
    C_Theta: float = 0.5
    Omega_A: float = 0.6
    U_A: float = 0.6
    G_T: float = 200000.0
    rho_e: float = 6.5e-4
    Omega_e: float = 60.0
    Gamma_A: float = 0.0
    I: float = 0.0
    C: float = 0.0
    h: float = 0.9
    x_A: float = 1.0
    G_A: float = 0.0

    STATE = ("Gamma_A", "I", "C", "h", "x_A", "G_A")
    #: Parameters as they appear in the integrators' equations (everything but the initial state).
    PARAMETERS = ("O_P", "K_P", "C_T", "rho_A", "Omega_C", "Omega_L", "d_1", "d_2", "O_2", "d_3", "d_5", "O_beta",
                  "O_N", "Omega_N", "K_KC", "zeta", "O_delta", "kappa_delta", "K_delta", "Omega_5P", "K_D", "K_3K",
                  "O_3K", "F_ex", "I_Theta", "omega_I", "C_Theta", "Omega_A", "U_A", "G_T", "rho_e", "Omega_e")

    def __post_init__(self):
        for name in ("K_P", "C_T", "d_1", "d_2", "O_2", "d_3", "d_5", "K_KC", "kappa_delta", "K_delta", "K_D",
                     "K_3K", "omega_I", "Omega_A", "Omega_e"):
            check.positive(name, getattr(self, name))
        for name in ("O_P", "rho_A", "Omega_C", "Omega_L", "O_beta", "O_N", "Omega_N", "zeta", "O_delta",
                     "Omega_5P", "O_3K", "F_ex", "I_Theta", "C_Theta", "G_T", "rho_e", "I", "C", "G_A"):
            check.non_negative(name, getattr(self, name))
        for name in ("U_A", "Gamma_A", "h", "x_A"):
            check.real(name, getattr(self, name), low=0.0, high=1.0)

    def initial_state(self) -> tuple[float, ...]:
        """``(Gamma_A, I, C, h, x_A, G_A)`` at t = 0 (concentrations in uM), in :attr:`STATE` order."""
        return tuple(float(getattr(self, name)) for name in self.STATE)


@dataclass(frozen=True)
class TripartiteSynapse(_Described):
    """Tsodyks-Markram synapse with presynaptic gliotransmitter modulation (units uM, 1/s, s).

    State: ``u_S`` (release-probability variable), ``x_S`` (available resources), ``Y_S``
    (released neurotransmitter in the cleft, uM), ``Gamma_S`` (activated presynaptic receptors).
    ``G_A`` is the gliotransmitter of the astrocytes that reach the synapse (0 without one).

    Between presynaptic spikes (integrated exactly, ``G_A`` held over the step):

    .. math::
        \\dot u_S = -\\Omega_f u_S, \\quad \\dot x_S = \\Omega_d (1 - x_S), \\quad \\dot Y_S = -\\Omega_c Y_S,
        \\quad \\dot\\Gamma_S = O_G G_A (1 - \\Gamma_S) - \\Omega_G \\Gamma_S

    At a presynaptic spike:

    .. math::
        U_0 = (1 - \\Gamma_S) U_0^* + \\alpha \\Gamma_S, \\quad u_S \\mathrel{+}= U_0 (1 - u_S), \\quad
        r_S = u_S x_S, \\quad x_S \\mathrel{-}= r_S, \\quad Y_S \\mathrel{+}= \\rho_c Y_T r_S

    ``alpha`` sets the nature of gliotransmission: below ``U_0_star`` it lowers release (depression,
    ``alpha = 0`` in the published examples), above it raises release (facilitation, e.g. ``alpha = 1``).
    Initial state ``u_S = 0``, ``x_S = 1``, ``Y_S = 0``, ``Gamma_S = 0``.
    """

    rho_c: float = 0.005
    Y_T: float = 500000.0
    Omega_c: float = 40.0
    U_0_star: float = 0.6
    Omega_f: float = 3.33
    Omega_d: float = 2.0
    O_G: float = 1.5
    Omega_G: float = 0.5 / 60.0
    alpha: float = 0.0
    u_S: float = 0.0
    x_S: float = 1.0
    Y_S: float = 0.0
    Gamma_S: float = 0.0

    STATE = ("u_S", "x_S", "Y_S", "Gamma_S")
    PARAMETERS = ("rho_c", "Y_T", "Omega_c", "U_0_star", "Omega_f", "Omega_d", "O_G", "Omega_G", "alpha")

    def __post_init__(self):
        for name in ("Omega_c", "Omega_f", "Omega_d", "Omega_G"):
            check.positive(name, getattr(self, name))
        for name in ("rho_c", "Y_T", "O_G", "Y_S"):
            check.non_negative(name, getattr(self, name))
        for name in ("U_0_star", "alpha", "u_S", "x_S", "Gamma_S"):
            check.real(name, getattr(self, name), low=0.0, high=1.0)

    def initial_state(self) -> tuple[float, ...]:
        """``(u_S, x_S, Y_S, Gamma_S)`` at t = 0 (``Y_S`` in uM), in :attr:`STATE` order."""
        return tuple(float(getattr(self, name)) for name in self.STATE)


def check_dt(dt: float) -> float:
    """Astrocyte time steps are in ms, positive and finite."""
    return check.positive("dt", dt)


def astro_steps(every: int, name: str = "astro_every") -> int:
    """How many neuron steps one astrocyte step spans (an integer >= 1)."""
    return check.integer(name, every, low=1)


def step_count(duration: float, dt: float, name: str = "duration") -> int:
    """Whole number of steps of ``dt`` ms in ``duration`` ms (rejects fractions, as the lowering does)."""
    check.positive(name, duration)
    count = duration / dt
    rounded = int(round(count))
    if abs(count - rounded) > 1e-6 or rounded < 1:
        raise BiomemError(name, f"{duration:g} ms is not a whole number of {dt:g} ms steps",
                          f"a positive multiple of dt = {dt:g} ms")
    return rounded
