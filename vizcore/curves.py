"""Fitting a curve y = f(x) with a small net, and taking the fit apart unit by unit.

A net with one hidden layer computes f(x) = sum_i w'_i * act(w_i * x + b_i) + b: a sum of
scaled, shifted copies of the activation, one per hidden unit. With a linear activation
the sum collapses to a single line; with ReLU it is a chain of straight segments that
bend where a unit switches on; with tanh it is a sum of smooth steps, each responsible for
a stretch of x. Outside the training interval every unit saturates (or keeps going
straight), so the net only extrapolates a constant or a line.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from . import datasets
from .config import QueryConfig, setting
from .datasets import Dataset
from .engine import Architecture
from .errors import UserError
from .expr import check_finite
from .nets import ACTIVATIONS, INITS, MLP, flat_params, layer_weights
from .train import OPTIMIZERS, History, ProgressFn, fit

TARGETS = tuple(datasets.CURVE_TARGETS)  # "2x+5", "2sin(x)+5", "piecewise"
LOW, HIGH = -3.0, 3.0  # the training interval of the article
WIDE = 6.0  # the "beyond the training interval" view covers [-WIDE, WIDE]
SWEEPS = {
    "width": (1, 2, 5, 10, 20, 50),
    "optimizer": OPTIMIZERS,
    "init": ("default", "glorot", "he"),
    "depth": (1, 2),
}


@dataclass(frozen=True)
class CurveConfig(QueryConfig):
    """One curve-fitting experiment. ``width=0`` means no hidden layer: a single linear neuron."""

    target: str = setting("piecewise", max_chars=120)
    n: int = setting(300, lo=10, hi=1000)
    noise: float = setting(0.0, lo=0.0, hi=1.0)
    width: int = setting(20, lo=0, hi=200)
    depth: int = setting(1, lo=1, hi=3)
    activation: str = setting("tanh", choices=tuple(ACTIVATIONS))
    init: str = setting("he", choices=INITS)
    optimizer: str = setting("nesterov", choices=OPTIMIZERS)
    lr: float = setting(0.03, lo=1e-5, hi=1.0)
    steps: int = setting(3000, lo=1, hi=20_000)
    seed: int = setting(0, lo=0, hi=1_000_000)
    data_id: str = setting("", max_chars=16)  # fingerprint of an uploaded CSV that replaces the target's points

    def check(self) -> None:
        super().check()
        if not self.data_id and self.target not in TARGETS:  # a formula must parse and be finite on [LOW, HIGH]
            check_finite(self.target, LOW, HIGH)  # (UserError says why not, and where)

    @property
    def widths(self) -> tuple[int, ...]:
        return () if self.width == 0 else (self.width,) * self.depth

    def make_dataset(self) -> Dataset:
        return datasets.make("curve", n=self.n, noise=self.noise, seed=self.seed, target=self.target,
                             low=LOW, high=HIGH)

    def make_model(self) -> MLP:
        activation = "linear" if self.width == 0 else self.activation
        return MLP(1, self.widths, 1, activation=activation, seed=self.seed, init=self.init)


COMPARISONS = ("epochs", *SWEEPS)


@dataclass(frozen=True)
class Preset:
    title: str
    config: CurveConfig
    notice: str


# In the order of article 001. The article trained with Keras: mini-batches of 32, SGD with rate 0.01
# (Nesterov momentum 0.9 from the 100-unit ReLU net on), Glorot-uniform weights and zero biases by
# default. Here every step is full batch; each note says which settings follow the article.
PRESETS: dict[str, Preset] = {p.title: p for p in [
    Preset("1 · One linear neuron", CurveConfig(target="2sin(x)+5", width=0, optimizer="sgd", lr=0.05, steps=500),
           "One neuron without activation is a straight line w·x + b: it fits 2x+5 exactly and the sine only "
           "on average (slope about 0.7, intercept 5)."),
    Preset("2 · Five linear neurons", CurveConfig(target="2sin(x)+5", width=5, activation="linear",
                                                  init="glorot", optimizer="sgd", lr=0.02, steps=1000),
           "Five linear units plus an output unit still give a straight line: a sum of lines is a line."),
    Preset("3 · ReLU, 5 units", CurveConfig(target="2sin(x)+5", width=5, activation="relu", init="glorot",
                                            optimizer="sgd", lr=0.01, steps=3000),
           "ReLU bends the line. Each unit of a single hidden layer switches on at one x, so 5 units make at "
           "most 5 kinks and 6 straight pieces. Plain SGD at rate 0.01 with Glorot weights, as in the article "
           "(its Glorot was uniform, here normal)."),
    Preset("4 · ReLU, 100 units", CurveConfig(target="2sin(x)+5", width=100, activation="relu", init="glorot",
                                              optimizer="nesterov", lr=0.01, steps=3000),
           "A hundred units, up to a hundred kinks: a polyline that hugs the sine. SGD with Nesterov momentum "
           "0.9 at rate 0.01, as in the article."),
    Preset("5 · ReLU on the piecewise curve", CurveConfig(target="piecewise", width=100, activation="relu",
                                                          init="glorot", optimizer="nesterov", lr=0.01, steps=3000),
           "The same net on the article's harder curve: the segments cut the corners of the waves on the left."),
    Preset("6 · tanh, 20 units, Glorot init", CurveConfig(width=20, init="glorot", optimizer="nesterov", lr=0.03,
                                                          steps=3000),
           "Glorot's initial weights are small here (spread √(2/21) ≈ 0.31 for 1 input and 20 units): every tanh "
           "starts as a gentle slope, and the waves on the left are only partly caught. Nesterov momentum as in "
           "the article; rate 0.03 and 3,000 steps are this app's."),
    Preset("7 · tanh, 20 units, He init", CurveConfig(width=20, init="he", optimizer="nesterov", lr=0.03,
                                                      steps=3000),
           "He's initial weights are larger (spread √(2/1) ≈ 1.4), so every tanh starts as a steeper step. "
           "All biases start at zero, so every step starts centred at x = 0; training moves them apart. "
           "The fit catches more of the waves."),
    Preset("8 · plain SGD", CurveConfig(width=20, init="he", optimizer="sgd", lr=0.03, steps=3000),
           "The same net with plain gradient descent: progress is slow and the waves stay rough. (This "
           "comparison of optimisers is this app's.)"),
    Preset("9 · SGD with Nesterov momentum", CurveConfig(width=20, init="he", optimizer="nesterov", lr=0.03,
                                                         steps=3000),
           "Momentum keeps moving the weights in a consistent direction and takes the bends better."),
    Preset("10 · Adam", CurveConfig(width=20, init="he", optimizer="adam", lr=0.01, steps=3000),
           "Adam scales each weight's step by its own gradient history: the best fit of the three here."),
    Preset("11 · two hidden layers of 50", CurveConfig(width=50, depth=2, init="he", optimizer="nesterov", lr=0.01,
                                                       steps=3000),
           "A second layer combines the first layer's steps into new shapes: the centre and the edges improve. "
           "He weights and Nesterov momentum at rate 0.01, as in the article."),
]}
OPENING = "7 · tanh, 20 units, He init"  # the preset a first visit opens on; CurveConfig() is its config


@dataclass(eq=False)
class CurveRun:
    """A trained curve fit (read-only: cached)."""

    config: CurveConfig
    dataset: Dataset
    model: MLP
    history: History


def train(cfg: CurveConfig, progress: ProgressFn | None = None, dataset: Dataset | None = None) -> CurveRun:
    """Make the data and the net of ``cfg`` and train them, full batch (one step = one epoch).

    ``dataset`` (1D regression, e.g. a user's CSV named by ``cfg.data_id``) replaces the target's points.
    """
    cfg.check()
    if cfg.data_id and dataset is None:
        raise UserError("This link uses a CSV file uploaded on another computer, and this server no longer "
                        "has it. Upload the same file (sidebar, 'Your own data') to reproduce the experiment.")
    if dataset is not None and (dataset.dim != 1 or dataset.task != "regression"):
        raise UserError(f"A curve needs one x column and a numeric target; this data has {dataset.dim} "
                        f"coordinate column(s) and a {dataset.task} label.")
    ds = dataset if dataset is not None else cfg.make_dataset()
    model = cfg.make_model()
    with threadpool_limits(1, user_api="blas"):  # tiny matrices: BLAS threads only add waiting
        hist = fit(model, ds, steps=cfg.steps, lr=cfg.lr, optimizer=cfg.optimizer, seed=cfg.seed,
                   progress=progress)
    return CurveRun(cfg, ds, model, hist)


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


def sweep(cfg: CurveConfig, kind: str, x: np.ndarray, progress: ProgressFn | None = None,
          dataset: Dataset | None = None) -> list[tuple[str, np.ndarray, float]]:
    """Train one net per value of ``kind`` (width, optimizer, init, depth), all else from ``cfg``.

    Returns (label, f(x) [n], final loss) per value.
    """
    if kind not in SWEEPS:
        raise UserError(f"Unknown sweep {kind!r}; choose one of {', '.join(SWEEPS)}.")
    values = SWEEPS[kind]
    panels = []
    for k, value in enumerate(values):
        field = {"width": "width", "optimizer": "optimizer", "init": "init", "depth": "depth"}[kind]
        changed = replace(cfg, **{field: value})
        if kind != "width" and cfg.width == 0:
            changed = replace(changed, width=20)

        def report(done: int, total: int, loss: float, k: int = k) -> None:
            if progress is not None:
                progress(k * total + done, len(values) * total, loss)

        run = train(changed, progress=report, dataset=dataset)
        label = f"{field} = {value}" if kind != "depth" else f"{value} hidden layer{'s' if value > 1 else ''}"
        panels.append((label, predict(run.model, x), float(run.history.loss[-1])))
    return panels


def article_checks(model: MLP, grid: np.ndarray, far: tuple[float, float]) -> list[tuple[str, str]]:
    """(what article 001 says, what this net shows) for the article's claims this net can test.

    grid : the training interval's grid (where kinks are counted); far : two x far outside it.
    """
    if not model.widths:
        return []
    where = f"[{grid[0]:.3g}, {grid[-1]:.3g}]"
    if model.activation == "relu":
        per, kinked = switches(model, grid), kinks(model, grid)
        later = "".join(f"; layer {k + 2}'s {w} units switch at {len(p)} points"
                        for k, (w, p) in enumerate(zip(model.widths[1:], per[1:])))
        busiest = most_switches(model, grid)[1:]
        deeper = (f" A unit of a later layer sees an already bent input: here the busiest one switches "
                  f"{max(busiest)} times." if busiest else "")
        return [("that the most straight segments a hidden layer can make equals its number of units.",
                 f"one layer of n ReLU units has at most n kinks, so at most n + 1 segments, one more than the "
                 f"article says. This net's {model.widths[0]} first-layer units switch at {len(per[0])} points on "
                 f"{where}{later}; its curve has {len(kinked)} kinks there, {len(kinked) + 1} straight pieces."
                 + deeper)]
    if model.activation == "tanh":
        values = np.r_[saturation(model, far[0]), saturation(model, far[1])]
        return [("that outside its stretch each tanh falls to zero or one and just shifts the output.",
                 f"tanh runs from −1 to +1 (zero to one is the sigmoid's range). At x = {far[0]:.3g} and "
                 f"{far[1]:.3g}, {np.sum(values < -0.99)} of this net's {values.size} first-layer values are below "
                 f"−0.99 and {np.sum(values > 0.99)} above +0.99.")]
    return []
