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
from . import datasets
from .datasets import Dataset
from .engine import Architecture, Workspace, forward, loss_and_grad, loss_and_output_grad
from .errors import UserError
from .nets import flat_params, load_flat, parameter_names
from .runs import RunConfig
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
    with threadpool_limits(1, user_api="blas"):  # our threads, not BLAS's: its spinning threads stall on a busy host
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
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
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


# --- one lesson's worth of pictures -------------------------------------------------------

POOL = 10_000  # examples a landscape averages over at most (the article compared N = 100 with N = 10,000)
SAMPLES = (0, 30, 100, 1000)  # N; 0 = all POOL examples
GD_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # descent learning rates the lesson offers
RESOLUTIONS = tuple(range(11, 82, 10))  # grid points per side the lesson offers
AUTO_STARTS = np.array([[-0.7, 0.75], [-0.55, 0.85], [0.8, -0.6]])  # fractions of the range
# Three starts 1.6 apart on the opening view's N = 100 map, each in the basin of a different minimum
# (found by running descent from a 11 x 11 grid of starts; the tests check that they still split).
SPLIT_STARTS = "(-1.2, 0.2); (0.4, 0.2); (-0.4, -1)"


@dataclass(frozen=True)
class LandscapeConfig(QueryConfig):
    """What the landscape lesson draws for a net (the net itself is a RunConfig).

    The default is the lesson's opening view: hidden unit 2's two input weights of an early
    2-3-2 net on the disc in a ring, N = 100 against all 10,000 examples.
    """

    view: str = setting("weights", choices=("weights", "plane"))
    weight_a: int = setting(2, lo=0, hi=100_000)
    weight_b: int = setting(3, lo=0, hi=100_000)
    weight_range: float = setting(6.0, lo=0.5, hi=20.0)
    sample: int = setting(100, choices=SAMPLES)
    sample_seed: int = setting(0, lo=0, hi=1_000_000)
    starts: str = setting(SPLIT_STARTS, max_chars=120)
    gd_lr: float = setting(10.0, choices=GD_RATES)
    gd_epochs: int = setting(400, lo=1, hi=5000)
    plane: str = setting("pca", choices=("pca", "random"))
    plane_range: float = setting(1.0, lo=0.2, hi=5.0)
    plane_seed: int = setting(0, lo=0, hi=1_000_000)
    resolution: int = setting(41, choices=RESOLUTIONS)

    def check(self) -> None:
        super().check()
        parse_starts(self.starts, np.zeros(2), 1.0)  # explicit start points must parse (UserError says why)


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


@dataclass(frozen=True, eq=False)
class TwoWeights:
    """The article's picture: the loss over two weights on N examples and on all of them, descent on both."""

    names: tuple[str, str]
    center: np.ndarray  # [2] the two weights' values in the net (the grid is centred there)
    surface: Surface  # over the sample of N examples
    other: Surface  # the same weights over all examples (or over 100 if the sample is all of them)
    sample_label: str
    other_label: str
    descent: Descent  # on the sample
    other_descent: Descent  # the same starts on the other examples

    def axes(self, surf: Surface) -> tuple[np.ndarray, np.ndarray]:
        """Grid axes in weight values (not offsets)."""
        return surf.a + self.center[0], surf.b + self.center[1]

    @property
    def width(self) -> float:
        """The map's width along the first weight."""
        return float(self.surface.a[-1] - self.surface.a[0])

    def end_gaps(self, descent: Descent | None = None) -> np.ndarray:
        """Distances [K, K] between where the descents end, as fractions of the map's width."""
        end = (descent or self.descent).path[:, -1]
        return np.linalg.norm(end[:, None] - end[None], axis=2) / self.width

    def cell(self, point: np.ndarray) -> tuple[int, int]:
        """The grid point (j, i) nearest to ``point`` [2] in weight values."""
        a, b = self.axes(self.surface)
        return int(np.abs(b - point[1]).argmin()), int(np.abs(a - point[0]).argmin())


def evaluation_pool(net: RunConfig) -> Dataset:
    """POOL fresh examples of the net's dataset (seed + 1: a different draw from its training points)."""
    params = {"turns": net.turns} if net.dataset == "spirals" else {}
    return datasets.make(net.dataset, n=POOL, noise=net.noise, seed=net.seed + 1, **params)


