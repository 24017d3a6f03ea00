"""Astrocytes: Li-Rinzel calcium, an astrocyte-modulated network, tripartite synapses and the AM-SU.

Four steps, all through the public API of biomem.astrocytes:

1. stand-alone Li-Rinzel astrocytes (NEST's astrocyte_lr_1994) driven by spike trains of three
   rates: IP3 integrates the spikes, calcium rises once IP3 is high enough, and the slow inward
   current (SIC) is what a neuron would receive;
2. the same astrocytes attached to a LIF network: two groups of neurons, one astrocyte each; a
   brief cue to group 0 raises its astrocyte's calcium, whose SIC keeps the group firing after the
   cue has gone; with the SIC switched off the group falls silent;
3. a tripartite synapse (G-ChI astrocyte, Tsodyks-Markram synapse, Brian2's example 3): the
   paired-pulse ratio with and without release-decreasing gliotransmission;
4. the AM-SU, biomem's reduced astrocyte unit (not the equations of Shen et al., who publish
   none): a delayed-recall task learnt by an AM-SU network and by the same LIF network without
   the astrocyte trace.

    python docs/tutorials/astrocytes.py            # full size (about 20 s of CPU)
    python docs/tutorials/astrocytes.py --small    # shorter runs, smaller training (what the tests use)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from biomem.astrocytes import (AstrocyteLayer, GChIAstrocyte, LiRinzelAstrocyte, SpikeInput, TripartiteSynapse,
                               domains, simulate_li_rinzel, simulate_tripartite)
from biomem.astrocytes.coupling import simulate as simulate_network
from biomem.description import IF_curr_exp, Network, OneToOneConnector, Population, Projection, SpikeSourcePoisson

FIGURES = Path(__file__).resolve().parents[1] / "figures"


def li_rinzel(seconds: float):
    """Three astrocytes, 1 ms steps; each receives a 2 s spike train (1, 2 or 20 Hz) from t = 1 s."""
    dt, rates = 1.0, (1.0, 2.0, 20.0)
    astrocyte = LiRinzelAstrocyte(delta_IP3=0.2)     # NEST 3.10's defaults, with NEST examples' delta_IP3
    steps, targets = [], []
    for target, rate in enumerate(rates):
        times = np.arange(1000.0, 3000.0, 1000.0 / rate)   # regular trains: spike times in ms
        steps.append(np.rint(times / dt).astype(int))
        targets.append(np.full(times.size, target))
    # Weight 0.25: each spike adds delta_IP3 * 0.25 = 0.05 uM to its astrocyte's IP3.
    spikes = SpikeInput.from_steps(np.concatenate(steps), np.concatenate(targets), 0.25)
    n_steps = int(seconds * 1000 / dt)
    traces = simulate_li_rinzel(astrocyte, len(rates), n_steps, dt, spikes, record_every=10)  # backend="numba"
    for k, rate in enumerate(rates):
        print(f"Li-Rinzel, {rate:4.0f} Hz for 2 s: peak IP3 {traces['IP3'][:, k].max():.2f} uM, "
              f"peak Ca {traces['Ca_astro'][:, k].max():.3f} uM, peak SIC {traces['SIC'][:, k].max():.2f}")
    return astrocyte, rates, traces


def astrocyte_network(seconds: float, w_sic: float):
    """Two groups of 20 LIF neurons with one astrocyte each; a 0.5 s cue to group 0 at t = 0.2 s."""
    size, dt = 20, 0.1
    net = Network("astro_tutorial")
    groups = []
    for g in range(2):
        cells = net.add(Population(f"group{g}", size, IF_curr_exp(tau_refrac=2.0)))
        background = net.add(Population(f"background{g}", size, SpikeSourcePoisson(rate=2000.0)))
        net.add(Projection(background, cells, OneToOneConnector(), weight=0.05, delay=dt))
        groups.append(cells)
    cue = net.add(Population("cue", size, SpikeSourcePoisson(rate=2000.0, start=200.0, duration=500.0)))
    net.add(Projection(cue, groups[0], OneToOneConnector(), weight=0.2, delay=dt))
    # Each spike of group g adds delta_IP3 * 0.025 uM to astrocyte g's IP3; astrocyte g's SIC reaches
    # every neuron of group g with w_sic nA per unit. The astrocytes step every 1 ms (10 neuron steps).
    layer = AstrocyteLayer(LiRinzelAstrocyte(delta_IP3=0.2), n=2,
                           gather=tuple(domains(f"group{g}", size, 1, weight=0.025, first_astrocyte=g) for g in range(2)),
                           sic=tuple(domains(f"group{g}", size, 1, weight=w_sic, first_astrocyte=g) for g in range(2)),
                           astro_every=10)
    result = simulate_network(net, layer, duration=seconds * 1000.0, dt=dt, seed=1, backend="numba")
    bins = np.arange(0, int(seconds * 1000 / dt) + 1, int(100 / dt))          # 100 ms bins
    rates = []
    for g in range(2):
        steps, _ = result.spikes(f"group{g}")
        rates.append(np.histogram(steps, bins)[0] / (size * 0.1))          # Hz per neuron
    return result, bins[:-1] * dt / 1000.0, np.array(rates)


def tripartite(transient_ms: float):
    """Brian2's example 3: the same 20 Hz + 100 Hz train reaches three synapses, none, weakly or more
    strongly modulated by an astrocyte's gliotransmitter (release-decreasing, alpha = 0)."""
    train = np.array([0, 50, 100, 150, 200, 300, 310, 320, 330, 340, 350, 360, 370, 380, 390, 400]) + transient_ms
    spikes = SpikeInput.from_steps(np.repeat(train.astype(int), 3), np.tile([0, 1, 2], train.size))   # dt = 1 ms
    traces = simulate_tripartite(GChIAstrocyte(F_ex=2.0), TripartiteSynapse(alpha=0.0), 2, 3,
                                 int(transient_ms) + 600, 1.0, spikes,
                                 astro_to_syn=([0, 1], [1, 2]),   # astrocyte 0 -> synapse 1, 1 -> synapse 2
                                 I_bias=[0.8, 1.25], initial={"I": 0.4})
    released = traces.events["r_S"].reshape(train.size, 3)          # r_S of every spike, per synapse
    ppr = released[1] / released[0]
    gamma = traces["Gamma_S"][int(transient_ms)]
    for k, name in enumerate(("no astrocyte", "weak", "stronger")):
        print(f"tripartite, {name:12s}: Gamma_S {gamma[k]:.2f}, first release {released[0, k]:.3f}, "
              f"paired-pulse ratio {ppr[k]:.2f}")
    return train - transient_ms, released, ppr


