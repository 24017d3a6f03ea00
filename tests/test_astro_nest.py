"""biomem's Li-Rinzel astrocyte against NEST 3.10's ``astrocyte_lr_1994`` (same spikes, same parameters).

NEST runs in a subprocess (its import prints a banner and installs its own kernel state), with
resolution 0.1 ms: a ``spike_generator`` drives the astrocyte through a static synapse (delay one
step), a ``multimeter`` records ``IP3``, ``Ca_astro`` and ``h_IP3R`` every step, and a
``sic_connection`` (delay 1 ms) carries the astrocyte's SIC into an ``aeif_cond_alpha_astro`` neuron
whose ``I_SIC`` is recorded too.

biomem: the standalone integrator and the coupled network engine (one astrocyte step per 0.1 ms
neuron step, ``sic_delay`` = 10 steps = NEST's 1 ms ``sic_connection`` delay). Step correspondence: a
NEST spike at ``t`` with delay ``dt`` is biomem's input of step ``t/dt``; NEST's record at ``t`` is
biomem's sample ``t/dt``; NEST's neuron ``I_SIC`` recorded at ``t`` is biomem's ``I_SIC`` of neuron
step ``t/dt``.

Tolerances: 1e-9 uM on IP3 and Ca, 1e-9 on h and on the SIC current (both integrators are far
more accurate than that at 0.1 ms steps: NEST's RKF45 and biomem's RK4 agree to ~1e-15). With the
astrocyte on a 1 ms step (ten neuron steps) the Ca error is bounded at 1e-3 uM.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from biomem.astrocytes.common import SpikeInput
from biomem.astrocytes.description import LiRinzelAstrocyte

DT = 0.1
DURATION = 6000.0
SIC_DELAY_MS = 1.0
W_SIC = 2.5
MODEL = LiRinzelAstrocyte(delta_IP3=0.2)

NEST_SCRIPT = r"""
import json, sys
import numpy as np
import nest
nest.set_verbosity("M_ERROR")
spec = json.load(sys.stdin)
nest.ResetKernel()
nest.resolution = spec["dt"]
astro = nest.Create("astrocyte_lr_1994", params=spec["params"])
gen = nest.Create("spike_generator", params={"spike_times": spec["times"], "spike_weights": spec["weights"]})
nest.Connect(gen, astro, syn_spec={"synapse_model": "static_synapse", "weight": 1.0, "delay": spec["dt"]})
neuron = nest.Create("aeif_cond_alpha_astro")
nest.Connect(astro, neuron, syn_spec={"synapse_model": "sic_connection", "weight": spec["w_sic"],
                                      "delay": spec["sic_delay"]})
record = ["IP3", "Ca_astro", "h_IP3R"]
assert set(record) <= set(astro.get("recordables")), astro.get("recordables")
assert "I_SIC" in neuron.get("recordables")
mm_astro = nest.Create("multimeter", params={"interval": spec["dt"], "record_from": record})
mm_neuron = nest.Create("multimeter", params={"interval": spec["dt"], "record_from": ["I_SIC"]})
nest.Connect(mm_astro, astro)
nest.Connect(mm_neuron, neuron)
nest.Simulate(spec["duration"])
defaults = nest.GetDefaults("astrocyte_lr_1994")
out = {"times": mm_astro.events["times"].tolist(),
       **{name: mm_astro.events[name].tolist() for name in record},
       "neuron_times": mm_neuron.events["times"].tolist(), "I_SIC": mm_neuron.events["I_SIC"].tolist(),
       "defaults": {name: float(defaults[name]) for name in spec["defaults"]}}
