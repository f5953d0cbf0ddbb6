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

from .datasets import Dataset
from .engine import Architecture, Workspace, forward, loss_and_grad, loss_and_output_grad
from .errors import UserError
from .nets import flat_params, load_flat
from .threads import one_thread
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

def batched_loss(arch: Architecture, params: np.ndarray, X: np.ndarray, y: np.ndarray, task: str,
                 chunk: int = CHUNK, workers: int = WORKERS) -> np.ndarray:
    """Mean loss [S] of S nets with parameters ``params`` [S, P] on the same data, in float32 chunks.

    The engine's forward pass and loss (:mod:`vizcore.engine`: the losses :func:`vizcore.train.fit`
    minimises, one sign convention for two classes), run in float32 over ``chunk`` grid points at a
    time. Each of ``workers`` threads takes a contiguous share of the chunks with its own scratch
    arrays (numpy releases the GIL inside its loops, so two cores really work in parallel).
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    params = np.asarray(params, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32) if task != "classification" else np.asarray(y)
    out = np.empty(len(params))
    starts = list(range(0, len(params), chunk))

    def run(share: list[int]) -> None:
        ws = Workspace()  # one per thread: reused from chunk to chunk
        with np.errstate(over="ignore", invalid="ignore"):
            for start in share:
                outputs, _ = forward(arch, params[start:start + chunk], X, ws)
                out[start:start + chunk] = loss_and_output_grad(task, outputs, y, ws=ws)[0]

    shares = [starts[k::workers] for k in range(workers)] if workers > 1 and len(starts) > 1 else [starts]
    with one_thread():  # our threads, not BLAS's: its spinning threads stall on a busy host
        if len(shares) > 1:
            with ThreadPoolExecutor(max_workers=len(shares)) as pool:
                list(pool.map(run, shares))
        else:
            run(starts)
    return out


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


def nested_sample(dataset: Dataset, n: int, seed: int = 0) -> Dataset:
    """The first ``n`` points of a seeded shuffle (the whole dataset if n is 0 or at least its size).

    The first n of one shuffled order, not an independent draw per n, so the 100 examples are
    part of the 1,000.
    """
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
    # float32 on big samples (twice as fast; its rounding is far below what a map can show), else float64
    dtype = np.float32 if dataset.n * len(starts) > 3000 else np.float64
    flat = np.repeat(center.astype(dtype)[None], len(starts), axis=0)
    w = starts.copy()  # the two weights, kept in float64
    X, y, ws = dataset.X.astype(dtype), dataset.y, Workspace()
    y = y.astype(dtype) if dataset.task != "classification" else y
    path, losses = [w.copy()], []
    with np.errstate(all="ignore"), one_thread():
        for _ in range(int(steps)):
            flat[:, [i, j]] = w
            loss, grad = loss_and_grad(arch, flat, X, y, dataset.task, ws)
            losses.append(loss.astype(np.float64))
            w -= lr * grad[:, [i, j]]
            path.append(w.copy())
        flat[:, [i, j]] = w
        out, _ = forward(arch, flat, X, ws)
        losses.append(loss_and_output_grad(dataset.task, out, y, ws=ws)[0].astype(np.float64))
    path_arr, loss_arr = np.stack(path, axis=1), np.stack(losses, axis=1)
    if not np.isfinite(path_arr).all():
        raise UserError("Gradient descent on the two weights diverged: lower its learning rate.")
    return Descent(path_arr, loss_arr)


# --- start points, minima, passes and curvature on a map -------------------------------------

AUTO_STARTS = np.array([[-0.7, 0.75], [-0.55, 0.85], [0.8, -0.6]])  # "auto" start points, as fractions of the range


def parse_starts(text: str, center: np.ndarray, span: float) -> np.ndarray:
    """Start points [K, 2] (K <= 3) from text like "(-2, 3); (1, 1)", or "auto": spread around ``center`` [2]."""
    text = (text or "").strip().lower()
    if text in ("", "auto"):
        return np.asarray(center, dtype=np.float64) + AUTO_STARTS * span
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

def local_minima(surf: Surface) -> np.ndarray:
    """Grid indices [m, 2] (row j, column i) of interior points lower than all 8 neighbours."""
    z = surf.loss
    inner = z[1:-1, 1:-1]
    lower = np.ones(inner.shape, dtype=bool)
    for dj in (-1, 0, 1):
        for di in (-1, 0, 1):
            if dj or di:
                lower &= inner < z[1 + dj:z.shape[0] - 1 + dj, 1 + di:z.shape[1] - 1 + di]
    return np.argwhere(lower) + 1


def mountain_pass(surf: Surface, p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    """The grid point (j, i) where a route from p to q must climb highest, at its lowest possible.

    Water rising over the map joins the two valleys first at this point. Flooding cells in order
    of loss, with a union-find over 4-neighbours, finds it.
    """
    z = surf.loss
    rows, cols = z.shape
    parent = np.full(z.size, -1)

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    target = (p[0] * cols + p[1], q[0] * cols + q[1])
    for k in np.argsort(z, axis=None):
        parent[k] = k
        j, i = divmod(int(k), cols)
        for nj, ni in ((j - 1, i), (j + 1, i), (j, i - 1), (j, i + 1)):
            if 0 <= nj < rows and 0 <= ni < cols and parent[nj * cols + ni] >= 0:
                parent[root(nj * cols + ni)] = root(int(k))
        if parent[target[0]] >= 0 and parent[target[1]] >= 0 and root(target[0]) == root(target[1]):
            return j, i
    raise ValueError("p and q must lie on the grid")


def curvatures(surf: Surface, j: int, i: int) -> np.ndarray:
    """The two eigenvalues (ascending) of the loss's second-derivative matrix at grid point (j, i).

    One negative and one positive: a saddle; both positive: a minimum (finite differences).
    """
    z, ha, hb = surf.loss, surf.a[1] - surf.a[0], surf.b[1] - surf.b[0]
    j, i = min(max(j, 1), z.shape[0] - 2), min(max(i, 1), z.shape[1] - 2)
    daa = (z[j, i + 1] - 2 * z[j, i] + z[j, i - 1]) / ha ** 2
    dbb = (z[j + 1, i] - 2 * z[j, i] + z[j - 1, i]) / hb ** 2
    dab = (z[j + 1, i + 1] - z[j + 1, i - 1] - z[j - 1, i + 1] + z[j - 1, i - 1]) / (4 * ha * hb)
    return np.linalg.eigvalsh(np.array([[daa, dab], [dab, dbb]]))
