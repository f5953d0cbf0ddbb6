"""Betti numbers of point clouds by persistent homology (ripser): components b₀ and loops b₁.

The cloud is thinned to landmarks by farthest-point sampling (ripser's ``n_perm``), which covers
dense and sparse parts alike. A feature counts when it persists over a range of scales wider than
a tenth of the cloud's extent (the diagonal of its bounding box): gaps between neighbouring
samples never count as separate pieces, while a hole or a gap that large does. The limit is the
sample's: a layer whose saturated tanh units pack points into the corners of the cube leaves the
links between corners so thinly sampled that they may read as gaps, so b₀ can rise there even
though a continuous map cannot disconnect anything.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_POINTS = 100  # landmarks per cloud: ripser's cost grows fast with points: 100 take 0.03 s, 150 0.05 s
SHARE = 0.1       # a feature must persist over this share of the cloud's extent


@dataclass(frozen=True)
class Betti:
    b0: int
    b1: int

    def __str__(self) -> str:
        return f"{self.b0}, {self.b1}"


def betti(points: np.ndarray, max_points: int = MAX_POINTS) -> Betti:
    """Components and loops of the cloud ``points`` [n, d], from at most ``max_points`` landmarks.

    Farthest-point sampling starts from the first point, so the answer is deterministic.
    """
    from ripser import ripser

    X = np.asarray(points, dtype=np.float64)
    X = X[np.isfinite(X).all(1)]
    if len(X) < 3:
        return Betti(len(X), 0)
    result = ripser(X, maxdim=1, n_perm=min(max_points, len(X)))
    scale = max(SHARE * float(np.linalg.norm(X.max(0) - X.min(0))), 1e-12)
    h0, h1 = result["dgms"]
    b0 = int(np.sum(h0[:, 1] > scale))  # the infinite bar is the first component
    b1 = int(np.sum(h1[:, 1] - h1[:, 0] > scale))
    return Betti(b0, b1)


def betti_per_layer(layers: list[np.ndarray], labels: np.ndarray) -> list[dict[int, Betti]]:
    """For each representation [n, width] in ``layers`` (input first), each class's Betti numbers."""
    classes = np.unique(labels)
    return [{int(c): betti(H[labels == c]) for c in classes} for H in layers]