json.dump(out, sys.stdout)
"""


def _input():
    """Bursts of weighted spikes: Ca rises above SIC_th, oscillates, then relaxes."""
    rng = np.random.default_rng(7)
    steps = np.unique(np.concatenate([rng.integers(5000, 15000, 60), rng.integers(30000, 34000, 40)]))
    weights = np.round(rng.uniform(0.5, 1.5, steps.size), 3)
    return steps, weights


@pytest.fixture(scope="module")
def nest_run():
    steps, weights = _input()
    spec = {"dt": DT, "duration": DURATION, "params": MODEL.nest_params(), "times": (steps * DT).round(6).tolist(),
            "weights": weights.tolist(), "w_sic": W_SIC, "sic_delay": SIC_DELAY_MS,
            "defaults": list(LiRinzelAstrocyte.NEST_PARAMETERS) + list(LiRinzelAstrocyte.STATE)}
    env = dict(os.environ, PYNEST_QUIET="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", NEST_SCRIPT], input=json.dumps(spec), capture_output=True, text=True,
                          env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout[done.stdout.index("{"):])
    return {key: (np.asarray(value) if isinstance(value, list) else value) for key, value in out.items()}


def test_defaults_equal_nest(nest_run):
    """Every parameter default and initial state of LiRinzelAstrocyte is NEST 3.10's."""
    ours = LiRinzelAstrocyte()
    initial = dict(zip(LiRinzelAstrocyte.STATE, ours.initial_state()))
    for name, value in nest_run["defaults"].items():
        mine = initial[name] if name in initial else getattr(ours, name)
        assert mine == pytest.approx(value, rel=1e-12), name


def test_li_rinzel_traces_match_nest(nest_run):
    from biomem.backends.numba import astrocytes as numba_astrocytes
    steps, weights = _input()
    n_steps = int(round(DURATION / DT))
    traces = numba_astrocytes.simulate_li_rinzel(MODEL, 1, n_steps, DT, SpikeInput.from_steps(steps, 0, weights))
    index = np.rint(nest_run["times"] / DT).astype(int)
    assert index[0] == 1 and index[-1] == n_steps - 1
    errors = {name: float(np.abs(traces[name][index, 0] - nest_run[name]).max())
              for name in ("IP3", "Ca_astro", "h_IP3R")}
    assert nest_run["Ca_astro"].max() > 1.0           # the input drove calcium well above SIC_th
    assert errors["IP3"] < 1e-9 and errors["Ca_astro"] < 1e-9 and errors["h_IP3R"] < 1e-9, errors


def _coupled(astro_every: int, sic_delay: int):
    """A one-neuron network fed by the same spikes, with one astrocyte whose SIC reaches the neuron."""
    from biomem.astrocytes.coupling import AstroConnection, AstrocyteLayer, simulate
    from biomem.description import IF_curr_exp, Network, Population, SpikeSourceArray
    steps, weights = _input()
    net = Network("nest_check")
    net.add(Population("input", steps.size, SpikeSourceArray(tuple((round(s * DT, 6),) for s in steps))))
    net.add(Population("cell", 1, IF_curr_exp(v_thresh=1e6, v_reset=-65.0), record=("spikes", "v")))
    layer = AstrocyteLayer(MODEL, 1, gather=(AstroConnection("input", np.arange(steps.size), np.zeros(steps.size),
                                                             weights),),
                           sic=(AstroConnection("cell", [0], [0], W_SIC),), astro_every=astro_every,
                           sic_delay=sic_delay)
    return simulate(net, layer, DURATION, dt=DT)


def test_sic_into_neuron_matches_nest(nest_run):
    """The current NEST's aeif_cond_alpha_astro receives through sic_connection equals biomem's I_SIC."""
    result = _coupled(astro_every=1, sic_delay=int(round(SIC_DELAY_MS / DT)))
    index = np.rint(nest_run["neuron_times"] / DT).astype(int)
    ours = result.I_SIC[index, 0]
    assert nest_run["I_SIC"].max() > 10.0
    assert np.abs(ours - nest_run["I_SIC"]).max() < 1e-9
    # The coupled engine's astrocyte samples are NEST's too.
    astro_index = np.rint(nest_run["times"] / DT).astype(int)
    assert np.abs(result.astro["Ca_astro"][astro_index, 0] - nest_run["Ca_astro"]).max() < 1e-9


def test_slow_astrocyte_step_stays_close_to_nest(nest_run):
    """Astrocytes on a 1 ms step (10 neuron steps): Ca within 1e-3 uM of NEST's 0.1 ms integration."""
    result = _coupled(astro_every=10, sic_delay=0)
    times = result.astro_times
    nest_index = {int(round(t / DT)): i for i, t in enumerate(nest_run["times"])}
    pairs = [(k, nest_index[int(round(t / DT))]) for k, t in enumerate(times) if int(round(t / DT)) in nest_index]
    ours = result.astro["Ca_astro"][[k for k, _ in pairs], 0]
    theirs = nest_run["Ca_astro"][[j for _, j in pairs]]
    assert np.abs(ours - theirs).max() < 1e-3
