"""Each hidden layer x -> act(W x + b) as a continuous deformation of space.

A layer is shown in three phases: the linear map, the translation, the activation.
For a square W with det W > 0 the linear phase follows the polar decomposition
W = U P (U a rotation, P symmetric positive definite): A(t) = rot(t * angle) expm(t log P),
whose determinant exp(t * tr log P) never vanishes, so every frame is a homeomorphism.
The activation phase (1 - t) x + t act(x) is strictly increasing in each coordinate for
tanh, sigmoid and softplus, so it is a homeomorphism too. For ReLU it folds every negative
coordinate onto 0, so the last frame of the phase is max(0, W x + b) on the orthant; its linear
phase moves exactly as a tanh layer's with the same W would (:func:`linear_path`).

det W < 0 admits no such path, but swapping two hidden units (or, for a single odd
unit, flipping its sign) reverses det W without changing what the net computes;
:func:`canonicalise` does that, layer by layer, before animating.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.linalg import expm, logm, polar
from scipy.spatial.transform import Rotation

from .boundary import model_boundary, padded_box
from .engine import ACTIVATIONS
from .nets import MLP, layer_weights

SINGULAR_RATIO = 1e-4  # smallest/largest singular value below which W counts as singular
MONOTONE = ("tanh", "sigmoid", "softplus", "linear")


@dataclass(frozen=True)
class LayerFacts:
    """What one hidden layer does to space.

    kind: "homeomorphism", "embedding" (into more dimensions), "collapse" (fewer
    dimensions, or singular W), "fold" (ReLU flattens part of space) or "reflection"
    (det W < 0 and no symmetry could fix it, so the animation passes through a flat frame).
    """

    index: int
    in_dim: int
    out_dim: int
    kind: str
    det: float | None
    canonicalised: bool
    note: str
    bias: tuple[float, ...] = ()  # b, the shift phase's vector (of the animated, canonicalised net)


@dataclass(eq=False)
class Animation:
    """Display coordinates of the data and a grid through every frame.

    points : float32 [F, n, k] the data, k in {2, 3}
    grid   : float32 [F, g, k] grid polylines, NaN rows separating lines
    labels : F strings, e.g. "layer 2 · linear", "layer 2 · shift by b = (+0.31, −1.20)", "layer 2 · tanh"
    facts  : one LayerFacts per hidden layer
    boundary : (normal [k], offset) with the output's decision boundary normal . p + offset = 0
        in the last frame's coordinates (two classes only), else None
    projection : None, or a sentence saying how more than 3 dimensions were projected
    curve : float32 [F, m, k] the decision boundary pulled back to the input and carried through
        every frame (NaN rows separate its pieces), or None
    """

    points: np.ndarray
    grid: np.ndarray
    labels: list[str]
    facts: list[LayerFacts]
    boundary: tuple[np.ndarray, float] | None
    projection: str | None
    curve: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return int(self.points.shape[2])


# --- canonicalisation --------------------------------------------------------------

def canonicalise(model: MLP) -> tuple[MLP, list[bool]]:
    """A copy of ``model`` computing the same function in which every square hidden W has det > 0.

    Returns the copy and, per hidden layer, whether it was changed. Two units are swapped
    (rows of W and b, columns of the next W); a single tanh or linear unit is negated
    instead; a single sigmoid unit is negated and the next bias absorbs the shift
    (sigmoid(-z) = 1 - sigmoid(z)).
    """
    twin = model.clone()
    layers = twin.layers
    changed = []
    with torch.no_grad():
        for k, layer in enumerate(layers[:-1]):
            W, nxt = layer.weight, layers[k + 1]
            flip = W.shape[0] == W.shape[1] and np.linalg.det(W.double().numpy()) < 0
            if flip and W.shape[0] >= 2:
                order = torch.arange(W.shape[0])
                order[[0, 1]] = order[[1, 0]]
                W.copy_(W[order])
                if layer.bias is not None:
                    layer.bias.copy_(layer.bias[order])
                nxt.weight.copy_(nxt.weight[:, order])
            elif flip and model.activation in ("tanh", "linear", "sigmoid"):
                if model.activation == "sigmoid":
                    if nxt.bias is None:
                        changed.append(False)
                        continue
                    nxt.bias.add_(nxt.weight[:, 0])
                W.neg_()
                if layer.bias is not None:
                    layer.bias.neg_()
                nxt.weight[:, 0].neg_()
            else:
                flip = False
            changed.append(bool(flip))
    return twin, changed


# --- paths of matrices -------------------------------------------------------------

def _spd_log(P: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((P + P.T) / 2)
    return (vectors * np.log(np.maximum(values, 1e-300))) @ vectors.T


def _spd_exp(L: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((L + L.T) / 2)
    return (vectors * np.exp(values)) @ vectors.T


def _rotation_power(U: np.ndarray, t: float) -> np.ndarray:
    """U^t along the shortest rotation path (U a rotation in 1, 2 or 3 dimensions; :func:`polar_path`
    handles more)."""
    m = U.shape[0]
    if m == 1:
        return np.eye(1)
    if m == 2:
        angle = t * np.arctan2(U[1, 0], U[0, 0])
        return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return Rotation.from_rotvec(t * Rotation.from_matrix(U).as_rotvec()).as_matrix()


def polar_path(W: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Matrices [len(ts), m, m] from I to W (square, det W > 0), each invertible."""
    U, P = polar(W)  # W = U·P: U a rotation (det W > 0), P symmetric positive definite
    log_P = _spd_log(P)
    if U.shape[0] > 3:  # one principal logarithm for every frame (scipy's logm takes ~0.1 s in 4D)
        log_U = np.real(logm(U))
        return np.stack([expm(t * log_U) @ _spd_exp(t * log_P) for t in ts])
    return np.stack([_rotation_power(U, t) @ _spd_exp(t * log_P) for t in ts])


