"""Anchor: the COBA and CUBA networks as a plain snnTorch loop, no biomem code involved.

Written the way an snnTorch user writes a recurrent network: ``nn.Linear`` layers with dense
float32 weight matrices (the 2 % connectivity as a 0/1 mask, autapses removed), ``snn.Leaky``
for the membrane, two exponentially decaying synaptic currents, ``spikegen.rate`` for the
Poisson kick, a Python loop over the time steps under ``torch.no_grad()``, PyTorch's default
intra-op threads.

``snn.Leaky`` (``mem = beta mem + input``, reset to zero) expresses biomem's closed-form
current-based step exactly with ``mem = v - v_reset``, ``beta = exp(-dt/tau_m)``,
``input = (1 - beta) ((I_E - I_I) tau_m/cm + v_rest - v_reset)``, ``threshold = v_thresh - v_reset``;
the refractory period is a counter that zeroes the input (``mem`` then stays at the reset, as in
biomem). Approximations it makes:

- COBA: ``snn.Leaky`` has no conductance input, so the synaptic current is computed from the
  membrane before the step, ``I = g_E (E_E - v) + g_I (E_I - v)``, and held over the step (an
  explicit step for the conductances; biomem and Brian2 solve the membrane with the conductances
  in closed form);
- spike if ``mem > threshold`` (biomem: ``>=``); its own random numbers, float32.

``python benchmarks/anchors/snntorch_loop.py --model coba|cuba [--n 4000] [--duration 1000]
[--dt 0.1] [--seed 0]`` prints one JSON line (times in s): ``build_s`` (weight matrices, layers,
Poisson spikes), ``sim_s`` / ``cpu_sim_s`` (the loop, wall / CPU of this process, all its threads),
``total_s`` / ``total_cpu_s`` (from the start of the script, imports included).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402

try:
    from benchmarks.anchors.params import MODELS, n_excitatory, step_scale, parser
except ImportError:  # run as a script: this folder is on sys.path
    from params import MODELS, n_excitatory, step_scale, parser

def _linear(torch, n_in: int, n_out: int, p: float, weight: float, no_self: bool, offset: int, generator):
    """A bias-free ``nn.Linear`` whose dense weights are ``weight`` where a Bernoulli(p) mask is 1;
    ``no_self``: input ``i`` never reaches output ``i`` nor ``i + offset`` (biomem's excluded pairs)."""
    layer = torch.nn.Linear(n_in, n_out, bias=False)
    mask = torch.rand(n_out, n_in, generator=generator) < p
    if no_self:
        for shift in {0, offset}:
            rows = torch.arange(n_in) + shift
            keep = rows < n_out
            mask[rows[keep], torch.arange(n_in)[keep]] = False
    layer.weight.data = mask.float() * weight
    return layer, int(mask.sum())


def run(model: str, n_neurons: int = 4000, duration: float = 1000.0, dt: float = 0.1, seed: int = 0) -> dict:
    """Build and simulate once; the timings and the activity."""
    import snntorch as snn
    import torch
    from snntorch import spikegen

    imported = time.perf_counter()
    P = MODELS[model]
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n_exc = n_excitatory(n_neurons, P)
    w_e, w_i = P["w_exc"] * step_scale(P["tau_syn_E"], dt), P["w_inh"] * step_scale(P["tau_syn_I"], dt)
    fc_exc, syn_e = _linear(torch, n_exc, n_neurons, P["p_connect"], w_e, True, n_exc, generator)
    fc_inh, syn_i = _linear(torch, n_neurons - n_exc, n_neurons, P["p_connect"], w_i, True, -n_exc, generator)
    steps = int(round(duration / dt))
    beta = math.exp(-dt / P["tau_m"])
    lif = snn.Leaky(beta=beta, threshold=P["v_thresh"] - P["v_reset"], reset_mechanism="zero", reset_delay=False)
    gain, rest = (1 - beta) * P["tau_m"] / P["cm"], (1 - beta) * (P["v_rest"] - P["v_reset"])
    decay_e, decay_i = math.exp(-dt / P["tau_syn_E"]), math.exp(-dt / P["tau_syn_I"])
    if P["stim_sources"]:
        w_stim = P["stim_weight"] * step_scale(P["tau_syn_E"], dt)
        fc_stim, _ = _linear(torch, P["stim_sources"], n_neurons, P["stim_p"], w_stim, False, 0, generator)
        stim_steps = min(steps, int(round(P["stim_duration"] / dt)))
        stim = spikegen.rate(torch.full((P["stim_sources"],), P["stim_rate"] * dt / 1000.0), num_steps=stim_steps)
    mem = (P["v_init_low"] + (P["v_init_high"] - P["v_init_low"]) * torch.rand(1, n_neurons, generator=generator)
           - P["v_reset"])
    spk = torch.zeros(1, n_neurons)
    i_e, i_i, count = torch.zeros(1, n_neurons), torch.zeros(1, n_neurons), torch.zeros(1, n_neurons)
    refractory, refrac_steps = torch.zeros(1, n_neurons), round(P["tau_refrac"] / dt)
    built = time.perf_counter()
    cpu = time.process_time()
    with torch.no_grad():
        for step in range(steps):
            i_e = i_e + fc_exc(spk[:, :n_exc])  # last step's spikes arrive: delay one step
            i_i = i_i + fc_inh(spk[:, n_exc:])
            if P["stim_sources"] and step < stim_steps:
                i_e = i_e + fc_stim(stim[step].unsqueeze(0))
            if model == "coba":  # conductances (uS) x driving force (mV) at the membrane before the step
                v = mem + P["v_reset"]
                current = i_e * (P["e_rev_E"] - v) + i_i * (P["e_rev_I"] - v)
            else:
                current = i_e - i_i
            drive = (gain * current + rest) * (refractory <= 0)
            spk, mem = lif(drive, mem)
            refractory = torch.where(spk > 0, refrac_steps, refractory - 1)
            count += spk
            i_e, i_i = i_e * decay_e, i_i * decay_i
    n_spikes = int(count.sum())
    sim_s, cpu_sim = time.perf_counter() - built, time.process_time() - cpu
    return {
        "impl": "snntorch", "model": model, "n": n_neurons, "duration_ms": duration, "dt_ms": dt, "seed": seed,
        "import_s": imported - STARTED, "build_s": built - imported, "sim_s": sim_s, "sim_s_all": [sim_s],
        "cpu_sim_s": cpu_sim, "total_s": time.perf_counter() - STARTED, "total_cpu_s": time.process_time(),
        "n_spikes": n_spikes, "rate_hz": n_spikes / n_neurons / (duration / 1000.0), "n_synapses": syn_e + syn_i,
        "threads": torch.get_num_threads(),
    }


def main(argv=None) -> int:
    args = parser(__doc__.split("\n\n")[0]).parse_args(argv)
    print(json.dumps(run(args.model, args.n, args.duration, args.dt, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
