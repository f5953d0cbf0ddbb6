"""Where a two-class net's decision boundary lies in input space, as points that can ride the animation.

The boundary is the zero set of the output's decision function (logit B − logit A, or the single
output). Pulled back to the input, it is a curve in the plane, a few points on a line, or a surface
in 3D. Passing these points through every frame shows the boundary moving with the data, and the
last frame shows it straightened into the output layer's line or plane.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .nets import numpy_forward

MAX_POINTS = 250  # per boundary: it rides through every frame, so it costs payload like the data


def padded_box(X: np.ndarray, pad: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """Low and high corners of the bounding box of X [n, d], widened by ``pad`` of each side."""
    low, high = X.min(0), X.max(0)
    margin = pad * np.maximum(high - low, 1e-6)
    return low - margin, high + margin


def _zero_crossings(values: np.ndarray, coords: np.ndarray, axis: int) -> np.ndarray:
    """Points where ``values`` changes sign between neighbours along ``axis``, linearly interpolated."""
    lo = [slice(None)] * values.ndim
    hi = [slice(None)] * values.ndim
    lo[axis], hi[axis] = slice(None, -1), slice(1, None)
    a, b = values[tuple(lo)], values[tuple(hi)]
    where = np.nonzero(np.sign(a) * np.sign(b) < 0)
    t = a[where] / (a[where] - b[where])
    pa, pb = coords[tuple(lo)][where], coords[tuple(hi)][where]
    return pa + t[:, None] * (pb - pa)


def _thin_lines(lines: list[np.ndarray], budget: int) -> np.ndarray:
    """Polylines joined by NaN rows, each thinned evenly so that all fit in about ``budget`` points."""
    total = sum(len(line) for line in lines)
    step = max(1, int(np.ceil(total / budget)))
    out = []
    for line in lines:
        keep = np.r_[np.arange(0, len(line) - 1, step), len(line) - 1]
        out += [line[keep], np.full((1, line.shape[1]), np.nan)]
    return np.concatenate(out)


def zero_lines(axes: tuple[np.ndarray, np.ndarray], values: np.ndarray, max_points: int = MAX_POINTS
               ) -> np.ndarray | None:
    """The zero contour of ``values`` [len(axes[1]), len(axes[0])] over the grid ``axes`` (x, y): polylines
    [m, 2] joined by NaN rows and thinned to about ``max_points``, or None if there is none."""
    from contourpy import contour_generator

    lines = [np.asarray(line, dtype=np.float64) for line in contour_generator(axes[0], axes[1], values).lines(0.0)
             if len(line) >= 2]
    return _thin_lines(lines, max_points) if lines else None


def input_boundary(decision: Callable[[np.ndarray], np.ndarray], X: np.ndarray, resolution: int | None = None,
                   seed: int = 0, max_points: int = MAX_POINTS) -> np.ndarray | None:
    """Points on {x : decision(x) = 0} inside the padded bounding box of X [n, d], or None if there are none.

    d = 1: the crossing points [m, 1]; d = 2: polylines [m, 2] separated by NaN rows (contourpy);
    d = 3: a seeded sample of at most ``max_points`` crossings on a grid's edges [m, 3].
    ``decision`` maps float32 [k, d] to [k].
    """
    d = X.shape[1]
    low, high = padded_box(np.asarray(X, dtype=np.float64))
    resolution = resolution or {1: 4000, 2: 140, 3: 24}[d]
    axes = [np.linspace(low[i], high[i], resolution) for i in range(d)]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)  # [r, ..., r, d]
    values = np.asarray(decision(mesh.reshape(-1, d).astype(np.float32)), dtype=np.float64).reshape(mesh.shape[:-1])
    if d == 2:
        return zero_lines((axes[0], axes[1]), values.T, max_points)
    points = np.concatenate([_zero_crossings(values, mesh, axis) for axis in range(d)])
    if len(points) == 0:
        return None
    if len(points) > max_points:
        points = points[np.sort(np.random.default_rng(seed).choice(len(points), max_points, replace=False))]
    return points


def decision_function(model) -> Callable[[np.ndarray], np.ndarray]:
    """Scores [k, classes] whose sign changes exactly on the model's decision boundary, one column per
    region: logit B − logit A for two classes, the output for one, and for more classes each class's
    logit minus the largest other one (positive inside that class's softmax region). Runs in numpy, float32.
    """
    def decision(X: np.ndarray) -> np.ndarray:
        out = numpy_forward(model, X, np.float32)[1]
        if out.shape[1] <= 2:
            return out[:, 1:] - out[:, :1] if out.shape[1] == 2 else out
        others = np.stack([np.delete(out, c, axis=1).max(1) for c in range(out.shape[1])], axis=1)
        return out - others
    return decision


def model_boundary(model, X: np.ndarray, resolution: int | None = None) -> np.ndarray | None:
    """The model's decision boundary in input space (see :func:`input_boundary`), all regions together."""
    decision = decision_function(model)
    columns = 1 if model.out_dim <= 2 else model.out_dim
    share = MAX_POINTS if columns == 1 else 2 * MAX_POINTS // columns  # each region's edge is traced twice
    pieces = [input_boundary(lambda P, c=c: decision(P)[:, c], X, resolution, max_points=share) for c in range(columns)]
    pieces = [p for p in pieces if p is not None]
    return np.concatenate(pieces) if pieces else None  # 2D polylines end in NaN rows already
