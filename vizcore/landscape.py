"""Loss landscapes: the loss over a plane through weight space, and descent on two weights.

A plane is a centre theta (usually the trained weights) and two directions d1, d2 in
weight space; the landscape is L(theta + a*d1 + b*d2) on a grid of (a, b). Three kinds
of directions:

- two chosen weights: d1, d2 are one-hot, every other weight stays frozen;
- random directions with *filter normalisation* (Li et al. 2018): each neuron's row of a
  direction gets the norm of the same row of the weights, and biases are zeroed, so the
  picture does not depend on how weights happen to be scaled;
- the first two PCA directions of the training snapshots, onto which the training path
  itself can be projected.

The whole grid is evaluated as one batched computation: grid points are a leading axis
of stacked parameter arrays (float32 numpy, in chunks that stay in cache), not a Python
loop that loads each point's weights into the model.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from .config import QueryConfig, setting
from .datasets import Dataset
from .engine import ACTIVATIONS, Architecture, forward, loss_and_grad
from .errors import UserError
from .nets import flat_params, load_flat, parameter_names
from .train import loss_fn, tensors

MAX_RESOLUTION = 101
WORKERS = min(2, os.cpu_count() or 1)  # threads for one surface
CHUNK = 32  # grid points per batched step: big enough to amortise numpy calls, small enough for the cache


@dataclass(frozen=True, eq=False)
class Surface:
    """Loss on a grid of a plane through weight space.

    a, b : float64 [R] grid coordinates along direction 1 and 2 (offsets from the centre)
    loss : float64 [R, R]; ``loss[j, i]`` is at ``(a[i], b[j])`` (rows follow b, as plotly wants)
    center : float32 [P] the weights at (0, 0)
    directions : float32 [2, P]
    """

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    center: np.ndarray
    directions: np.ndarray

    @property
    def center_loss(self) -> float:
        """The loss at (0, 0), read from the grid (odd resolutions have that point)."""
        return float(self.loss[len(self.b) // 2, len(self.a) // 2])


# --- directions ---------------------------------------------------------------------------

def weight_directions(model, i: int, j: int) -> np.ndarray:
    """One-hot directions [2, P] for flat parameter indices i and j (two chosen weights)."""
    P = model.n_params
    for k in (i, j):
        if not 0 <= int(k) < P:
            raise UserError(f"This net has {P} weights and biases, numbered 0 to {P - 1}; {k} is not one of them.")
    if int(i) == int(j):
        raise UserError("Choose two different weights: the landscape needs one axis for each.")
    d = np.zeros((2, P), dtype=np.float32)
    d[0, int(i)] = d[1, int(j)] = 1.0
    return d


def filter_normalise(arch: Architecture, direction: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Rescale each neuron's incoming row of ``direction`` to the norm of the same row of ``weights``; zero biases.

    direction, weights : [P] flat vectors in ``model.parameters()`` order. Returns [P] float32.
    """
    out = np.array(direction, dtype=np.float64)[None]
    w_layers = arch.unflatten(np.asarray(weights, dtype=np.float64)[None])
    for (D, d_bias), (W, _) in zip(arch.unflatten(out), w_layers):  # views into out
        row_d = np.linalg.norm(D[0], axis=1, keepdims=True)
        row_w = np.linalg.norm(W[0], axis=1, keepdims=True)
        D[0] *= row_w / np.where(row_d > 0, row_d, 1.0)
        if d_bias is not None:
            d_bias[...] = 0.0
    return out[0].astype(np.float32)


def random_directions(model, seed: int = 0, normalise: bool = True) -> np.ndarray:
    """Two Gaussian directions [2, P] (seeded), filter-normalised to the model's weights unless told not to."""
    rng = np.random.default_rng(int(seed))
    d = rng.normal(size=(2, model.n_params)).astype(np.float32)
    if normalise:
        arch, w = Architecture.of(model), flat_params(model)
        d = np.stack([filter_normalise(arch, row, w) for row in d])
    return d


