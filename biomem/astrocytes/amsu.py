"""A reduced astrocyte-modulated spiking unit (AM-SU): differentiable, batched, on CPU or GPU.

**This is biomem's own design.** Shen et al. (arXiv 2312.07625) name an "Astrocyte-Modulated Spiking
Unit" but publish no equations; nothing here reproduces theirs. The unit below is built from the
classic astrocyte models of :mod:`biomem.astrocytes.description`, reduced to what a learning task
needs: a slow astrocyte trace driven by local spiking, which feeds back on the neuron's excitability
(a slow inward current, as Li-Rinzel's SIC; a threshold shift) and on the release of its outgoing
synapses (as the tripartite synapse's ``U_0 = (1 - Gamma_S) U_0^* + alpha Gamma_S``).

Discrete time, step ``dt`` (the task's step, 1 ms by default), batch first. For unit ``i``:

.. math::
    a_t = \\lambda_a \\odot a_{t-1} + \\delta_a \\odot (M s_{t-1}),
        \\qquad \\lambda_a = e^{-dt/\\tau_a}, \\qquad c_t = \\tanh(a_t)

    r_t = (1 - c_t) + \\frac{\\alpha}{U_0^*} \\odot c_t
        \\qquad \\text{(release factor of each unit's outgoing recurrent synapses)}

    u_t = \\beta u_{t-1} + W_{in} x_t + W_{rec} (r_t \\odot s_{t-1}) + b + g_{SIC} \\odot c_t
        - \\theta_{t-1} \\odot s_{t-1}

    \\theta_t = \\theta_0 + \\kappa_\\theta \\odot c_t, \\qquad s_t = H(u_t - \\theta_t)

* ``a`` is the IP3-like slow trace of each astrocyte: every spike in its domain adds ``delta_a``
  (as a spike adds ``delta_IP3 w`` to Li-Rinzel's IP3) and it relaxes with ``tau_a``; ``c = tanh(a)``
  is the calcium-like, saturating activation that acts on the neurons. ``M`` is the
  (n_astro x n_units) domain-averaging matrix (one astrocyte per unit by default, or
  ``n_astrocytes`` contiguous domains); ``c`` is broadcast back to the units of each domain.
  ``tau_a`` is learned per astrocyte (``tau_min + softplus``, initialised log-uniformly in
  ``tau_a_init``, much longer than ``tau_m``); ``delta_a`` is learned too (``softplus``, initial
  ``delta_a_init``).
* ``g_SIC`` (slow inward current gain, learned, any sign; initial ``g_sic_init``) and
  ``kappa_theta`` (threshold shift, learned, initial 0) are the excitability feedback; ``alpha``
  in (0, 1) (learned through a sigmoid, initial ``U_0^*``) is the nature of gliotransmission: below
  ``U_0^* = 0.6`` release drops with ``c`` (depression), above it release grows (facilitation).
* Membrane: snnTorch's ``Leaky`` form (``beta = exp(-dt/tau_m)``) with subtractive reset;
  ``H`` is an exact Heaviside forward and snnTorch's fast-sigmoid surrogate backward
  (:func:`biomem.backends.torch.surrogate.surrogate_spike`).

Setting ``astro=False`` removes ``a`` (``r = 1``, no SIC, constant threshold): the plain LIF
network used as the baseline, with the same units, inputs, readout and training budget.

Readout: a leaky integrator ``y_t = \\gamma y_{t-1} + W_{out} s_t`` (``gamma = exp(-dt/tau_out)``),
read at the task's recall steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from biomem.backends.torch.surrogate import surrogate_spike
from biomem.description import validate as check
from biomem.errors import BiomemError


@dataclass(frozen=True)
class AMSUConfig:
    """Hyper-parameters of an :class:`AMSUNetwork` (times in steps of ``dt`` ms)."""

    n_in: int
    n_units: int = 64
    n_out: int = 4
    astro: bool = True
    n_astrocytes: int | None = None
    dt: float = 1.0
    tau_m: float = 20.0
    tau_out: float = 20.0
    tau_a_init: tuple = (50.0, 2000.0)
    tau_a_min: float = 20.0
    delta_a_init: float = 0.1
    g_sic_init: float = 0.0
    U_0_star: float = 0.6
    theta_0: float = 1.0
    surrogate_slope: float = 5.0
    recurrent: bool = True

    def __post_init__(self):
        check.integer("n_in", self.n_in, low=1)
        check.integer("n_units", self.n_units, low=1)
        check.integer("n_out", self.n_out, low=1)
        if self.n_astrocytes is not None:
            check.integer("n_astrocytes", self.n_astrocytes, low=1, high=self.n_units)
        check.real("g_sic_init", self.g_sic_init)
        for name in ("dt", "tau_m", "tau_out", "tau_a_min", "theta_0", "surrogate_slope", "delta_a_init"):
            check.positive(name, getattr(self, name))
        check.real("U_0_star", self.U_0_star, low=0.0, high=1.0, low_open=True)
        low, high = (check.positive("tau_a_init", v) for v in self.tau_a_init)
        if not (self.tau_a_min < low <= high):
            raise BiomemError("tau_a_init", f"({low:g}, {high:g}) must satisfy tau_a_min < low <= high",
                              f"low > tau_a_min = {self.tau_a_min:g}")


def _inverse_softplus(y: torch.Tensor) -> torch.Tensor:
    """``x`` with ``softplus(x) = y`` (y > 0), without overflow: ``x = y + log(-expm1(-y))``."""
    return y + torch.log(-torch.expm1(-y))


class AMSUNetwork(nn.Module):
    """One recurrent layer of AM-SUs (or plain LIF units with ``astro=False``) and a leaky readout.

    ``forward(x)`` takes ``x`` of shape (T, B, n_in) and returns the readout ``y`` (T, B, n_out);
    :attr:`last` keeps the spike trains ``s`` (T, B, n_units) and traces ``a`` of the last call.
    """

    def __init__(self, config: AMSUConfig, device="cpu", dtype=torch.float32, seed: int = 0):
        super().__init__()
        self.config = c = config
        generator = torch.Generator().manual_seed(int(seed))
        n, n_in = c.n_units, c.n_in

        def uniform(shape, bound):
            return (torch.rand(shape, generator=generator, dtype=dtype) * 2 - 1) * bound

        self.w_in = nn.Parameter(uniform((n, n_in), 1.0 / math.sqrt(n_in)) * 2.0)
        self.w_rec = nn.Parameter(uniform((n, n), 1.0 / math.sqrt(n))) if c.recurrent else None
        self.bias = nn.Parameter(torch.zeros(n, dtype=dtype))
        self.w_out = nn.Parameter(uniform((c.n_out, n), 1.0 / math.sqrt(n)))
        self.register_buffer("beta", torch.tensor(math.exp(-c.dt / c.tau_m), dtype=dtype))
        self.register_buffer("gamma", torch.tensor(math.exp(-c.dt / c.tau_out), dtype=dtype))
        self.spike = surrogate_spike("fast_sigmoid", c.surrogate_slope)
        if c.astro:
            n_astro = c.n_astrocytes or n
            low, high = c.tau_a_init
            tau = torch.exp(torch.empty(n_astro, dtype=dtype).uniform_(math.log(low), math.log(high),
                                                                       generator=generator))
            # tau_a = tau_a_min + softplus(rho): invert for the initial values.
            self.rho_tau = nn.Parameter(_inverse_softplus(tau - c.tau_a_min))
            self.rho_delta = nn.Parameter(_inverse_softplus(torch.full((n_astro,), float(c.delta_a_init), dtype=dtype)))
            self.g_sic = nn.Parameter(torch.full((n,), float(c.g_sic_init), dtype=dtype))
            self.kappa_theta = nn.Parameter(torch.zeros(n, dtype=dtype))
            self.alpha_logit = nn.Parameter(torch.full((n,), math.log(c.U_0_star / (1 - c.U_0_star)), dtype=dtype))
            owner = torch.arange(n) * n_astro // n
            domain = torch.zeros((n_astro, n), dtype=dtype)
            domain[owner, torch.arange(n)] = 1.0
            self.register_buffer("domain_mean", domain / domain.sum(1, keepdim=True))
            self.register_buffer("owner", owner)
        self.to(device)
        self.last = {}

    @property
    def tau_a(self) -> torch.Tensor:
        """Time constant of each astrocyte trace in ms (the unit of ``dt``), shape (n_astro,):
        ``tau_a = tau_a_min + softplus(rho_tau)``. Exists only with ``astro=True``."""
        return self.config.tau_a_min + nn.functional.softplus(self.rho_tau)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the layer over ``x`` (T, B, n_in) from rest and return the readout ``y`` (T, B, n_out).

        Stores the spikes ``s`` (T, B, n_units) and, with ``astro=True``, the traces ``a``
        (T, B, n_astro) in :attr:`last`. Raises :class:`~biomem.errors.BiomemError` if ``x`` has
        another shape.
        """
        c = self.config
        if x.dim() != 3 or x.shape[2] != c.n_in:
            raise BiomemError("x", f"has shape {tuple(x.shape)}", f"(T, B, {c.n_in})")
        steps, batch = x.shape[0], x.shape[1]
        n = c.n_units
        u = torch.zeros((batch, n), dtype=x.dtype, device=x.device)
        s = torch.zeros_like(u)
        y = torch.zeros((batch, c.n_out), dtype=x.dtype, device=x.device)
        theta = torch.full_like(u, c.theta_0)
        drive_in = torch.einsum("tbi,ni->tbn", x, self.w_in) + self.bias
        outputs, spikes, traces = [], [], []
        if c.astro:
            lam = torch.exp(-c.dt / self.tau_a)
            delta = nn.functional.softplus(self.rho_delta)
            a = torch.zeros((batch, lam.numel()), dtype=x.dtype, device=x.device)
            alpha_ratio = torch.sigmoid(self.alpha_logit) / c.U_0_star
        for t in range(steps):
            current = drive_in[t]
            if c.astro:
                a = lam * a + delta * (s @ self.domain_mean.T)
                a_unit = torch.tanh(a)[:, self.owner]
                release = (1 - a_unit) + alpha_ratio * a_unit
                current = current + self.g_sic * a_unit
                if self.w_rec is not None:
                    current = current + (release * s) @ self.w_rec.T
                u = self.beta * u + current - theta * s
                theta = c.theta_0 + self.kappa_theta * a_unit
                traces.append(a)
            else:
                if self.w_rec is not None:
                    current = current + s @ self.w_rec.T
                u = self.beta * u + current - theta * s
            s = self.spike(u - theta)
            y = self.gamma * y + s @ self.w_out.T
            outputs.append(y)
            spikes.append(s)
        self.last = {"s": torch.stack(spikes), "a": torch.stack(traces) if traces else None}
        return torch.stack(outputs)

    def n_parameters(self) -> int:
        """Number of scalars in all parameter tensors (weights, bias and, with ``astro=True``, the
        astrocyte parameters)."""
        return sum(p.numel() for p in self.parameters())