def straight_path(W: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """(1 - t) I + t W: used only where no invertible path exists."""
    eye = np.eye(W.shape[0])
    return np.stack([(1 - t) * eye + t * W for t in ts])


def _complete_to_square(W: np.ndarray) -> np.ndarray:
    """Append columns orthogonal to W's column space so that [W | N] is square with det > 0."""
    out_dim, in_dim = W.shape
    q, _ = np.linalg.qr(np.c_[W, np.random.default_rng(0).normal(size=(out_dim, out_dim - in_dim))])
    N = q[:, in_dim:] * np.exp(np.mean(np.log(np.linalg.svd(W, compute_uv=False) + 1e-12)))
    square = np.c_[W, N]
    if np.linalg.det(square) < 0:
        square[:, -1] *= -1
    return square


def linear_path(W: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """The linear phase of W [out, in]: matrices [len(ts), m, m] (m = max(in, out)) from I to W, padded.

    Decided by W alone, whatever the activation: a square W with det W > 0, or a full-rank W into more
    dimensions, follows the polar path (every frame invertible); any other W (fewer dimensions, lost
    rank, det W < 0) the straight one. So a ReLU layer moves like a tanh layer until its fold.
    """
    out_dim, in_dim = W.shape
    s = np.linalg.svd(W, compute_uv=False)
    full_rank = s.min() >= SINGULAR_RATIO * max(s.max(), 1e-12)
    if full_rank and (out_dim > in_dim or out_dim == in_dim and np.linalg.det(W) > 0):
        return polar_path(W if out_dim == in_dim else _complete_to_square(W), ts)
    m = max(in_dim, out_dim)
    square = np.zeros((m, m))
    square[:out_dim, :in_dim] = W
    return straight_path(square, ts)


def _classify(W: np.ndarray, activation: str, flipped: bool, pre: np.ndarray) -> tuple[str, float | None, str]:
    out_dim, in_dim = W.shape
    det = float(np.linalg.det(W)) if out_dim == in_dim else None
    s = np.linalg.svd(W, compute_uv=False)
    singular = s.min() < SINGULAR_RATIO * max(s.max(), 1e-12)  # rank below min(in_dim, out_dim)
    if out_dim < in_dim:
        return "collapse", det, (f"{in_dim}D -> {out_dim}D: a dimension is squashed flat, so different points "
                                 "can land together")
    if singular:
        return "collapse", det, "W has (nearly) lost rank: space is flattened onto a lower-dimensional slice"
    if activation == "relu" and (pre < 0).any():
        return "fold", det, "ReLU sets every negative coordinate to 0: part of space is flattened, not a homeomorphism"
    if out_dim > in_dim:
        return "embedding", det, (f"{in_dim}D -> {out_dim}D with W of full rank {in_dim}: the data is laid into a "
                                  "higher-dimensional space, nothing is merged")
    if det is not None and det < 0:
        return "reflection", det, "det W < 0 and no unit symmetry fixes it: the path passes through a flat frame"
    note = ("square, invertible W and a strictly monotone activation: a homeomorphism of space onto its image"
            + (" (the open cube (-1, 1)^n for tanh)" if activation == "tanh" else ""))
    return "homeomorphism", det, note + (" (units reordered so det W > 0; same function)" if flipped else "")


# --- frames ------------------------------------------------------------------------

def deforming_grid(X: np.ndarray, lines: int, resolution: int) -> np.ndarray:
    """Grid polylines over the bounding box of X [n, d], NaN rows between lines."""
    d = X.shape[1]
    low, high = padded_box(X)
    if d == 1:
        return np.linspace(low, high, resolution * 4)
    if d == 3:
        lines = max(3, lines // 3 + 1)
    ticks = [np.linspace(low[i], high[i], lines) for i in range(d)]
    along = [np.linspace(low[i], high[i], resolution) for i in range(d)]
    polylines = []
    for axis in range(d):
        others = [i for i in range(d) if i != axis]
        for fixed in np.array(np.meshgrid(*[ticks[i] for i in others])).reshape(len(others), -1).T:
            line = np.empty((resolution + 1, d))
            line[:-1, axis] = along[axis]
            line[:-1, others] = fixed
            line[-1] = np.nan
            polylines.append(line)
    return np.concatenate(polylines)


def layer_facts(model: MLP, points: np.ndarray, flipped: list[bool] | None = None) -> list[LayerFacts]:
    """What each hidden layer of ``model`` does to ``points`` [n, d] (the facts :func:`animate` reports): its
    shape, det W, shift and kind, without building any frame.

    ``flipped``: which layers :func:`canonicalise` reordered, when ``model`` is already the canonical net;
    without it the model is canonicalised here.
    """
    if flipped is None:
        model, flipped = canonicalise(model)
    h, facts = np.asarray(points, dtype=np.float64), []
    act = ACTIVATIONS[model.activation][0]
    for k, (W, b) in enumerate(layer_weights(model)[:-1], start=1):
        pre = h @ W.T + b
        kind, det, note = _classify(W, model.activation, flipped[k - 1], pre)
        facts.append(LayerFacts(k, W.shape[1], W.shape[0], kind, det, flipped[k - 1], note, tuple(map(float, b))))
        with np.errstate(all="ignore"):
            h = act(pre)
    return facts


def animate(model: MLP, points: np.ndarray, frames_per_phase: int = 8, grid_lines: int = 11,
            grid_resolution: int = 30, canonical: bool = True) -> Animation:
    """Frames for the input and every phase of every hidden layer of ``model``.

    Parameters
    ----------
    points : float [n, d] inputs to follow (d = model.in_dim)
    frames_per_phase : frames per phase; F = 1 + 3 * frames_per_phase * hidden layers
    grid_lines, grid_resolution : lines per axis and points per line of the deforming grid
    canonical : apply :func:`canonicalise` first (same function, det W > 0 where possible)
    """
    flipped = [False] * len(model.widths)
    if canonical:
        model, flipped = canonicalise(model)
    X = np.asarray(points, dtype=np.float64)
    grid = deforming_grid(X, grid_lines, grid_resolution)
    curve = model_boundary(model, X)
    if curve is None:
        curve = np.zeros((0, model.in_dim))
    width = max(model.in_dim, *model.widths)
    state = np.zeros((len(X) + len(grid) + len(curve), width))
    state[:, :model.in_dim] = np.r_[X, grid, curve]
    frames, labels = [state.copy()], ["input"]
    ts = np.arange(1, frames_per_phase + 1) / frames_per_phase
    act = ACTIVATIONS[model.activation][0]
    facts = layer_facts(model, X, flipped)
    for k, (W, b) in enumerate(layer_weights(model)[:-1], start=1):
        out_dim, in_dim = W.shape
        m = max(in_dim, out_dim)
        path = linear_path(W, ts)
        start = state.copy()
        for A in path:
            state = start.copy()
            state[:, :m] = start[:, :m] @ A.T
            frames.append(state.copy())
        labels += [f"layer {k} · linear"] * frames_per_phase
        start = state.copy()
        for t in ts:
            state = start.copy()
            state[:, :out_dim] += t * b
            frames.append(state.copy())
        shift = ", ".join(f"{v:+.2f}".replace("-", "−") for v in b)
        labels += [f"layer {k} · shift by b = ({shift})"] * frames_per_phase
        start = state.copy()
        for t in ts:
            state = start.copy()
            with np.errstate(all="ignore"):
                state[:, :out_dim] = (1 - t) * start[:, :out_dim] + t * act(start[:, :out_dim])
            frames.append(state.copy())
        labels += [f"layer {k} · {model.activation}"] * frames_per_phase
        state[:, out_dim:] = 0.0  # dimensions this layer dropped are gone for good
        frames[-1] = state.copy()
    stack = np.stack(frames)  # [F, n + g, width]
    W_out, b_out = layer_weights(model)[-1]
    display, boundary, projection = _to_display(stack, len(X), W_out, b_out)
    n, g = len(X), len(grid)
    return Animation(display[:, :n].astype(np.float32), display[:, n:n + g].astype(np.float32), labels, facts,
                     boundary, projection, display[:, n + g:].astype(np.float32) if len(curve) else None)


def _to_display(stack: np.ndarray, n: int, W_out: np.ndarray, b_out: np.ndarray):
    """Map working coordinates to 2 or 3 display dimensions; return the boundary there too."""
    width = stack.shape[2]
    last = W_out.shape[1]
    two_class = W_out.shape[0] == 2
    normal = (W_out[1] - W_out[0]) if two_class else None
    offset = float(b_out[1] - b_out[0]) if two_class else 0.0
    if width <= 3:
        k = max(2, width)
        display = np.zeros(stack.shape[:2] + (k,))
        display[..., :width] = stack
        boundary = None
        if two_class:
            padded = np.zeros(k)
            padded[:last] = normal
            boundary = (padded.astype(np.float32), offset)
        return display, boundary, None
    final = stack[-1, :n, :last]
    final = final - final.mean(0)
    if two_class and np.linalg.norm(normal) > 1e-12:
        first = normal / np.linalg.norm(normal)
        residual = final - np.outer(final @ first, first)
        _, _, vt = np.linalg.svd(residual, full_matrices=False)
        basis_last = np.vstack([first, vt[:2]])
        sentence = (f"{width}D shown through a fixed 3D projection: the output's decision direction, "
                    "then the two main directions of the last layer's points across it")
    else:
        _, _, vt = np.linalg.svd(final, full_matrices=False)
        basis_last = vt[:3]
        sentence = f"{width}D shown through a fixed 3D projection onto the last layer's three principal directions"
    basis = np.zeros((3, width))
    basis[:, :last] = basis_last
    display = stack @ basis.T
    boundary = None
    if two_class and np.linalg.norm(normal) > 1e-12:
        scale = np.linalg.norm(normal)
        boundary = (np.array([1.0, 0.0, 0.0], dtype=np.float32), offset / scale)
    return display, boundary, sentence


def frames(model: MLP, points: np.ndarray, frames_per_phase: int = 8) -> np.ndarray:
    """Display coordinates [F, n, k] of ``points``: the input, then every phase of every hidden layer."""
    return animate(model, points, frames_per_phase).points


def movie_drawable(model: MLP) -> bool:
    """Whether :func:`training_frames` can draw ``model``'s last hidden layer: it has 1 to 3 units."""
    return bool(model.widths) and 1 <= model.widths[-1] <= 3


def training_frames(model: MLP, history, points: np.ndarray, snapshots: np.ndarray, steps: np.ndarray,
                    grid_lines: int = 11, grid_resolution: int = 16) -> Animation | None:
    """The last hidden representation at each of ``snapshots`` (indices into ``history``): one frame each.

    Each frame is what the net of that moment does to the data, the input grid and its own decision
    boundary (pulled back to the input and pushed through), so playing the frames shows training
    untangle the classes. Returns None when the last hidden layer is wider than 3 or there is none.
    """
    if not movie_drawable(model):
        return None
    width = model.widths[-1]
    X = np.asarray(points, dtype=np.float64)
    grid = deforming_grid(X, grid_lines, grid_resolution)
    nets = [history.model_at(model, int(t)) for t in snapshots]
    curves = [model_boundary(net, X, resolution=90 if X.shape[1] == 2 else None) for net in nets]
    most = max((len(c) for c in curves if c is not None), default=0)
    k = max(2, width)
    shown = np.zeros((len(nets), len(X) + len(grid) + most, k))
    for f, (net, curve) in enumerate(zip(nets, curves)):
        padded = np.full((most, X.shape[1]), np.nan)
        if curve is not None:
            padded[:len(curve)] = curve
        with np.errstate(all="ignore"):
            shown[f, :, :width] = net.hidden(np.r_[X, grid, padded].astype(np.float32))[-1]
    n, g = len(X), len(grid)
    W_out, b_out = layer_weights(nets[-1])[-1]
    boundary = None
    if W_out.shape[0] == 2:
        normal = np.zeros(k)
        normal[:width] = W_out[1] - W_out[0]
        boundary = (normal.astype(np.float32), float(b_out[1] - b_out[0]))
    return Animation(shown[:, :n].astype(np.float32), shown[:, n:n + g].astype(np.float32),
                     [f"step {int(steps[t]):,}" for t in snapshots], [], boundary, None,
                     shown[:, n + g:].astype(np.float32) if most else None)