@dataclass(frozen=True, eq=False)
class PCAPlane:
    """The plane of the first two principal components of a run's snapshots, centred at the final weights.

    directions : float32 [2, P] orthonormal
    explained : float [2] fraction of the snapshots' variance along each direction
    path : float [T, 2] every snapshot projected onto the plane (the last one is (0, 0))
    """

    directions: np.ndarray
    explained: np.ndarray
    path: np.ndarray


def pca_plane(params: np.ndarray) -> PCAPlane:
    """PCA of the snapshots ``params`` [T, P] relative to the last one (as Li et al. do)."""
    params = np.asarray(params, dtype=np.float64)
    if len(params) < 3:
        raise UserError("The PCA plane needs at least 3 recorded training steps; train for longer.")
    offsets = params - params[-1]
    centred = offsets - offsets.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    total = float((s ** 2).sum())
    if total == 0:
        raise UserError("The weights never moved during training, so there is no path to analyse.")
    directions = vt[:2]
    for k in range(2):  # fix the sign: the path starts on the negative side
        if (offsets[0] @ directions[k]) > 0:
            directions[k] = -directions[k]
    return PCAPlane(directions.astype(np.float32), s[:2] ** 2 / total, offsets @ directions.T)


# --- evaluation ---------------------------------------------------------------------------

def _tanh_inplace(z: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=z)


def batched_loss(arch: Architecture, params: np.ndarray, X: np.ndarray, y: np.ndarray, task: str,
                 chunk: int = CHUNK, workers: int = WORKERS) -> np.ndarray:
    """Mean loss [S] of S nets with parameters ``params`` [S, P] on the same data, in float32 chunks.

    Cross-entropy for classification, mean squared error for regression: the losses of
    :func:`vizcore.train.fit`. Chunks are shared out to ``workers`` threads (numpy
    releases the GIL inside its loops, so two cores really work in parallel).
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    params = np.asarray(params, dtype=np.float32)
    target = _loss_target(task, y, arch.sizes[-1])
    out = np.empty(len(params))

    def run(start: int) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            out[start:start + chunk] = _mean_loss(task, _forward32(arch, params[start:start + chunk], X), target)

    starts = range(0, len(params), chunk)
    with threadpool_limits(1, user_api="blas"):  # our threads, not BLAS's: its spinning threads stall on a busy host
        if workers > 1 and len(starts) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run, starts))
        else:
            for start in starts:
                run(start)
    return out


def _forward32(arch: Architecture, params: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Outputs [S, n, k] of S nets (float32, activations applied in place)."""
    layers = arch.unflatten(params)
    h = X[None]
    for k, (W, b) in enumerate(layers):
        z = np.matmul(h, W.transpose(0, 2, 1))
        if b is not None:
            z += b[:, None, :]
        if k < len(layers) - 1:
            z = np.tanh(z, out=z) if arch.activation == "tanh" else ACTIVATIONS[arch.activation][0](z)
        h = z
    return h


def _loss_target(task: str, y: np.ndarray, n_out: int) -> np.ndarray:
    """What :func:`_mean_loss` compares outputs with: float32 targets, labels, or -1/+1 signs for two classes."""
    if task != "classification":
        return np.asarray(y, dtype=np.float32)
    if n_out == 2:
        return np.where(y == 1, -1.0, 1.0).astype(np.float32)
    return np.asarray(y)


