"""Memory tasks for astrocyte networks.

* :func:`retention_curve` -- the biophysical task: a briefly presented item (one of ``n_items``
  groups of LIF neurons driven hard for ``cue_ms``) must be read out after a delay, from the
  groups' response to a uniform probe; the same network is run with and without the astrocytes'
  slow inward current (:mod:`biomem.astrocytes.coupling`). There is no recurrent excitation between
  neurons: whatever the network holds across the delay goes through the astrocytes (with the default
  parameters, as a loop: the cued astrocyte's SIC keeps its group firing at ~13 Hz, which keeps its
  IP3 up; see docs/astrocytes.md).
* :class:`DelayedRecall` and :class:`DigitsRows` -- learning tasks with long-range dependencies for
  the reduced AM-SU (:mod:`biomem.astrocytes.amsu`): recall a cue after ``delay`` steps, or classify
  an 8x8 digit (scikit-learn's bundled ``load_digits``) read row by row and followed by ``delay``
  blank steps. Both return ``(x (T, B, n_in), labels (B,), recall_mask (T,))``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from biomem.description import validate as check
from biomem.errors import BiomemError

# -- learning tasks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DelayedRecall:
    """Cue ``c`` of ``n_cues`` (spikes on its ``channels`` input lines for ``cue_steps`` steps), then
    ``delay`` steps of sparse noise on every line, then ``recall_steps`` steps with the go lines on;
    the readout must name ``c`` during the recall steps. Spike probabilities per step."""

    delay: int = 100
    n_cues: int = 4
    channels: int = 4
    go_channels: int = 4
    cue_steps: int = 10
    recall_steps: int = 10
    p_on: float = 0.5
    p_noise: float = 0.01

    def __post_init__(self):
        check.integer("delay", self.delay, low=0)
        for name in ("n_cues", "channels", "go_channels", "cue_steps", "recall_steps"):
            check.integer(name, getattr(self, name), low=1)
        check.real("p_on", self.p_on, low=0.0, high=1.0)
        check.real("p_noise", self.p_noise, low=0.0, high=1.0)

    @property
    def n_in(self) -> int:
        """Input lines: ``channels`` per cue, then the ``go_channels`` go lines."""
        return self.n_cues * self.channels + self.go_channels

    @property
    def n_classes(self) -> int:
        """Labels the readout chooses from: one per cue."""
        return self.n_cues

    @property
    def steps(self) -> int:
        """Length T of a trial: ``cue_steps + delay + recall_steps``."""
        return self.cue_steps + self.delay + self.recall_steps

    def __call__(self, batch: int, rng: np.random.Generator):
        steps, n_in = self.steps, self.n_in
        x = rng.random((steps, batch, n_in)) < self.p_noise
        labels = rng.integers(self.n_cues, size=batch)
        lines = labels[:, None] * self.channels + np.arange(self.channels)[None, :]
        cue = rng.random((self.cue_steps, batch, self.channels)) < self.p_on
        rows = np.arange(batch)[:, None]
        for t in range(self.cue_steps):
            x[t, rows, lines] |= cue[t]
        go = slice(steps - self.recall_steps, steps)
        x[go, :, self.n_cues * self.channels:] |= rng.random((self.recall_steps, batch, self.go_channels)) < self.p_on
        mask = np.zeros(steps, bool)
        mask[go] = True
        return x.astype(np.float32), labels, mask


@dataclass(frozen=True)
class DigitsRows:
    """An 8x8 digit read row by row (each row held ``row_steps`` steps as 8 analog input currents,
    pixel/16), then ``delay`` blank steps, then ``recall_steps`` steps with go lines on.

    ``split``: "train" (the first 1400 of the 1797 images) or "test" (the other 397).
    """

    delay: int = 50
    row_steps: int = 4
    recall_steps: int = 10
    go_channels: int = 4
    split: str = "train"

    def __post_init__(self):
        check.integer("delay", self.delay, low=0)
        for name in ("row_steps", "recall_steps", "go_channels"):
            check.integer(name, getattr(self, name), low=1)
        check.choice("split", self.split, ("train", "test"))

    n_classes = 10

    @property
    def n_in(self) -> int:
        """Input lines: 8 pixel currents (one row), then the ``go_channels`` go lines."""
        return 8 + self.go_channels

    @property
    def steps(self) -> int:
        """Length T of a trial: ``8 row_steps + delay + recall_steps``."""
        return 8 * self.row_steps + self.delay + self.recall_steps

    def other(self, split: str) -> "DigitsRows":
        """The same task on the images of ``split`` ("train" or "test")."""
        return replace(self, split=split)

    def __call__(self, batch: int, rng: np.random.Generator):
        images, targets = _digits(self.split)
        pick = rng.integers(images.shape[0], size=batch)
        steps = self.steps
        x = np.zeros((steps, batch, self.n_in), np.float32)
        rows = np.repeat(images[pick].transpose(1, 0, 2), self.row_steps, axis=0)   # (8 row_steps, B, 8)
        x[:rows.shape[0], :, :8] = rows / 16.0
        go = slice(steps - self.recall_steps, steps)
        x[go, :, 8:] = 1.0
        mask = np.zeros(steps, bool)
        mask[go] = True
        return x, targets[pick], mask


_DIGITS = {}


def _digits(split: str):
    if not _DIGITS:
        from sklearn.datasets import load_digits
        data = load_digits()
        _DIGITS["train"] = (data.images[:1400].astype(np.float32), data.target[:1400])
        _DIGITS["test"] = (data.images[1400:].astype(np.float32), data.target[1400:])
    return _DIGITS[split]


# -- biophysical retention task ---------------------------------------------------------------


@dataclass(frozen=True)
class RetentionConfig:
    """The retention network (units: ms, nA, Hz; LIF cells ``IF_curr_exp`` with PyNN defaults).

    ``n_items`` groups of ``group_size`` neurons, one Li-Rinzel astrocyte per group (its domain).
    Every neuron receives independent Poisson background (``bg_rate`` Hz of ``w_bg`` nA jumps);
    the cued group gets ``cue_rate`` Hz of ``w_cue`` for ``cue_ms`` after ``settle_ms``; after the
    delay every neuron gets the same probe (``probe_rate`` Hz of ``w_probe``) for ``probe_ms``.
    Each spike adds ``delta_IP3 * w_gather`` uM to its astrocyte's IP3; each astrocyte's SIC
    reaches its group with ``w_sic`` nA per unit (0 in the "without astrocytes" condition).
    The item read out is the group with most spikes during the probe (ties: the lowest index among
    them wins, so a silent network scores chance).
    """

    n_items: int = 8
    group_size: int = 20
    dt: float = 0.1
    astro_every: int = 10
    settle_ms: float = 200.0
    cue_ms: float = 500.0
    cue_rate: float = 2000.0
    w_cue: float = 0.2
    bg_rate: float = 2000.0
    w_bg: float = 0.05
    probe_ms: float = 250.0
    probe_rate: float = 2000.0
    w_probe: float = 0.025
    delta_IP3: float = 0.2
    w_gather: float = 0.025
    w_sic: float = 0.04

    def __post_init__(self):
        check.integer("n_items", self.n_items, low=2)
        check.integer("group_size", self.group_size, low=1)
        check.positive("dt", self.dt)
        check.integer("astro_every", self.astro_every, low=1)
        for name in ("settle_ms", "cue_ms", "probe_ms"):
            check.positive(name, getattr(self, name))
        for name in ("cue_rate", "bg_rate", "probe_rate", "w_cue", "w_bg", "w_probe", "delta_IP3", "w_gather",
                     "w_sic"):
            check.non_negative(name, getattr(self, name))

    @property
    def n_neurons(self) -> int:
        """All LIF neurons: ``n_items * group_size``."""
        return self.n_items * self.group_size


def _retention_network(config: RetentionConfig):
    from biomem.description import (IF_curr_exp, Network, OneToOneConnector, Population, Projection,
                                    SpikeSourceArray)
    n = config.n_neurons
    net = Network("astro_retention")
    # Inputs are drawn per trial (vectorised) and swapped into the lowered network; the
    # description only fixes their wiring (one source line per neuron and input kind).
    empty = SpikeSourceArray(tuple(() for _ in range(n)))
    cells = net.add(Population("cells", n, IF_curr_exp(tau_refrac=2.0)))
    for label, weight in (("background", config.w_bg), ("cue", config.w_cue), ("probe", config.w_probe)):
        source = net.add(Population(label, n, empty))
        net.add(Projection(source, cells, OneToOneConnector(), weight=weight, delay=config.dt, label=f"{label}_in"))
    return net


def _layer(config: RetentionConfig, astro: bool):
    from biomem.astrocytes.coupling import AstrocyteLayer, domains
    from biomem.astrocytes.description import LiRinzelAstrocyte
    n = config.n_neurons
    return AstrocyteLayer(LiRinzelAstrocyte(delta_IP3=config.delta_IP3), config.n_items,
                          gather=(domains("cells", n, config.n_items, config.w_gather),),
                          sic=(domains("cells", n, config.n_items, config.w_sic if astro else 0.0),),
                          astro_every=config.astro_every)


def _poisson(rng, rate_hz, n_lines, first_step, n_steps, dt, chunk: int = 8192):
    """Vectorised Poisson spikes (a Bernoulli draw per line and step): (steps, line indices), by step."""
    p = rate_hz * dt / 1000.0
    if p > 1.0:
        raise BiomemError("rate", f"{rate_hz:g} Hz exceeds one spike per {dt:g} ms step", f"<= {1000 / dt:g} Hz")
    steps, lines = [], []
    for start in range(0, n_steps, chunk):
        size = min(chunk, n_steps - start)
        step, line = np.nonzero(rng.random((size, n_lines)) < p)
        steps.append(step + first_step + start)
        lines.append(line)
    if not steps:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(steps).astype(np.int64), np.concatenate(lines).astype(np.int64)


def retention_trial(config: RetentionConfig, item: int, delay_ms: float, seed: int, *, astro: bool = True,
                    backend: str = "numba", keep: bool = False):
    """One trial; returns ``{"counts": spikes per group during the probe, "predicted", "correct", ...}``.

    ``keep=True`` also returns the :class:`~biomem.astrocytes.coupling.CoupledResult`.
    """
    from biomem.astrocytes.coupling import run_lowered
    c = config
    check.integer("item", item, low=0, high=c.n_items - 1)
    check.non_negative("delay_ms", delay_ms)
    lowered, spans = _lowered_template(c, delay_ms)
    rng = np.random.default_rng([seed, item, int(round(delay_ms / c.dt))])
    n, size = c.n_neurons, c.group_size
    settle, cue, delay, probe = (int(round(v / c.dt)) for v in (c.settle_ms, c.cue_ms, delay_ms, c.probe_ms))
    bg_steps, bg_lines = _poisson(rng, c.bg_rate, n, 0, lowered.n_steps, c.dt)
    cue_steps, cue_lines = _poisson(rng, c.cue_rate, size, settle, cue, c.dt)
    probe_start = settle + cue + delay
    probe_steps, probe_lines = _poisson(rng, c.probe_rate, n, probe_start, probe, c.dt)
    steps = np.concatenate([bg_steps, cue_steps, probe_steps])
    neurons = np.concatenate([bg_lines + spans["background"], cue_lines + item * size + spans["cue"],
                              probe_lines + spans["probe"]])
    # Each (step, line) pair is drawn once per input kind and kinds use their own source lines, so
    # the events are unique; sort them as the lowering does and swap them into the template.
    order = np.lexsort((neurons, steps))
    trial = replace(lowered, source_steps=steps[order], source_neurons=neurons[order])
    result = run_lowered(trial, _layer(c, astro), backend=backend)
    counts = result.counts("cells", probe_start, probe_start + probe).reshape(c.n_items, size).sum(1)
    predicted = int(np.argmax(counts))
    out = {"counts": counts, "predicted": predicted, "correct": predicted == item,
           "delay_rate_hz": float(result.counts("cells", settle + cue, probe_start).sum() /
                                  (n * max(delay, 1) * c.dt / 1000.0)),
           "cue_rate_hz": float(result.counts("cells", settle, settle + cue)[item * size:(item + 1) * size].sum() /
                                (size * c.cue_ms / 1000.0)),
           "Ca_at_probe": result.astro["Ca_astro"][probe_start // c.astro_every]}
    if keep:
        out["result"] = result
    return out


_TEMPLATES = {}


def _lowered_template(config: RetentionConfig, delay_ms: float):
    from biomem.description import lower
    from biomem.astrocytes.description import step_count
    duration = config.settle_ms + config.cue_ms + delay_ms + config.probe_ms
    key = (config, round(duration / config.dt))
    if key not in _TEMPLATES:
        steps = step_count(duration, config.dt)
        # A whole number of astrocyte steps: pad the end (after the probe) if needed.
        steps += (-steps) % config.astro_every
        lowered = lower(_retention_network(config), steps * config.dt, config.dt, 0)
        spans = {p.label: p.start for p in lowered.populations}
        if len(_TEMPLATES) > 32:
            _TEMPLATES.clear()
        _TEMPLATES[key] = (lowered, spans)
    return _TEMPLATES[key]


def retention_curve(config: RetentionConfig, delays_ms, trials_per_delay: int, *, seed: int = 0,
                    backend: str = "numba", progress=None) -> dict:
    """Accuracy vs delay with and without astrocytes (paired trials: same inputs in both conditions).

    Returns ``{"delays_ms", "accuracy_astro", "accuracy_plain", "chance", "delay_rate_hz_astro",
    "delay_rate_hz_plain", "cue_rate_hz"}`` (lists, one entry per delay).
    """
    check.integer("trials_per_delay", trials_per_delay, low=1)
    out = {"delays_ms": [float(d) for d in delays_ms], "accuracy_astro": [], "accuracy_plain": [],
           "delay_rate_hz_astro": [], "delay_rate_hz_plain": [], "cue_rate_hz": [], "chance": 1.0 / config.n_items}
    for delay in delays_ms:
        scores = {True: [], False: []}
        rates = {True: [], False: []}
        cue_rates = []
        for trial in range(trials_per_delay):
            item = trial % config.n_items
            for astro in (True, False):
                res = retention_trial(config, item, delay, seed * 100003 + trial, astro=astro, backend=backend)
                scores[astro].append(res["correct"])
                rates[astro].append(res["delay_rate_hz"])
                if astro:
                    cue_rates.append(res["cue_rate_hz"])
            if progress is not None:
                progress()
        out["accuracy_astro"].append(float(np.mean(scores[True])))
        out["accuracy_plain"].append(float(np.mean(scores[False])))
        out["delay_rate_hz_astro"].append(float(np.mean(rates[True])))
        out["delay_rate_hz_plain"].append(float(np.mean(rates[False])))
        out["cue_rate_hz"].append(float(np.mean(cue_rates)))
    return out