@dataclass
class TrainResult:
    """Accuracy on held-out data, the loss curve and what training cost."""

    accuracy: float
    losses: list
    train_accuracy: float
    seconds: float
    n_parameters: int
    rate_hz: float


def train_classifier(model: AMSUNetwork, make_batch, *, make_test_batch=None, iterations: int = 300,
                     batch_size: int = 64,
                     lr: float = 3e-3, test_batches: int = 4, seed: int = 0, device="cpu",
                     rate_weight: float = 0.0, target_rate: float = 0.02, log=None) -> TrainResult:
    """Adam on cross-entropy of the readout averaged over the task's recall steps.

    ``make_batch(batch_size, rng)`` returns ``(x (T, B, n_in), labels (B,), recall_mask (T,))`` as
    NumPy arrays. A fresh batch is drawn every iteration (the same stream for every model given
    the same ``seed``); the test set is ``test_batches`` batches of ``make_test_batch`` (default
    ``make_batch``) from another stream.
    ``rate_weight`` adds ``rate_weight * (mean rate - target_rate)^2`` (rate per step) to the loss.
    """
    from biomem.backends.torch.astrocytes import threads
    with threads(None, device):
        return _train(model, make_batch, make_test_batch, iterations, batch_size, lr, test_batches, seed, device,
                      rate_weight, target_rate, log)


