"""Unsupervised object binding with an AKOrN layer, scored against k-means on the same features.

Pipeline (all seeded): a 1x1 convolution ``stem`` maps RGB to C channels; the AKOrN layer takes
them as the conditional stimulus c (GroupNorm, gain ``c_scale``), starts from random oscillators and
runs T steps with a symmetric convolutional coupling initialised as a same-channel box kernel of
total weight ``coupling_scale`` (neighbours pull each other into synchrony). The final oscillator
states of each image are clustered with k-means into (objects + 1) clusters; the baseline clusters
the stimulus c itself (the same features without the oscillator dynamics), and raw RGB for reference.

Optional unsupervised training (``train_steps > 0``): the readout (conv, L2 norm per n-group) feeds a
1x1 decoder that reconstructs the image (mean squared error), trained end to end through the T steps
with Adam on scenes drawn with a different seed; then both methods are scored again on the
(trained) features. No labels are used for training; masks only score.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from biomem.description import validate as check
from biomem.oscillators.akorn import AKOrNLayer
from biomem.oscillators.binding import fg_ari, kmeans_segment, make_scenes, object_counts
from biomem.backends.torch.kuramoto import cpu_threads


class BindingNet(nn.Module):
    """AKOrN autoencoder for unsupervised object binding: a 1x1 input conv gives the stimulus, one
    convolutional AKOrN layer (``channels / n`` oscillators of dimension ``n`` per pixel, ``T`` steps
    of size ``gamma``) binds, a 1x1 conv decodes; the final oscillator states are clustered."""

    def __init__(self, channels: int = 16, n: int = 4, T: int = 16, gamma: float = 0.5, kernel_size: int = 3,
                 coupling_scale: float = 2.0, c_scale: float = 0.3, omega: str = "none", in_channels: int = 3,
                 seed: int = 0):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check.integer("seed", seed, low=0))
            self.stem = nn.Conv2d(in_channels, channels, 1)
            self.layer = AKOrNLayer(channels, n, coupling="conv", T=T, gamma=gamma, omega=omega, omega_scale=0.1,
                                    out_channels=channels // n, c_scale=c_scale, kernel_size=kernel_size,
                                    init="local", symmetric=True, scale=coupling_scale)
            self.decoder = nn.Conv2d(channels // n, in_channels, 1)

    def forward(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """Returns (reconstruction, final oscillator state x, normalised stimulus c)."""
        c = self.stem(images)
        out, info = self.layer(c, generator=generator, return_states=True)
        return self.decoder(out), info["x"], self.layer.stimulus(c)


def train_unsupervised(net: BindingNet, images: np.ndarray, steps: int, *, lr: float = 3e-3, batch: int = 16,
                       seed: int = 0) -> list[float]:
    """Autoencoding (MSE) training through the oscillator dynamics; returns the loss per step."""
    steps = check.integer("train_steps", steps, low=0)
    rng = np.random.default_rng(seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    data = torch.as_tensor(images)
    losses = []
    for _ in range(steps):
        idx = torch.as_tensor(rng.choice(len(data), size=min(batch, len(data)), replace=False))
        recon, _, _ = net(data[idx], generator=g)
        loss = nn.functional.mse_loss(recon, data[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def score(net: BindingNet, images: np.ndarray, masks: np.ndarray, seed: int = 0) -> dict[str, float]:
    """FG-ARI of k-means on the final oscillator states and on the stimulus c (same k, same seeds)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        _, x, c = net(torch.as_tensor(images), generator=g)
    k = object_counts(masks) + 1
    return {"akorn": fg_ari(masks, kmeans_segment(x.numpy(), k, seed)),
            "kmeans": fg_ari(masks, kmeans_segment(c.numpy(), k, seed))}


def binding_experiment(*, images: int = 32, size: int = 32, kind: str = "shapes", noise: float = 0.1,
                       max_objects: int = 4, channels: int = 16, n: int = 4, T: int = 16, gamma: float = 0.5,
                       kernel_size: int = 3, coupling_scale: float = 2.0, c_scale: float = 0.3, train_steps: int = 0,
                       train_images: int = 256, seed: int = 0, threads: int | None = 1) -> dict:
    """Scores (FG-ARI) of AKOrN and k-means, untrained and (with ``train_steps``) after training.
    ``threads``: torch CPU threads during the experiment (None: leave torch's setting)."""
    with cpu_threads(threads, torch.device("cpu")):
        return _experiment(images, size, kind, noise, max_objects, channels, n, T, gamma, kernel_size, coupling_scale,
                           c_scale, train_steps, train_images, seed)


def _experiment(images, size, kind, noise, max_objects, channels, n, T, gamma, kernel_size, coupling_scale, c_scale,
                train_steps, train_images, seed) -> dict:
    seed = check.integer("seed", seed, low=0)
    test_seed, train_seed, net_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(3))
    test_x, test_m = make_scenes(images, size, kind=kind, max_objects=max_objects, noise=noise, seed=test_seed)
    net = BindingNet(channels, n, T, gamma, kernel_size, coupling_scale, c_scale, seed=net_seed)
    out = {"fg_ari_kmeans_rgb": fg_ari(test_m, kmeans_segment(test_x, object_counts(test_m) + 1, seed))}
    before = score(net, test_x, test_m, seed)
    out.update({"fg_ari_akorn": before["akorn"], "fg_ari_kmeans": before["kmeans"]})
    if train_steps > 0:
        train_x, _ = make_scenes(train_images, size, kind=kind, max_objects=max_objects, noise=noise, seed=train_seed)
        losses = train_unsupervised(net, train_x, train_steps, seed=seed)
        after = score(net, test_x, test_m, seed)
        out.update({"fg_ari_akorn_trained": after["akorn"], "fg_ari_kmeans_trained": after["kmeans"],
                    "loss_first": losses[0], "loss_last": losses[-1], "losses": losses})
    out["mean_objects"] = float(object_counts(test_m).mean())
    return out
