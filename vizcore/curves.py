"""Fitting a curve y = f(x) with a small net, and taking the fit apart unit by unit.

A net with one hidden layer computes f(x) = sum_i w'_i * act(w_i * x + b_i) + b: a sum of
scaled, shifted copies of the activation, one per hidden unit. With a linear activation
the sum collapses to a single line; with ReLU it is a chain of straight segments that
bend where a unit switches on; with tanh it is a sum of smooth steps, each responsible for
a stretch of x. Outside the training interval every unit saturates (or keeps going
straight), so the net only extrapolates a constant or a line.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import datasets
from .datasets import Dataset
from .engine import Architecture
from .errors import UserError
from .nets import MLP, flat_params, layer_weights
from .threads import one_thread
from .train import History, ProgressFn, fit

TARGETS = tuple(datasets.CURVE_TARGETS)  # "2x+5", "2sin(x)+5", "piecewise"
LOW, HIGH = -3.0, 3.0  # the training interval of the article
WIDE = 6.0  # the "beyond the training interval" view covers [-WIDE, WIDE]


@dataclass(eq=False)
class CurveRun:
    """A trained curve fit (read-only: cached)."""

    dataset: Dataset
    model: MLP
    history: History


def train(ds: Dataset, model: MLP, *, steps: int, lr: float, optimizer: str, seed: int = 0,
          progress: ProgressFn | None = None) -> CurveRun:
    """Train ``model`` (1 input, 1 output) on the points ``ds`` full batch (one step = one epoch).

    ``ds`` must be 1D regression: the target's points (``datasets.make("curve", ...)``) or a user's CSV.
    ``seed`` as in :func:`vizcore.train.fit`.
    """
    if ds.dim != 1 or ds.task != "regression":
        raise UserError(f"A curve needs one x column and a numeric target; this data has {ds.dim} "
                        f"coordinate column(s) and a {ds.task} label.")
    with one_thread():  # tiny matrices: more threads only add waiting
        hist = fit(model, ds, steps=steps, lr=lr, optimizer=optimizer, seed=seed, progress=progress)
    return CurveRun(ds, model, hist)


def predict(model: MLP, x: np.ndarray) -> np.ndarray:
    """f(x) [n] for x [n]."""
    return model.predict(np.asarray(x, dtype=np.float32).reshape(-1, 1))[:, 0]


@torch.no_grad()
def contributions(model: MLP, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Each last-hidden-layer unit's share of the output, w'_i * h_i(x), and the output bias.

    Returns parts [n, k] (k units of the last hidden layer) and b, so that
    ``parts.sum(axis=1) + b`` is the net's output. For one hidden layer,
    h_i(x) = act(w_i * x + b_i). A net without hidden layers has one part, w * x.
    """
    h = model.hidden(np.asarray(x, dtype=np.float32).reshape(-1, 1))[-1]
    out = model.layers[-1]
    bias = float(out.bias[0]) if out.bias is not None else 0.0
    return h * out.weight[0].numpy()[None, :], bias


def first_layer_units(model: MLP) -> list[dict[str, float]]:
    """Each first-layer unit's weight w, bias b (the shift) and centre x = −b/w, where act(w·x + b) is centred."""
    if not model.widths:
        return []
    W, b = layer_weights(model)[0]
    w = W[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(w != 0, -b / w, np.nan)
    return [dict(w=wi, b=bi, centre=ci) for wi, bi, ci in zip(w, b, centre)]


@torch.no_grad()
def _switch_points(model: MLP, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per hidden ReLU layer: (x positions, unit index) of every switch found on the sorted grid ``x``."""
    if model.activation != "relu" or len(model.layers) == 1:
        return []
    x = np.asarray(x, dtype=np.float64)
    h = torch.as_tensor(x.astype(np.float32).reshape(-1, 1))
    found = []
    for layer in model.layers[:-1]:
        z = layer(h).numpy().astype(np.float64)  # [n, units]
        on = z > 0  # a unit switches where it turns on or off, also when exactly at a grid point
        i, unit = np.nonzero(on[:-1] != on[1:])
        t = z[i, unit] / (z[i, unit] - z[i + 1, unit])  # linear interpolation between grid points
        found.append((x[i] + t * (x[i + 1] - x[i]), unit))
        h = torch.relu(layer(h))
    return found


def switches(model: MLP, x: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, the x positions (sorted) where one of its ReLU units switches on or off.

    Found on the grid ``x`` [n] (sorted). A first-layer unit switches at most once (where
    w·x + b = 0); a unit of a later layer sees a bent input and may switch several times.
    Empty for other activations.
    """
    return [np.sort(where) for where, _ in _switch_points(model, x)]


def most_switches(model: MLP, x: np.ndarray) -> list[int]:
    """Per hidden ReLU layer, how often its busiest unit switches on the grid ``x``."""
    return [int(np.bincount(unit).max()) if unit.size else 0 for _, unit in _switch_points(model, x)]


def kinks(model: MLP, x: np.ndarray) -> np.ndarray:
    """x positions (sorted) where some ReLU unit of any layer switches: the fit's kinks on the grid ``x``."""
    layers = switches(model, x)
    return np.sort(np.concatenate(layers)) if layers else np.zeros(0)


@torch.no_grad()
def saturation(model: MLP, x: float) -> np.ndarray:
    """The first hidden layer's activations [k] at input ``x`` (far outside the data, tanh units sit near ±1)."""
    return model.hidden(np.array([[x]], dtype=np.float32))[1][0]


def collapsed_line(model: MLP) -> tuple[float, float]:
    """(slope, intercept) of a net whose every layer is linear: the product of its layers."""
    if model.activation != "linear" and len(model.layers) > 1:
        raise UserError("Only a net with a linear activation collapses to one line.")
    arch = Architecture.of(model)
    slope, intercept = np.eye(1), np.zeros(1)
    for W, b in arch.unflatten(flat_params(model).astype(np.float64)[None]):
        slope = W[0] @ slope
        intercept = W[0] @ intercept + (b[0] if b is not None else 0.0)
    return float(slope[0, 0]), float(intercept[0])


def snapshots(run: CurveRun, x: np.ndarray, count: int = 6) -> list[tuple[int, np.ndarray]]:
    """(epoch, f(x)) at ``count`` recorded steps spread on a log scale from the first update to the last."""
    steps = run.history.step
    wanted = np.unique(np.geomspace(1, steps[-1], count).round().astype(int)) if steps[-1] >= 1 else [0]
    picks = sorted({int(np.argmin(np.abs(steps - w))) for w in wanted})
    return [(int(steps[t]), predict(run.history.model_at(run.model, t), x)) for t in picks]
