"""Betti numbers of point clouds, b₀ (pieces) and b₁ (loops), measured relative to the sampling itself.

Why not a fixed share of the cloud's extent (this module's first rule, 10% of the bounding box):
a layer that stretches one direction 50-fold makes a ring 50 times thinner than its extent, and
its loop fell below the share; on lesson 1's default page a spiral arm read as 2 pieces and 1 loop
through four homeomorphisms. Every length here is compared with the sampling around it instead,
so no stretch of space changes a count (bench/topology_shapes.py prints the measurements):

1. **Undo the linear stretch.** The cloud is whitened, then made locally round: its mean covariance of
   neighbour differences becomes the identity (three passes). Any invertible linear map applied to
   the cloud leaves these coordinates unchanged up to a rotation, so W never changes a count.
   Directions whose spread is below :data:`FLAT` of the largest are dropped: a layer flattened them.
2. **Pieces (b₀):** single linkage on distances divided by the local spacing,
   d(u, v) / √(ρ(u)·ρ(v)), ρ the distance to the :data:`K`-th neighbour. A gap counts when it is
   larger than the largest gap random sampling leaves: N points along a curve leave gaps up to about
   ln N mean spacings, and ρ spans about K/2 of them, so the bar is ln N / (K/2) local units
   (:func:`gap_bar`); a gap counts from 1.3 bars and is "unresolved" from 1.05 (random gaps reached
   1.0 bar at most on the shapes of :mod:`vizcore.shapes` from 60 points on).
3. **Loops (b₁):** persistent homology (ripser) of :data:`LANDMARKS` farthest-point landmarks; a
   loop counts by its multiplicative persistence death/birth, which no rescaling changes:
   random clouds left loops of death/birth 2.15 at most (discs, blobs, tori of 60 to 1,000 points,
   5 seeds each), so a ratio from 2.6 counts and one between 2.2 and 2.6 is "unresolved". (2.8 lost
   two tori of 300 points to "unresolved" and still let a spiral arm folded back on itself, closer than
   its points' spacing, read as a loop in lesson 1's last layer: a limit of the sample.)
4. **Too few points:** a cloud of fewer than :data:`MIN_POINTS` points is "unresolved".

Hidden layers are measured before their tanh (:func:`layer_clouds`), which maps them onto the
layer's output homeomorphically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .engine import ACTIVATIONS
from .layers import MONOTONE  # strictly increasing activations: homeomorphisms onto their image
from .layers import SINGULAR_RATIO as FLAT  # spread below this share of the largest: flattened
from .nets import numpy_forward

K = 10             # the local spacing ρ: distance to the K-th nearest neighbour
LANDMARKS = 300    # farthest-point landmarks for the loops: a solid torus takes ripser 0.16 s on 300
                   # (0.09 on 200, which read two tori of 1,000 points as unresolved)
MAX_POINTS = 2000  # a larger cloud is thinned at random first (single linkage on 2,000 points: 0.05 s)
MIN_POINTS = 150   # below this too few to say: of 100 points, linked circles read as one piece in 5 of 5 samples
GAP = (1.05, 1.3)       # a gap of this many bars (gap_bar) is unresolved from the first on and counts from the second
LOOP_RATIO = (2.2, 2.6)  # death/birth: up to the first, noise; from the second on, a loop; between, unresolved
ROUNDING = 3       # passes of "make the neighbourhoods round"


@dataclass(frozen=True)
class Betti:
    """b₀ and b₁; None where the samples do not resolve the number."""

    b0: Optional[int]
    b1: Optional[int]

    @property
    def resolved(self) -> bool:
        return self.b0 is not None and self.b1 is not None

    def __str__(self) -> str:
        return ", ".join("unresolved" if b is None else str(b) for b in (self.b0, self.b1))


@dataclass(frozen=True, eq=False)
class Barcode:
    """The evidence behind a :class:`Betti`: each feature's strength in units of the sampling.

    gaps  : float [g] the largest gaps of the single linkage, in local spacings (the first piece has none)
    loops : float [l, 2] birth and death of each loop (landmark distances in the rounded coordinates)
    gap_bar : the unit of gaps: the largest that random sampling leaves (:func:`gap_bar`); see GAP
    n : points measured
    """

    gaps: np.ndarray
    loops: np.ndarray
    gap_bar: float
    n: int
    betti: Betti = field(default=Betti(None, None))

    @property
    def loop_ratio(self) -> np.ndarray:
        """death / birth of each loop [l] (largest first)."""
        if not len(self.loops):
            return np.zeros(0)
        return np.sort(self.loops[:, 1] / np.maximum(self.loops[:, 0], 1e-300))[::-1]


def gap_bar(n: int) -> float:
    """The length (in local spacings) a gap must reach to count among n points: ln n / (K / 2)."""
    return float(np.log(max(n, 2)) / (K / 2))


def rounded(points: np.ndarray, passes: int = ROUNDING) -> np.ndarray:
    """``points`` [n, d] in coordinates where no linear map shows: whitened, then with round neighbourhoods.

    Returns [n, d'] with the flat directions (spread below FLAT of the largest) dropped. For any invertible
    A, ``rounded(X @ A.T + b)`` equals ``rounded(X)`` up to a rotation (to rounding error).
    """
    from scipy.spatial import cKDTree

    X = np.asarray(points, dtype=np.float64)
    X = X - X.mean(0)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    keep = s > FLAT * max(s[0], 1e-300)
    if not keep.any():  # every point in one place
        return np.zeros((len(X), 0))
    X = X @ vt[keep].T / s[keep] * np.sqrt(len(X))
    k = min(8, len(X) - 1)
    for _ in range(passes):
        _, nearest = cKDTree(X).query(X, k + 1)
        diff = X[nearest[:, 1:]] - X[:, None, :]
        values, vectors = np.linalg.eigh(np.einsum("nki,nkj->ij", diff, diff) / diff[..., 0].size)
        X = X @ vectors / np.sqrt(np.maximum(values, values.max() * 1e-12))
    return X


def _linkage_gaps(X: np.ndarray) -> np.ndarray:
    """Single-linkage merge lengths of X [n, d] in local units d(u, v) / max(ρ(u), ρ(v)), largest first [n - 1]."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
    from scipy.spatial import cKDTree

    n = len(X)
    tree = cKDTree(X)
    k = min(max(K, 15), n - 1)  # 15 neighbours: the graph keeps every edge single linkage needs within a piece
    dist, nearest = tree.query(X, k + 1)
    rho = np.maximum(dist[:, min(K, n - 1)], 1e-300)
    rows = np.repeat(np.arange(n), k)
    cols = nearest[:, 1:].ravel()
    weight = dist[:, 1:].ravel() / np.maximum(rho[rows], rho[cols])
    graph = coo_matrix((weight + 1e-300, (rows, cols)), shape=(n, n)).tocsr()
    pieces, label = connected_components(graph, directed=False)
    extra = []
    while pieces > 1:  # join the neighbour graph's pieces by their shortest local-unit links (Boruvka)
        for c in range(pieces):
            inside = label == c
            d, j = cKDTree(X[~inside]).query(X[inside])
            outside = np.flatnonzero(~inside)[j]
            w = d / np.maximum(rho[inside], rho[outside])
            best = int(np.argmin(w))
            extra.append((np.flatnonzero(inside)[best], outside[best], w[best]))
        e = np.array(extra)
        links = coo_matrix((e[:, 2] + 1e-300, (e[:, 0].astype(int), e[:, 1].astype(int))), shape=(n, n))
        graph = (graph + links).tocsr()
        pieces, label = connected_components(graph, directed=False)
    return np.sort(minimum_spanning_tree(graph).data)[::-1]


def _farthest_points(X: np.ndarray, m: int) -> np.ndarray:
    """Indices of m farthest-point landmarks of X, starting from point 0 (deterministic): they cover dense and
    sparse parts of the cloud alike."""
    chosen = [0]
    squared = ((X - X[0]) ** 2).sum(1)
    for _ in range(m - 1):
        chosen.append(int(np.argmax(squared)))
        np.minimum(squared, ((X - X[chosen[-1]]) ** 2).sum(1), out=squared)
    return np.array(chosen)


def persistence(points: np.ndarray, seed: int = 0) -> Barcode:
    """The barcode and Betti numbers of the cloud ``points`` [n, d] (non-finite rows dropped).

    Clouds larger than MAX_POINTS are thinned at random with ``seed``, so the answer is deterministic.
    """
    from ripser import ripser  # here, not at the top: importing it takes 1.4 s, and only Betti numbers need it

    X = np.asarray(points, dtype=np.float64)
    X = X[np.isfinite(X).all(1)]
    if len(X) > MAX_POINTS:
        X = X[np.random.default_rng(seed).choice(len(X), MAX_POINTS, replace=False)]
    n = len(X)
    if n < MIN_POINTS:
        return Barcode(np.zeros(0), np.zeros((0, 2)), gap_bar(n), n, Betti(None, None))
    X = rounded(X)
    if X.shape[1] == 0:  # every direction flattened (a dead ReLU layer sends the whole class to one point): a point
        return Barcode(np.zeros(0), np.zeros((0, 2)), gap_bar(n), n, Betti(1, 0))
    gaps = _linkage_gaps(X)
    chosen = _farthest_points(X, min(LANDMARKS, n // 2))  # a net coarser than the points themselves
    loops = ripser(X[chosen], maxdim=1)["dgms"][1]
    ratio = loops[:, 1] / np.maximum(loops[:, 0], 1e-300) if len(loops) else np.zeros(0)
    loops = loops[np.argsort(-ratio)]
    bar = gap_bar(n)
    strength = gaps / bar
    b0 = None if ((strength >= GAP[0]) & (strength < GAP[1])).any() else 1 + int((strength >= GAP[1]).sum())
    low, high = LOOP_RATIO
    b1 = None if ((ratio > low) & (ratio < high)).any() else int((ratio >= high).sum())
    return Barcode(gaps[:8], loops[:8], bar, n, Betti(b0, b1))


def betti(points: np.ndarray, seed: int = 0) -> Betti:
    """b₀ and b₁ of the cloud ``points`` [n, d] (None where unresolved): see the module's rule."""
    return persistence(points, seed).betti


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


def barcodes_per_layer(layers: list[np.ndarray], labels: np.ndarray) -> list[dict[int, Barcode]]:
    """For each representation [n, width] in ``layers`` (input first), each class's :class:`Barcode`."""
    classes = np.unique(labels)
    return [{int(c): persistence(H[labels == c]) for c in classes} for H in layers]


def betti_per_layer(layers: list[np.ndarray], labels: np.ndarray) -> list[dict[int, Betti]]:
    """For each representation [n, width] in ``layers`` (input first), each class's Betti numbers."""
    return [{c: code.betti for c, code in per_class.items()} for per_class in barcodes_per_layer(layers, labels)]
