"""Brian2 code text of the biomem neuron and synapse models, and where each piece runs.

Everything here is fixed text. Parameters live in group variables that the builder fills
from the lowered arrays; no label or parameter value is ever formatted into code. The only
generated text is the delay ring of :func:`ring_store` / :func:`ring_deliver`, built from
slot numbers (integers the backend chooses).

Schedule of one step ``n`` (Brian2 slots ``groups -> thresholds -> synapses -> resets -> end``),
mirroring :mod:`biomem.backends.numba.kernel`:

- ``groups`` (``run_regularly``): ``g = g decay + buf scale`` (the kernel's decay at the end
  of step n-1 followed by the arrivals of step n, same two roundings), then the closed-form
  membrane update for neurons that are not refractory, and a ``fire`` flag;
- ``thresholds``: the NeuronGroup fires where ``fire`` is set; SpikeGeneratorGroups emit the
  source spikes of step n;
- ``synapses``: pathways. A lowered delay of ``d`` steps is given to Brian2 as ``(d - 1) dt``:
  a spike of step n is delivered in the synapses slot of step n+d-1, *after* that step's
  membrane update, into ``buf``; the ``groups`` code of step n+d consumes it *before* the
  membrane update. That is the kernel's ring buffer (arrival at n+d, added before the update
  of n+d). For d = 1 the Brian2 delay is 0, and Brian2 delivers in the same slot it pushes.
- ``resets``: ``v = v_reset`` and the refractory countdown;
- ``end``: StateMonitors, so ``v`` is read after reset, ``g`` as it drove the step (it is only
  decayed at the next step), weights after the step's plasticity.

STDP is per synapse with lazy traces: each synapse keeps copies of its source's ``x`` and
its target's ``y`` with the step of their last update. Every spike of a neuron passes through
all its synapses, so each copy performs the very operations of the kernel's per-neuron trace
and holds the same value bit for bit. Pathway order inside one Synapses object gives the
kernel's order:

- textbook: ``pre`` (order -1: depression with ``y`` of earlier steps, transmission, ``x``
  update) then ``post`` (order +1: potentiation with ``x`` that includes this step's source
  spike, then ``y`` update), both without delay;
- spinnaker: ``post`` is delayed by one step and ordered -2, so the deferred potentiation of
  a target spike at s runs at s+1 *before* the depression of s+1 (order -1); it records the
  target spike at step s in ``y``.

The kernel transmits the weight a synapse has when the spike is emitted. Brian2 reads the
weight at delivery, so plastic synapses with delays above one step store the emitted weight
in a per-synapse ring (``held_k``, slot ``n mod ring``) and a ``transmit`` pathway delayed by
``(d - 1) dt`` sends the held value. ``ring`` is the largest delay of the object, so a slot is
never overwritten before it is delivered.

Arithmetic is written with the kernel's operations in the kernel's order; :mod:`session` turns
off Brian2's loop-invariant optimisation (which would rewrite ``a / b`` as ``(1 / b) * a``).
Branches become exact 0/1 selections: ``new * on + old * (1 - on)`` equals ``new`` or ``old``.
"""

from __future__ import annotations

# -- neurons ------------------------------------------------------------------------------

#: Variables of a current-based group; ``(constant)`` ones are set once from the lowered arrays.
NEURON_MODEL = """
v : 1
g_E : 1
g_I : 1
buf_E : 1
buf_I : 1
countdown : 1
fire : 1
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
dt_ms : 1 (shared, constant)
"""

#: Extra variables of a conductance-based group.
CONDUCTANCE_MODEL = NEURON_MODEL + """
e_rev_E : 1 (constant)
e_rev_I : 1 (constant)
"""

#: Per-neuron parameters: group variable -> LoweredNetwork array (``cm`` is a Brian2 unit name).
NEURON_PARAMETERS = {name: name for name in ("v_rest", "v_reset", "v_thresh", "tau_m", "i_offset", "decay_m",
                                             "decay_E", "decay_I", "scale_E", "scale_I")} | {"c_m": "cm"}
CONDUCTANCE_PARAMETERS = NEURON_PARAMETERS | {"e_rev_E": "e_rev_E", "e_rev_I": "e_rev_I"}

_ARRIVALS = """
g_E = g_E * decay_E + buf_E * scale_E
g_I = g_I * decay_I + buf_I * scale_I
buf_E = 0.0
buf_I = 0.0
active = int(countdown <= 0.0)
countdown = countdown - 1.0 + active
"""

_SELECT_AND_FIRE = """
v = v_new * active + v * (1 - active)
fire = active * int(v >= v_thresh)
"""

def current_update(extra: str = "") -> str:
    """``groups`` slot, current-based: ``a = (I_E - I_I + i_offset) tau_m / cm + v_rest``.

    ``extra`` names one more current (nA) added after ``i_offset``, e.g. ``"I_SIC"`` from astrocytes."""
    more = f" + {extra}" if extra else ""
    return _ARRIVALS + f"""
drive = (g_E - g_I + i_offset{more}) * tau_m / c_m + v_rest
v_new = drive - decay_m * (drive - v)
""" + _SELECT_AND_FIRE