def two_weights(model, pool: Dataset, cfg: LandscapeConfig) -> TwoWeights:
    """Surfaces over weights ``cfg.weight_a``, ``cfg.weight_b`` (all others frozen) and descent from the starts.

    pool : the examples "all" means (e.g. :func:`evaluation_pool`); the sample is ``cfg.sample`` of them,
    chosen by ``cfg.sample_seed``.
    """
    i, j = cfg.weight_a, cfg.weight_b
    dirs = weight_directions(model, i, j)
    center = flat_params(model)
    here = center[[i, j]].astype(np.float64)
    starts = parse_starts(cfg.starts, here, cfg.weight_range)
    span = max(cfg.weight_range, 1.05 * float(np.abs(starts - here).max()))
    sample = nested_sample(pool, cfg.sample, cfg.sample_seed)
    other = nested_sample(pool, 100, cfg.sample_seed) if sample is pool else pool
    label = lambda ds: f"N = {ds.n:,}" + (" (all)" if ds is pool else "")  # noqa: E731
    names = parameter_names(model)
    run = lambda ds: descend(model, ds, i, j, starts, cfg.gd_lr, cfg.gd_epochs, center=center)  # noqa: E731
    return TwoWeights(
        (names[i], names[j]), here,
        surface(model, sample, dirs, span, cfg.resolution, center=center),
        surface(model, other, dirs, span, cfg.resolution, center=center),
        label(sample), label(other), run(sample), run(other))


EARLY = RunConfig(dataset="disc_annulus", widths="3", steps=20)  # the opening view's net: 20 steps into training
TRAINED = RunConfig(widths="8,8", steps=1000, turns=1.0)
PRESETS = {  # link key (?preset=descent): (title, (net, view), what to notice)
    "descent": ("Three starts, three minima", (EARLY, LandscapeConfig()),
                "Three starts close together roll into three different valleys of the N = 100 map. On the map of "
                "all 10,000 examples (below) the same starts meet in one valley."),
    "all-examples": ("Same starts, all 10,000 examples", (EARLY, LandscapeConfig(sample=0)),
                     "Averaged over all 10,000 examples, the small sample's extra valleys are gone and the three "
                     "starts end together."),
    "pca": ("Trained net: its training path", (TRAINED, LandscapeConfig(view="plane")),
            "The red path runs from its start into the trained weights at the centre; each axis says how much "
            "of the path's variance its direction holds."),
    "random-plane": ("Trained net: random directions", (TRAINED, LandscapeConfig(view="plane", plane="random")),
                     "The centre is the trained net. Filter normalisation makes the two directions comparable, so "
                     "the basin's width can be read off both axes alike."),
}


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


# --- what article 002 claims, checked on the view the page shows ----------------------------------

def article_checks(view: TwoWeights) -> list[tuple[str, str]]:
    """(what article 002 says, what this view measures) for each claim the lesson makes about it."""
    n_small, n_all = len(local_minima(view.surface)), len(local_minima(view.other))
    gaps, other_gaps = view.end_gaps(), view.end_gaps(view.other_descent)
    upper = gaps[np.triu_indices(len(gaps), 1)]
    ends = view.descent.path[:, -1]
    checks = [
        ("that with N = 100 examples the landscape has local minima, plateaus and ridges, and that with N = "
         "10,000 it looks different (its figure 3).",
         f"{n_small} local minima on the {view.sample_label} map and {n_all} on the {view.other_label} map; "
         f"the two maps differ by up to {np.abs(view.surface.loss - view.other.loss).max():.3f} in loss."),
    ]
    if len(upper):
        checks.append((
            "that depending on where it starts, gradient descent takes a different route and ends at a different "
            "cost.",
            f"the descents end {upper.min():.0%} to {upper.max():.0%} of the map's width apart, at losses "
            + ", ".join(f"{v:.4f}" for v in view.descent.loss[:, -1])
            + f"; on the {view.other_label} map the same starts end at most "
              f"{other_gaps.max():.0%} of its width apart."))
    steps = np.linalg.norm(np.diff(view.descent.path[:, -2:], axis=1)[:, 0], axis=1)
    curv = np.array([curvatures(view.surface, *view.cell(e)) for e in ends])
    checks.append((
        "that it ran no first-derivative test, so its \"minima\" should be named with care.",
        f"where the descents end, the last step moved the weights at most {steps.max():.1e}, so the slope is "
        f"almost zero; the loss curves upwards in both directions at {int((curv[:, 0] > 0).sum())} of the "
        f"{len(ends)} ends (a minimum of the loss over these two weights, not over all of them)."))
    far = [(k, m) for k in range(len(ends)) for m in range(k + 1, len(ends)) if gaps[k, m] > 0.05]
    if far:
        k, m = far[0]
        j, i = mountain_pass(view.surface, view.cell(ends[k]), view.cell(ends[m]))
        low, high = curvatures(view.surface, j, i)
        a, b = view.axes(view.surface)
        shape = "a saddle point" if low < 0 < high else "not a saddle point at this grid's resolution"
        checks.append((
            "that ridges are \"sometimes also called saddle points\". Wrong: a ridge is a line of high ground; a "
            "saddle point is the one point where the lowest route between two valleys crosses it (slope zero, "
            "the loss curving down one way and up the other).",
            f"the lowest crossing between the valleys of starts {k + 1} and {m + 1} is at ({a[i]:.2f}, {b[j]:.2f}), "
            f"loss {view.surface.loss[j, i]:.4f}; curvature there {low:+.3g} and {high:+.3g}: {shape}."))
    return checks