def _mean_loss(task: str, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean loss per net [S] of outputs [S, n, k]; ``y`` as made by :func:`_loss_target`."""
    if task != "classification":
        diff = out[..., 0] - y
        return (diff * diff).mean(axis=1, dtype=np.float64)
    if y.dtype == np.float32:  # two classes, y holds signs: softplus(z_other - z_true), no softmax needed
        margin = (out[..., 1] - out[..., 0]) * y
        return (np.maximum(margin, 0) + np.log(1 + np.exp(-np.abs(margin)))).mean(axis=1, dtype=np.float64)
    top = out.max(axis=2, keepdims=True)
    log_z = np.log(np.exp(out - top).sum(axis=2)) + top[..., 0]
    picked = np.take_along_axis(out, np.broadcast_to(y, out.shape[:2])[..., None], axis=2)[..., 0]
    return (log_z - picked).mean(axis=1, dtype=np.float64)


def _grid(span, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    if not 3 <= int(resolution) <= MAX_RESOLUTION:
        raise UserError(f"The grid needs between 3 and {MAX_RESOLUTION} points per side; {resolution} was asked for.")
    spans = (span, span) if np.ndim(span) == 0 else tuple(span)
    if len(spans) != 2 or not all(np.isfinite(s) and s > 0 for s in spans):
        raise UserError("The range of the landscape must be a positive number.")
    return tuple(np.linspace(-s, s, int(resolution)) for s in spans)  # type: ignore[return-value]


def plane_params(center: np.ndarray, directions: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Flat parameters [len(b) * len(a), P] of every grid point, b-major (row j, column i)."""
    A, B = np.meshgrid(a, b)
    return (np.asarray(center, dtype=np.float32)[None] + A.reshape(-1, 1).astype(np.float32) * directions[0]
            + B.reshape(-1, 1).astype(np.float32) * directions[1])


def surface(model, dataset: Dataset, directions: np.ndarray, span: float | tuple[float, float] = 1.0,
            resolution: int = 51, *, center: np.ndarray | None = None) -> Surface:
    """Loss of ``model``'s architecture on ``dataset`` over the plane ``center + a*d1 + b*d2``.

    Parameters
    ----------
    model : an :class:`~vizcore.nets.MLP` (its architecture, and its weights as the default centre)
    dataset : the examples the loss averages over (pass a subsample to see how N matters)
    directions : [2, P] in flat parameter order (see :func:`weight_directions`,
        :func:`random_directions`, :func:`pca_plane`)
    span : a and b run over [-span, span]; or a pair (span_a, span_b)
    resolution : grid points per side, 3 .. 101 (odd puts a point at the centre)
    center : [P] weights at (0, 0); default the model's current weights

    Returns
    -------
    Surface with loss [resolution, resolution], evaluated as one batched computation.
    """
    a, b = _grid(span, resolution)
    center = flat_params(model) if center is None else np.asarray(center, dtype=np.float32)
    directions = np.asarray(directions, dtype=np.float32)
    if directions.shape != (2, center.size):
        raise UserError(f"Directions must have shape (2, {center.size}); got {directions.shape}.")
    params = plane_params(center, directions, a, b)
    loss = batched_loss(Architecture.of(model), params, dataset.X, dataset.y, dataset.task)
    return Surface(a, b, loss.reshape(len(b), len(a)), center, directions)


@torch.no_grad()
def looped_surface(model, dataset: Dataset, directions: np.ndarray, span=1.0, resolution: int = 51, *,
                   center: np.ndarray | None = None) -> Surface:
    """The same as :func:`surface`, the slow way: load each grid point's weights into the model (reference)."""
    a, b = _grid(span, resolution)
    center = flat_params(model) if center is None else np.asarray(center, dtype=np.float32)
    twin, (X, y), criterion = model.clone(), tensors(dataset), loss_fn(dataset.task)
    loss = np.empty((len(b), len(a)))
    for j, bj in enumerate(b):
        for i, ai in enumerate(a):
            load_flat(twin, center + np.float32(ai) * directions[0] + np.float32(bj) * directions[1])
            loss[j, i] = float(criterion(twin(X), y))
    return Surface(a, b, loss, center, np.asarray(directions, dtype=np.float32))


def subsample(dataset: Dataset, n: int, seed: int = 0) -> Dataset:
    """The first ``n`` points of a seeded shuffle (the whole dataset if n is 0 or at least its size)."""
    if n <= 0 or n >= dataset.n:
        return dataset
    keep = np.sort(np.random.default_rng(seed).permutation(dataset.n)[:n])
    return Dataset(dataset.X[keep], dataset.y[keep], dataset.task, dataset.name, {**dataset.params, "sample": n})


# --- descent on two weights ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Descent:
    """Plain gradient descent on two weights from several starts, everything else frozen.

    path : float [K, T+1, 2] the two weights' values at every epoch (start first)
    loss : float [K, T+1] the loss there
    """

    path: np.ndarray
    loss: np.ndarray


def descend(model, dataset: Dataset, i: int, j: int, starts: np.ndarray, lr: float, steps: int,
            center: np.ndarray | None = None) -> Descent:
    """Gradient descent on weights i and j from each start (all starts as one batched computation).

    starts : [K, 2] initial values of (w_i, w_j); the other weights keep ``center``
    (default the model's weights). Each epoch uses every example of ``dataset``.
    """
    starts = np.atleast_2d(np.asarray(starts, dtype=np.float64))
    if not (np.isfinite(lr) and 0 < lr <= 100):
        raise UserError(f"The descent learning rate must be above 0 and at most 100; got {lr:g}.")
    if not 1 <= int(steps) <= 20_000:
        raise UserError(f"Descent needs between 1 and 20,000 epochs; got {steps}.")
    weight_directions(model, i, j)  # validates the indices
    arch = Architecture.of(model)
    center = flat_params(model) if center is None else np.asarray(center)
    flat = np.repeat(center.astype(np.float64)[None], len(starts), axis=0)
    flat[:, [i, j]] = starts
    X = dataset.X.astype(np.float64)
    path, losses = [flat[:, [i, j]].copy()], []
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        for _ in range(int(steps)):
            loss, grad = loss_and_grad(arch, flat, X, dataset.y, dataset.task)
            losses.append(loss)
            flat[:, [i, j]] -= lr * grad[:, [i, j]]
            path.append(flat[:, [i, j]].copy())
        out, _ = forward(arch, flat, X)
        losses.append(_mean_loss(dataset.task, out, dataset.y))
    path_arr, loss_arr = np.stack(path, axis=1), np.stack(losses, axis=1)
    if not np.isfinite(path_arr).all():
        raise UserError("Gradient descent on the two weights diverged: lower its learning rate.")
    return Descent(path_arr, loss_arr)


# --- one lesson's worth of pictures -------------------------------------------------------

SAMPLES = (0, 30, 100, 300)  # 0 = every point
GD_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # descent learning rates the lesson offers
RESOLUTIONS = tuple(range(11, 82, 10))  # grid points per side the lesson offers
AUTO_STARTS = np.array([[-0.7, 0.75], [-0.55, 0.85], [0.8, -0.6]])  # fractions of the range


@dataclass(frozen=True)
class LandscapeConfig(QueryConfig):
    """What the landscape lesson draws for a trained net (the net itself is a RunConfig)."""

    view: str = setting("weights", choices=("weights", "plane"))
    weight_a: int = setting(0, lo=0, hi=100_000)
    weight_b: int = setting(1, lo=0, hi=100_000)
    weight_range: float = setting(4.0, lo=0.5, hi=20.0)
    sample: int = setting(100, choices=SAMPLES)
    starts: str = setting("auto", max_chars=120)
    gd_lr: float = setting(1.0, choices=GD_RATES)
    gd_epochs: int = setting(300, lo=1, hi=5000)
    plane: str = setting("pca", choices=("pca", "random"))
    plane_range: float = setting(1.0, lo=0.2, hi=5.0)
    plane_seed: int = setting(0, lo=0, hi=1_000_000)
    resolution: int = setting(41, choices=RESOLUTIONS)

    def check(self) -> None:
        super().check()
        parse_starts(self.starts, np.zeros(2), 1.0)  # explicit start points must parse (UserError says why)


def parse_starts(text: str, trained: np.ndarray, span: float) -> np.ndarray:
    """Start points [K, 2] (K <= 3) from text like "(-2, 3); (1, 1)", or "auto": spread around ``trained`` [2]."""
    text = (text or "").strip().lower()
    if text in ("", "auto"):
        return np.asarray(trained, dtype=np.float64) + AUTO_STARTS * span
    points = []
    for part in text.replace("(", " ").replace(")", ";").split(";"):
        if not part.strip():
            continue
        try:
            values = [float(v) for v in part.replace(",", " ").split()]
        except ValueError:
            raise UserError(f"Cannot read the start point {part.strip()!r}: write two numbers, like (-2, 3).") from None
        if len(values) != 2 or not all(np.isfinite(values)) or max(abs(v) for v in values) > 1e3:
            raise UserError(f"A start point needs two finite numbers below 1000, like (-2, 3); got {part.strip()!r}.")
        points.append(values)
    if not 1 <= len(points) <= 3:
        raise UserError(f"Give one to three start points, separated by semicolons; got {len(points)}.")
    return np.asarray(points)


@dataclass(frozen=True, eq=False)
class TwoWeights:
    """The article's picture: the loss over two weights, and descent on them from a few starts."""

    names: tuple[str, str]
    trained: np.ndarray  # [2] the two weights' trained values (the grid is centred there)
    surface: Surface  # over the sample of N points
    other: Surface  # the same weights over all points (or over 100 if the sample is all of them)
    sample_label: str
    other_label: str
    descent: Descent  # on the sample

    def axes(self, surf: Surface) -> tuple[np.ndarray, np.ndarray]:
        """Grid axes in weight values (not offsets)."""
        return surf.a + self.trained[0], surf.b + self.trained[1]


def two_weights(model, dataset: Dataset, cfg: LandscapeConfig, seed: int = 0) -> TwoWeights:
    """Surfaces over weights ``cfg.weight_a``, ``cfg.weight_b`` (all others frozen) and descent from the starts."""
    i, j = cfg.weight_a, cfg.weight_b
    dirs = weight_directions(model, i, j)
    center = flat_params(model)
    trained = center[[i, j]].astype(np.float64)
    starts = parse_starts(cfg.starts, trained, cfg.weight_range)
    span = max(cfg.weight_range, 1.05 * float(np.abs(starts - trained).max()))
    sample = subsample(dataset, cfg.sample, seed)
    other = subsample(dataset, 100, seed) if sample is dataset else dataset
    label = lambda ds: f"N = {ds.n}" + (" (all points)" if ds is dataset else "")  # noqa: E731
    names = parameter_names(model)
    return TwoWeights(
        (names[i], names[j]), trained,
        surface(model, sample, dirs, span, cfg.resolution, center=center),
        surface(model, other, dirs, span, cfg.resolution, center=center),
        label(sample), label(other),
        descend(model, sample, i, j, starts, cfg.gd_lr, cfg.gd_epochs, center=center))


@dataclass(frozen=True, eq=False)
class PlaneView:
    """The loss on a plane through the trained weights, with the training path when the plane is PCA's."""

    surface: Surface
    labels: tuple[str, str]
    path: np.ndarray | None  # [T, 2] snapshots projected on the plane
    path_loss: np.ndarray | None  # [T] loss at those projected points


def plane_view(model, dataset: Dataset, params: np.ndarray, cfg: LandscapeConfig) -> PlaneView:
    """Random filter-normalised directions, or PCA of the snapshots ``params`` [T, P] with the path on it."""
    center = flat_params(model)
    if cfg.plane == "random":
        dirs = random_directions(model, cfg.plane_seed)
        surf = surface(model, dataset, dirs, cfg.plane_range, cfg.resolution, center=center)
        labels = ("random direction 1 (filter-normalised)", "random direction 2 (filter-normalised)")
        return PlaneView(surf, labels, None, None)
    plane = pca_plane(params)
    span = cfg.plane_range * 1.25 * max(float(np.abs(plane.path).max()), 1e-3)
    surf = surface(model, dataset, plane.directions, span, cfg.resolution, center=center)
    path_params = center[None] + plane.path.astype(np.float32) @ plane.directions
    path_loss = batched_loss(Architecture.of(model), path_params, dataset.X, dataset.y, dataset.task)
    labels = tuple(f"PC{k + 1} ({plane.explained[k]:.0%} of the path's variance)" for k in range(2))
    return PlaneView(surf, labels, plane.path, path_loss)