def conductance_update(extra: str = "") -> str:
    """``groups`` slot, conductance-based: ``v_inf`` and the rate ``g / cm`` of the step (``extra``: as
    :func:`current_update`)."""
    more = f" + {extra}" if extra else ""
    return _ARRIVALS + f"""
leak = c_m / tau_m
total = leak + g_E + g_I
v_inf = (leak * v_rest + g_E * e_rev_E + g_I * e_rev_I + i_offset{more}) / total
v_new = v_inf - exp(-dt_ms * total / c_m) * (v_inf - v)
""" + _SELECT_AND_FIRE


CURRENT_UPDATE = current_update()
CONDUCTANCE_UPDATE = conductance_update()

THRESHOLD = "fire > 0.5"
RESET = """
v = v_reset
countdown = refrac_steps
"""

# -- synapses -----------------------------------------------------------------------------

STATIC_MODEL = "w : 1\n"

#: Receptor -> the target variable a transmission adds to (lowered EXCITATORY = 0).
TRANSMIT = {0: "buf_E_post += w\n", 1: "buf_I_post += w\n"}

PLASTIC_MODEL = """
w : 1
x : 1
x_step : 1
x_seen : 1
y : 1
y_step : 1
y_seen : 1
a_plus : 1 (shared, constant)
a_minus : 1 (shared, constant)
tau_plus : 1 (shared, constant)
tau_minus : 1 (shared, constant)
w_min : 1 (shared, constant)
w_max : 1 (shared, constant)
dt_syn : 1 (shared, constant)
"""

#: Shared STDP parameters, set from the rule's amplitudes and bounds.
PLASTIC_PARAMETERS = ("a_plus", "a_minus", "tau_plus", "tau_minus", "w_min", "w_max")

#: Source spike: depression with the target trace, skipped while the target never fired.
#: ``{lag}`` is ``""`` (textbook) or ``" - 1.0"`` (spinnaker: one step of lag less).
_DEPRESS = """
lag_y = t_in_timesteps - y_step{lag}
y_now = y * exp(-lag_y * dt_syn / tau_minus)
w_dep = clip(w - a_minus * y_now, w_min, inf)
w = w_dep * y_seen + w * (1 - y_seen)
"""

_SOURCE_TRACE = """
lag_x = t_in_timesteps - x_step
x = x * exp(-lag_x * dt_syn / tau_plus) * x_seen + 1.0
x_step = 1.0 * t_in_timesteps
x_seen = 1.0
"""

#: Target spike (or, spinnaker, the step after it): potentiation with the source trace.
_POTENTIATE = """
lag_x = t_in_timesteps - x_step
x_now = x * exp(-lag_x * dt_syn / tau_plus)
w_pot = clip(w + a_plus * x_now, -inf, w_max)
w = w_pot * x_seen + w * (1 - x_seen)
"""

#: Target trace at the step the target fired (``{fired}`` steps ago: 0 textbook, 1 spinnaker).
_TARGET_TRACE = """
fired_at = t_in_timesteps - {fired}
lag_y = fired_at - y_step
y = y * exp(-lag_y * dt_syn / tau_minus) * y_seen + 1.0
y_step = 1.0 * fired_at
y_seen = 1.0
"""


def on_pre(variant: str, transmit: str) -> str:
    """Source-spike code: depression, then ``transmit`` (or a ring store), then the ``x`` trace."""
    lag = " - 1.0" if variant == "spinnaker" else ""
    return _DEPRESS.format(lag=lag) + transmit + _SOURCE_TRACE


def on_post(variant: str) -> str:
    """Target-spike code; for spinnaker it runs one step late (see the module docstring)."""
    return _POTENTIATE + _TARGET_TRACE.format(fired=1 if variant == "spinnaker" else 0)


#: Pathway orders inside one Synapses object (Brian2 sorts by order, then name).
PRE_ORDER = -1
POST_ORDER = {"textbook": 1, "spinnaker": -2}
TRANSMIT_ORDER = 0


def ring_model(size: int) -> str:
    """Variables of the emitted-weight ring: ``held_0 .. held_{size-1}`` and the per-synapse lag."""
    slots = "".join(f"held_{k} : 1\n" for k in range(size))
    return slots + "lag_steps : integer (constant)\nring : integer (shared, constant)\n"


def ring_store(size: int) -> str:
    """Store the (just depressed) weight in slot ``n mod ring``; other slots keep their value."""
    lines = ["slot = t_in_timesteps % ring"]
    lines += [f"held_{k} = held_{k} * int(slot != {k}) + w * int(slot == {k})" for k in range(size)]
    return "\n".join(lines) + "\n"


def ring_deliver(size: int, receptor: int) -> str:
    """Send the weight emitted ``lag_steps`` steps ago (exactly one term of the sum is non-zero)."""
    terms = " + ".join(f"held_{k} * int(slot == {k})" for k in range(size))
    target = "buf_E_post" if receptor == 0 else "buf_I_post"
    return f"slot = (t_in_timesteps - lag_steps) % ring\nsent = {terms}\n{target} += sent\n"
