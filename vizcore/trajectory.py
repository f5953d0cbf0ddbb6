"""The training trajectory: a run's path through weight space, drawn in the plane.

Each parameter w_i gets a direction u_i in the plane and the net sits at sum_i w_i u_i:
- "random": u_i is a random unit vector (seeded), the article's picture;
- "rms": u_i is that unit vector times the RMS of dLoss/dw_i over the whole run, so
  weights the loss cares about move the point more (the article's second version);
- "pca": the first two principal components of the snapshots (the loss-landscape
  papers' choice), centred on their mean, with the variance they explain.

What a trajectory picture draws beside the path: the ``Path`` of each run (its error curve
and plane coordinates), ``MapFrames`` of what the net computes at some snapshots
(:func:`output_maps`), chosen on a logarithmic clock (:func:`frame_snapshots`, in words :func:`clock_words`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from sklearn.decomposition import PCA

from .engine import Architecture, forward, loss_and_output_grad
from .history import History

METHODS = ("random", "rms", "pca")
METHOD_NAMES = {"random": "random directions", "rms": "random directions × RMS gradient",
                "pca": "principal components"}


@dataclass(frozen=True)
class Projection:
    """xy = (params - mean) @ basis.

    basis : float64 [P, 2] one plane direction per parameter
    mean : float64 [P] (zeros except for "pca")
    explained : fraction of the snapshots' variance along each axis [2] ("pca" only)
    """

    method: str
    basis: np.ndarray
    mean: np.ndarray
    explained: Optional[np.ndarray] = None

    def __call__(self, params: np.ndarray) -> np.ndarray:
        """Plane coordinates [T, 2] of parameter snapshots [T, P]."""
        return (np.asarray(params, dtype=np.float64) - self.mean) @ self.basis


def random_unit_vectors(n_params: int, seed: int = 0) -> np.ndarray:
    """float64 [P, 2]: one random unit vector per parameter (uniform angle)."""
    angle = np.random.default_rng(seed).uniform(0.0, 2 * np.pi, n_params)
    return np.c_[np.cos(angle), np.sin(angle)]


def fit_projection(hist: History, method: str = "random", seed: int = 0) -> Projection:
    """The projection of ``method`` for this run (apply it to other runs to compare paths)."""
    P = hist.params.shape[1]
    if method == "random":
        return Projection(method, random_unit_vectors(P, seed), np.zeros(P))
    if method == "rms":
        return Projection(method, random_unit_vectors(P, seed) * hist.grad_rms[:, None].astype(np.float64), np.zeros(P))
    if method == "pca":
        params = hist.params.astype(np.float64)
        if len(params) < 3 or np.ptp(params, axis=0).max() == 0:
            return Projection(method, np.zeros((P, 2)), params.mean(axis=0), np.zeros(2))
        pca = PCA(n_components=2, svd_solver="full", random_state=seed).fit(params)
        return Projection(method, pca.components_.T, pca.mean_, pca.explained_variance_ratio_)
    raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")


def project(hist: History, method: str = "random", seed: int = 0) -> np.ndarray:
    """float64 [T, 2]: where each recorded snapshot of ``hist`` lands in the plane."""
    return fit_projection(hist, method, seed)(hist.params)


# --- can the PCA plane be trusted? ---------------------------------------------------

def pca_shares(params: np.ndarray, k: int = 5, about_last: bool = False) -> np.ndarray:
    """Fraction of the snapshots' variance [k] along each of the first k principal components.

    Centred on the snapshots' mean, or with ``about_last`` on the final one (as loss-landscape
    pictures centred on the trained net do).
    """
    X = np.asarray(params, dtype=np.float64)
    X = X - (X[-1] if about_last else X.mean(axis=0))
    s = np.linalg.svd(X, compute_uv=False)
    total = float((s ** 2).sum()) or 1.0
    return np.pad(s[:k] ** 2 / total, (0, max(0, k - len(s))))


def random_walk_shares(steps: int, dims: int, k: int = 5, seed: int = 0, about_last: bool = False,
                       at: Optional[np.ndarray] = None) -> np.ndarray:
    """The same shares for a pure random walk of ``steps`` points in ``dims`` dimensions (seeded, Gaussian steps).

    Antognini and Sohl-Dickstein (2018) showed that in many dimensions the first component of a random
    walk explains about 6/π² ≈ 61% of its variance and the k-th about 6/(π²k²): a path whose PCA looks
    like that is indistinguishable from noise, however neat its plane picture.

    ``at`` [T] (increasing step numbers): the walk recorded at those steps instead of at every one, as a run's
    snapshots are (dense early, sparse late); its increments are Gaussian with variance the steps between.
    """
    rng = np.random.default_rng(seed)
    width = min(dims, 400)
    if at is None:
        walk = np.cumsum(rng.normal(size=(steps, width)), axis=0)
    else:
        gaps = np.diff(np.r_[0.0, np.asarray(at, dtype=np.float64)])
        walk = np.cumsum(rng.normal(size=(len(gaps), width)) * np.sqrt(np.maximum(gaps, 0.0))[:, None], axis=0)
    return pca_shares(walk, k, about_last)


def random_walk_theory(k: int = 5) -> np.ndarray:
    """6 / (π² j²) for j = 1..k: the large-walk limit of :func:`random_walk_shares`."""
    return 6 / (np.pi ** 2 * np.arange(1, k + 1) ** 2)


def path_and_plane_loss(model, params: np.ndarray, X: np.ndarray, y: np.ndarray, task: str
                        ) -> tuple[np.ndarray, np.ndarray]:
    """The loss [T] at each snapshot ``params`` [T, P], and at its projection onto the PCA plane [T].

    The plane is the snapshots' first two principal components through their mean, as the PCA
    picture draws it: where the two curves differ, the plane's picture of the path shows a loss
    (a descent, a valley) that the path itself never had.
    """
    P = np.asarray(params, dtype=np.float64)
    mean = P.mean(axis=0)
    _, _, vt = np.linalg.svd(P - mean, full_matrices=False)
    plane = mean + (P - mean) @ vt[:2].T @ vt[:2]
    arch = Architecture.of(model)
    losses = []
    for flat in (P, plane):
        out, _ = forward(arch, flat.astype(np.float32), np.asarray(X, dtype=np.float32))
        losses.append(loss_and_output_grad(task, out, np.asarray(y))[0])
    return losses[0].astype(np.float64), losses[1].astype(np.float64)


# --- what a trajectory picture draws -----------------------------------------------

@dataclass
class Path:
    """One run's curve and trajectory, one value per recorded snapshot.

    name : legend text, e.g. "per example"
    steps : int [T] examples seen at each snapshot
    error : float [T] the error curve (NaN where undefined)
    xy : float [T, 2] the projected trajectory
    """

    name: str
    steps: np.ndarray
    error: np.ndarray
    xy: np.ndarray


@dataclass
class MapFrames:
    """What the net computes at some snapshots: values [F, r, r] in -1..1 over ``box`` (x0, x1, y0, y1).

    snapshot : int [F] the snapshot index (into the paths) each frame shows
    signed : the article's green/red/blue colouring (else class colours A..B)
    curve : optional (x [m], y [m]) drawn on top (the true boundary)
    points : optional (X [n, 2], labels [n]) drawn on top
    """

    values: np.ndarray
    box: tuple
    snapshot: np.ndarray
    signed: bool = True
    curve: Optional[tuple] = None
    points: Optional[tuple] = field(default=None)


def output_maps(model, params: np.ndarray, box: tuple[float, float, float, float], resolution: int = 60,
                bias_input: bool = False) -> np.ndarray:
    """float32 [F, r, r] of what the net computes on an r x r grid (row = y) at each snapshot params [F, P].

    One output (regression): the output itself. Two classes: P(class B) - P(class A),
    so both read as -1 .. +1. All snapshots at once, as one batched engine computation
    in float32 (the engine is pinned to the torch model by tests/test_engine.py): 80
    snapshots of the 510-weight net on 3,600 points take about 30 ms.
    """
    xs, ys = np.linspace(box[0], box[1], resolution), np.linspace(box[2], box[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.c_[gx.ravel(), gy.ravel()]
    if bias_input:
        grid = np.c_[grid, np.ones(len(grid))]
    arch, grid, maps = Architecture.of(model), grid.astype(np.float32), []
    for start in range(0, len(params), 20):  # 20 snapshots at a time: [20, 15, 3600] float32 is 4 MB
        out, _ = forward(arch, np.ascontiguousarray(params[start:start + 20], dtype=np.float32), grid)
        value = out[..., 0] if out.shape[2] == 1 else np.tanh(0.5 * (out[..., 1] - out[..., 0]))
        maps.append(value.reshape(-1, resolution, resolution))
    return np.concatenate(maps).astype(np.float32)


LEAD = 100  # updates: the frames are evenly spread in log(updates + LEAD)


def frame_snapshots(steps: np.ndarray, max_frames: int = 80, lead: float = LEAD) -> np.ndarray:
    """int [F] snapshot indices, F = max_frames or a few more, evenly spread in log(step + lead), ends included.

    Early updates change the net most, so the clock is logarithmic, but counted from ``lead`` updates before
    the first: a pure log(step) clock spent the first 8 s of play (32 of 80 frames) on the first
    51 of 250,000 examples and the last 8 s on the last 240,000. From 100, the first 200 updates (each
    one recorded) take 20 frames, the first 8 s show 16,000 examples and the last 8 s 209,000.
    """
    steps = np.asarray(steps)
    if len(steps) <= max_frames:
        return np.arange(len(steps))
    picked, count = np.arange(0), max_frames
    while len(picked) < max_frames:  # targets between two sparse snapshots share one: ask for more until F distinct
        wanted = np.geomspace(lead, steps[-1] + lead, count) - lead
        picked = np.unique(np.minimum(np.searchsorted(steps, wanted), len(steps) - 1))
        count += 1 + count // 20
    return picked


def clock_words(steps: np.ndarray, frame_ms: int) -> str:
    """How frames showing ``steps`` [F] (examples seen at each frame, from :func:`frame_snapshots`) play, in a
    sentence for a caption."""
    steps = np.asarray(steps)
    stretch = 8 * max(1, round(1000 / frame_ms))  # frames in the first and in the last 8 seconds of play
    if len(steps) <= 2 * stretch:
        return f"The {len(steps)} frames show every recorded moment, {frame_ms} ms each."
    first, last = int(steps[stretch]), int(steps[-1] - steps[-1 - stretch])
    return (f"The {len(steps)} frames run on a logarithmic clock, later frames further apart: the first 8 s of play "
            f"show the first {first:,} examples, the last 8 s the last {last:,}.")
