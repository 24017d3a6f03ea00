"""Synthetic multi-object scenes, FG-ARI scoring and a k-means baseline for oscillator binding.

Scenes are generated in code (no downloads): ``size`` x ``size`` RGB images on a black background
with 2..``max_objects`` objects, each a coloured shape (``shapes``: square, disc, triangle) or a
Tetromino-like piece (``tetrominoes``: the 19 fixed orientations of the 7 tetrominoes, drawn with
``block``-pixel cells). Colours come from a small palette with replacement, so two objects can share
a colour (then only position separates them). Later objects occlude earlier ones; the mask holds
0 for background and 1..k for the visible objects. ``noise`` adds N(0, noise^2) per pixel and channel.

FG-ARI: the adjusted Rand index (``sklearn.metrics.adjusted_rand_score``) between the true and the
predicted labels on foreground pixels only, averaged over images. Both methods below cluster every
pixel of an image into (number of objects + 1) clusters with k-means (same k, same seeds).
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from biomem.description import validate as check

KINDS = ("shapes", "tetrominoes")
PALETTE = np.array([[1.0, 0.2, 0.2], [0.2, 1.0, 0.2], [0.25, 0.4, 1.0], [1.0, 1.0, 0.2], [1.0, 0.3, 1.0],
                    [0.2, 1.0, 1.0]])
_BASE = {"I": [(0, 0), (0, 1), (0, 2), (0, 3)], "O": [(0, 0), (0, 1), (1, 0), (1, 1)],
         "T": [(0, 0), (0, 1), (0, 2), (1, 1)], "S": [(0, 1), (0, 2), (1, 0), (1, 1)],
         "Z": [(0, 0), (0, 1), (1, 1), (1, 2)], "J": [(0, 0), (1, 0), (1, 1), (1, 2)],
         "L": [(0, 2), (1, 0), (1, 1), (1, 2)]}


def tetrominoes() -> list[tuple[tuple[int, int], ...]]:
    """The 19 distinct fixed tetrominoes (all rotations of the 7 one-sided pieces), cells (row, col)."""
    pieces = []
    for cells in _BASE.values():
        current = cells
        for _ in range(4):
            rows, cols = zip(*current)
            normal = tuple(sorted((r - min(rows), c - min(cols)) for r, c in current))
            if normal not in pieces:
                pieces.append(normal)
            current = [(c, -r) for r, c in current]
    return pieces


def _shape_mask(kind: str, size: int, rng: np.random.Generator, block: int) -> np.ndarray:
    """A boolean mask of one random object, not yet placed (its own bounding box)."""
    if kind == "tetrominoes":
        pieces = tetrominoes()
        cells = pieces[rng.integers(len(pieces))]
        h = (max(r for r, _ in cells) + 1) * block
        w = (max(c for _, c in cells) + 1) * block
        mask = np.zeros((h, w), bool)
        for r, c in cells:
            mask[r * block:(r + 1) * block, c * block:(c + 1) * block] = True
        return mask
    side = int(rng.integers(max(4, size // 5), max(5, size // 3) + 1))
    yy, xx = np.mgrid[0:side, 0:side] + 0.5
    shape = rng.integers(3)
    if shape == 0:
        return np.ones((side, side), bool)
    if shape == 1:
        return (yy - side / 2) ** 2 + (xx - side / 2) ** 2 <= (side / 2) ** 2
    return np.abs(xx - side / 2) <= yy / 2  # triangle pointing up


def make_scenes(count: int, size: int = 32, *, kind: str = "shapes", min_objects: int = 2, max_objects: int = 3,
                noise: float = 0.0, block: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` scenes: images (count, 3, size, size) float32 and masks (count, size, size) int64."""
    count = check.integer("count", count, low=1)
    size = check.integer("size", size, low=12)
    check.choice("kind", kind, KINDS)
    low = check.integer("min_objects", min_objects, low=1)
    high = check.integer("max_objects", max_objects, low=low)
    noise = check.non_negative("noise", noise)
    block = check.integer("block", block, low=1, high=size // 4)
    rng = np.random.default_rng(check.integer("seed", seed, low=0))
    images = np.zeros((count, 3, size, size), np.float32)
    masks = np.zeros((count, size, size), np.int64)
    for b in range(count):
        objects = int(rng.integers(low, high + 1))
        label = np.zeros((size, size), np.int64)
        colours = []
        for k in range(1, objects + 1):
            shape = _shape_mask(kind, size, rng, block)
            top = int(rng.integers(0, size - shape.shape[0] + 1))
            left = int(rng.integers(0, size - shape.shape[1] + 1))
            label[top:top + shape.shape[0], left:left + shape.shape[1]][shape] = k
            colours.append(PALETTE[rng.integers(len(PALETTE))])
        visible = [k for k in range(1, objects + 1) if (label == k).any()]
        for new, k in enumerate(visible, start=1):
            images[b][:, label == k] = colours[k - 1][:, None]
            masks[b][label == k] = new
        if noise > 0:
            images[b] += noise * rng.standard_normal(images[b].shape).astype(np.float32)
    return images, masks


def fg_ari(true_masks: np.ndarray, pred_masks: np.ndarray) -> float:
    """Mean over images of the ARI on foreground pixels (true label > 0); images without foreground skipped."""
    true_masks, pred_masks = np.asarray(true_masks), np.asarray(pred_masks)
    scores = []
    for true, pred in zip(true_masks.reshape(len(true_masks), -1), pred_masks.reshape(len(pred_masks), -1)):
        fg = true > 0
        if fg.any():
            scores.append(adjusted_rand_score(true[fg], pred[fg]))
    return float(np.mean(scores)) if scores else float("nan")


def kmeans_segment(features: np.ndarray, clusters, seed: int = 0, normalize: bool = False) -> np.ndarray:
    """Per-image k-means of per-pixel features (B, F, H, W) into ``clusters[b]`` clusters -> labels (B, H, W).

    ``normalize`` scales each pixel's feature vector to unit length first (cosine geometry)."""
    features = np.asarray(features, dtype=np.float64)
    b, f, h, w = features.shape
    clusters = np.broadcast_to(np.asarray(clusters, dtype=int), (b,))
    labels = np.zeros((b, h, w), np.int64)
    for i in range(b):
        points = features[i].reshape(f, -1).T
        if normalize:
            points = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
        k = int(min(clusters[i], len(np.unique(points.round(12), axis=0))))
        model = KMeans(n_clusters=max(k, 1), n_init=10, random_state=seed + i)
        labels[i] = model.fit_predict(points).reshape(h, w)
    return labels


def object_counts(masks: np.ndarray) -> np.ndarray:
    """Number of visible objects per mask (labels > 0)."""
    return np.array([len(np.unique(m[m > 0])) for m in np.asarray(masks)])