def _train(model, make_batch, make_test_batch, iterations, batch_size, lr, test_batches, seed, device, rate_weight,
           target_rate, log):
    import time
    check.integer("iterations", iterations, low=0)
    check.integer("batch_size", batch_size, low=1)
    check.positive("lr", lr)
    dtype = next(model.parameters()).dtype
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng([seed, 1])
    losses, correct, seen = [], 0, 0
    started = time.perf_counter()

    def tensors(batch):
        x, labels, mask = batch
        return (torch.as_tensor(x, dtype=dtype, device=device), torch.as_tensor(labels, device=device),
                torch.as_tensor(mask, device=device, dtype=torch.bool))

    model.train()
    for iteration in range(iterations):
        x, labels, mask = tensors(make_batch(batch_size, rng))
        y = model(x)
        logits = y[mask].mean(0)
        loss = nn.functional.cross_entropy(logits, labels)
        if rate_weight:
            loss = loss + rate_weight * (model.last["s"].mean() - target_rate) ** 2
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        losses.append(loss.item())
        if iteration >= iterations - 20:
            correct += int((logits.argmax(1) == labels).sum())
            seen += labels.numel()
        if log is not None and (iteration % 50 == 0 or iteration == iterations - 1):
            log(iteration, losses[-1])
    seconds = time.perf_counter() - started
    accuracy, rate = evaluate(model, make_test_batch or make_batch, batches=test_batches, batch_size=batch_size,
                              rng=np.random.default_rng([seed, 2]), device=device)
    return TrainResult(accuracy, losses, correct / seen if seen else float("nan"), seconds, model.n_parameters(),
                       rate)


def evaluate(model: AMSUNetwork, make_batch, *, batches: int, batch_size: int, rng, device="cpu"):
    """(accuracy, mean firing rate in Hz) on ``batches`` fresh batches."""
    dtype = next(model.parameters()).dtype
    model.eval()
    correct = total = 0
    rate = 0.0
    with torch.no_grad():
        for _ in range(batches):
            x, labels, mask = make_batch(batch_size, rng)
            y = model(torch.as_tensor(x, dtype=dtype, device=device))
            logits = y[torch.as_tensor(mask, dtype=torch.bool, device=device)].mean(0)
            correct += int((logits.argmax(1).cpu() == torch.as_tensor(labels)).sum())
            total += len(labels)
            rate += float(model.last["s"].mean()) * 1000.0 / model.config.dt
    return correct / total, rate / batches