def amsu(small: bool):
    """Delayed recall learnt by an AM-SU network and by the same LIF network without astrocytes."""
    import torch

    from biomem.astrocytes.amsu import AMSUConfig, AMSUNetwork, train_classifier
    from biomem.astrocytes.tasks import DelayedRecall

    torch.set_num_threads(1)
    task = DelayedRecall(delay=50 if small else 100)
    units, iterations = (16, 50) if small else (32, 150)
    runs = {}
    for astro in (True, False):
        model = AMSUNetwork(AMSUConfig(n_in=task.n_in, n_units=units, n_out=task.n_classes, astro=astro), seed=0)
        result = train_classifier(model, task, iterations=iterations, batch_size=32, seed=0)
        name = "AM-SU" if astro else "LIF"
        print(f"{name:5s}: delayed recall (delay {task.delay} steps) test accuracy {result.accuracy:.2f} "
              f"(chance 0.25), {result.n_parameters} parameters, {result.seconds:.1f} s")
        runs[name] = (model, result)
    # One test trial per cue through the trained AM-SU network: which astrocyte holds the cue?
    model = runs["AM-SU"][0]
    x, labels, _ = task(64, np.random.default_rng(5))
    trials = [int(np.flatnonzero(labels == cue)[0]) for cue in range(task.n_classes)]
    with torch.no_grad():
        model(torch.as_tensor(x[:, trials]))
    trace = torch.tanh(model.last["a"]).numpy()                     # c = tanh(a): (T, cue, astrocyte)
    at_recall = trace[task.steps - task.recall_steps]               # (cue, astrocyte)
    selective = int(np.argmax(at_recall.max(0) - at_recall.min(0)))   # the most cue-dependent astrocyte
    return task, runs, trace[:, :, selective], selective, float(model.tau_a[selective].detach())


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the figure")
    parser.add_argument("--small", action="store_true", help="shorter runs and a smaller training")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    astrocyte, rates, lr = li_rinzel(12.0 if args.small else 30.0)
    network_s = 2.0 if args.small else 4.0
    with_astro, t_net, rate_astro = astrocyte_network(network_s, w_sic=0.04)
    _, _, rate_plain = astrocyte_network(network_s, w_sic=0.0)
    after_cue = t_net >= 1.0
    print(f"network: group 0 after the cue (t >= 1 s): {rate_astro[0, after_cue].mean():.1f} Hz with astrocytes, "
          f"{rate_plain[0, after_cue].mean():.2f} Hz without; group 1: {rate_astro[1, after_cue].mean():.2f} Hz")
    train, released, ppr = tripartite(16500.0)
    task, runs, trace, selective, tau_a = amsu(args.small)

    figure, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    ax = axes[0, 0]
    for k, rate in enumerate(rates):
        ax.plot(lr.times / 1000, lr["Ca_astro"][:, k], label=f"{rate:g} Hz for 2 s")
    ax.axhline(astrocyte.SIC_th, color="0.5", ls=":", lw=1, label="SIC threshold")
    ax.axvspan(1, 3, color="0.9")
    ax.set(title="Li-Rinzel: calcium", xlabel="time (s)", ylabel="Ca (uM)")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    for k, rate in enumerate(rates):
        ax.plot(lr.times / 1000, lr["IP3"][:, k], label=f"IP3, {rate:g} Hz")
    ax.set(title="Li-Rinzel: IP3 (each spike adds delta_IP3 w)", xlabel="time (s)", ylabel="IP3 (uM)")
    ax.axvspan(1, 3, color="0.9")
    ax.legend(fontsize=8)
    ax = axes[0, 2]
    ax.plot(t_net, rate_astro[0], color="tab:red", label="group 0 (cued), with astrocytes")
    ax.plot(t_net, rate_plain[0], color="tab:red", ls="--", label="group 0, SIC off")
    ax.plot(t_net, rate_astro[1], color="tab:blue", label="group 1, with astrocytes")
    ax.axvspan(0.2, 0.7, color="0.9")
    ax.set(title="network: rate per neuron (cue shaded)", xlabel="time (s)", ylabel="rate (Hz)", ylim=(0, 40))
    twin = ax.twinx()
    twin.plot(with_astro.astro_times / 1000, with_astro.astro["Ca_astro"][:, 0], color="k", lw=0.8,
              label="astrocyte 0 Ca")
    twin.set_ylabel("Ca (uM)")
    ax.legend(fontsize=7, loc="upper right")
    twin.legend(fontsize=7, loc="center right")
    ax = axes[1, 0]
    for k, name in enumerate(("no astrocyte", "weak gliotransmission", "stronger gliotransmission")):
        ax.plot(train, released[:, k], "o-", ms=3, label=f"{name}: PPR {ppr[k]:.2f}")
    ax.set(title="tripartite synapse, alpha = 0: release per spike", xlabel="spike time (ms)",
           ylabel="released fraction r_S")
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    for cue in range(trace.shape[1]):
        ax.plot(np.arange(trace.shape[0]), trace[:, cue], lw=1.2, label=f"trial with cue {cue}")
    ax.axvspan(0, task.cue_steps, color="0.9")
    ax.axvspan(task.steps - task.recall_steps, task.steps, color="0.9")
    ax.set(title=f"AM-SU: astrocyte {selective} (tau_a {tau_a:.0f} steps), c = tanh(a)", xlabel="step (cue, recall shaded)",
           ylabel="c")
    ax.legend(fontsize=7)
    ax = axes[1, 2]
    for name, (_, result) in runs.items():
        ax.plot(result.losses, label=f"{name}: test accuracy {result.accuracy:.2f}")
    ax.set(title=f"delayed recall, delay {task.delay} steps: training loss", xlabel="iteration",
           ylabel="cross-entropy")
    ax.axhline(np.log(task.n_classes), color="0.5", ls=":", lw=1)
    ax.legend(fontsize=8)
    figure.tight_layout()
    path = args.out / "astrocytes.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"wrote {path}")
    return path


if __name__ == "__main__":
    main()
