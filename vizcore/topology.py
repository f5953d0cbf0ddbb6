"""Betti numbers of point clouds by persistent homology (ripser): components b₀ and loops b₁.

The cloud is thinned to landmarks by farthest-point sampling (ripser's ``n_perm``), which covers
dense and sparse parts alike. A feature counts when it persists over a range of scales wider than
a tenth of the cloud's extent (the diagonal of its bounding box): gaps between neighbouring
samples never count as separate pieces, while a hole or a gap that large does. Hidden layers are
measured before their tanh (:func:`layer_clouds`). What stays below the resolution: features
thinner than a tenth of the cloud's extent, such as a ring that a layer stretched very thin.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import ACTIVATIONS
from .layers import MONOTONE  # strictly increasing activations: homeomorphisms onto their image
from .nets import numpy_forward

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
    from ripser import ripser  # here, not at the top: importing it takes 1.4 s, and only Betti numbers need it

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


def layer_clouds(model, X: np.ndarray) -> list[np.ndarray]:
    """The input, then each hidden layer's pre-activation W·h + b (its output, for ReLU), float64 [n, width].

    tanh maps a layer's pre-activation homeomorphically onto its output, so both have the same Betti
    numbers; the pre-activation is where to count them, because saturated tanh units crowd points
    into the corners of the cube and leave the links between corners too thinly sampled to resolve
    (a ring read as 12 pieces after a 2→3 layer, 1 before its tanh).
    """
    pre = numpy_forward(model, X, np.float64)[0]
    if model.activation not in MONOTONE:  # ReLU folds: count its output itself
        pre = [ACTIVATIONS[model.activation][0](z) for z in pre]
    return [np.asarray(X, dtype=np.float64), *pre]


def betti_per_layer(layers: list[np.ndarray], labels: np.ndarray) -> list[dict[int, Betti]]:
    """For each representation [n, width] in ``layers`` (input first), each class's Betti numbers."""
    classes = np.unique(labels)
    return [{int(c): betti(H[labels == c]) for c in classes} for H in layers]
